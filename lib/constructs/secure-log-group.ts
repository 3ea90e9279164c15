import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** How long logs are kept unless a control says otherwise (LOG-3, NET-6): one year. */
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

export interface SecureLogGroupProps {
  /** The customer-managed key the log group is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /**
   * How long events are kept.
   * @default one year (365 days)
   */
  readonly retention?: logs.RetentionDays;
  /**
   * A fixed name, only where a service requires one (WAF needs `aws-waf-logs-`).
   * @default - CloudFormation generates the name
   */
  readonly logGroupName?: string;
}

/**
 * A CloudWatch Logs group that is always encrypted with a customer key, has a
 * fixed retention and survives the deletion of its stack (LOG-3, DATA-7).
 */
export class SecureLogGroup extends Construct {
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SecureLogGroupProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Resource', {
      encryptionKey: props.encryptionKey,
      retention: props.retention ?? DEFAULT_LOG_RETENTION,
      logGroupName: props.logGroupName,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
