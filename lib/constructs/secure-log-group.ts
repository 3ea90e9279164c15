import { RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LOG_RETENTION_DAYS } from '../config/retention';

/** How long logs are kept (LOG-3, NET-6): one year, until the stage's LogGroupPolicy applies the configured retention. */
export const DEFAULT_LOG_RETENTION = LOG_RETENTION_DAYS as logs.RetentionDays;

export interface SecureLogGroupProps {
  /** The customer-managed key the log group is encrypted with. */
  readonly encryptionKey: kms.IKey;
  /**
   * A fixed name, only where a service requires one (WAF needs `aws-waf-logs-`).
   * @default - CloudFormation generates the name
   */
  readonly logGroupName?: string;
}

/** Log groups of fixed names under one prefix, see {@link SecureLogGroup.forEachName}. */
export interface NamedLogGroupsProps {
  readonly encryptionKey: kms.IKey;
  /** The common prefix of the names, without a trailing `/`. */
  readonly prefix: string;
  readonly names: readonly string[];
}

/**
 * A CloudWatch Logs group that is always encrypted with a customer key, has a
 * fixed retention and survives the deletion of its stack (LOG-3, DATA-7).
 */
export class SecureLogGroup extends Construct {
  /**
   * One group per name, `<prefix>/<name>`, for a writer that expects its
   * groups to exist before it starts (the CloudWatch agent of the fleet, LOG-3).
   * They are children of `scope` with the IDs `<idPrefix>-<name>`.
   */
  static forEachName(scope: Construct, idPrefix: string, props: NamedLogGroupsProps): SecureLogGroup[] {
    return props.names.map(
      (name) =>
        new SecureLogGroup(scope, `${idPrefix}-${name}`, {
          encryptionKey: props.encryptionKey,
          logGroupName: `${props.prefix}/${name}`,
        }),
    );
  }

  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SecureLogGroupProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Resource', {
      encryptionKey: props.encryptionKey,
      // The stage's LogGroupPolicy sets every group to the configured retention (LOG-3), so no prop here.
      retention: DEFAULT_LOG_RETENTION,
      logGroupName: props.logGroupName,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
