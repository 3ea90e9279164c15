import type { IAspect } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { IConstruct } from 'constructs';

/**
 * LOG-3 in one place: every CloudWatch Logs group of a stage is kept for the
 * configured retention, and a group without a customer key fails synthesis
 * instead of reaching an account unencrypted.
 */
const FLOORS = new WeakMap<logs.CfnLogGroup, number>();

/** A group that must be kept longer than the configured retention (DATA-10's erasure records); the policy keeps the longer. */
export function retentionFloor(group: logs.LogGroup, days: number): void {
  FLOORS.set(group.node.defaultChild as logs.CfnLogGroup, days);
}

export class LogGroupPolicy implements IAspect {
  constructor(private readonly retentionDays: number) {}

  visit(node: IConstruct): void {
    if (!(node instanceof logs.CfnLogGroup)) return;
    node.retentionInDays = Math.max(this.retentionDays, FLOORS.get(node) ?? 0);
    if (!node.kmsKeyId) {
      throw new Error(
        `Log group ${node.node.path} has no KMS key: every log group must be encrypted with a customer key (LOG-3)`,
      );
    }
  }
}
