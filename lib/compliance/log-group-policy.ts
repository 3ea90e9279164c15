import type { IAspect } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/**
 * LOG-3 in one place: every CloudWatch Logs group of a stage is kept for the
 * configured retention, and a group without a customer key fails synthesis
 * instead of reaching an account unencrypted.
 */
export class LogGroupPolicy implements IAspect {
  constructor(private readonly retentionDays: number) {}

  visit(node: IConstruct): void {
    if (!(node instanceof logs.CfnLogGroup)) return;
    node.retentionInDays = this.retentionDays;
    if (!node.kmsKeyId) {
      throw new Error(
        `Log group ${node.node.path} has no KMS key: every log group must be encrypted with a customer key (LOG-3)`,
      );
    }
  }
}
