import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { LogKey } from '../constructs/log-key';
import { SecureBucket } from '../constructs/secure-bucket';
import { SecureLogGroup } from '../constructs/secure-log-group';

export interface LogArchiveStackProps extends StackProps {
  /** Name of the WAF log group; WAF requires the `aws-waf-logs-` prefix, so it is fixed and derived from config. */
  readonly wafLogGroupName: string;
  /** How long request logs (ALB, WAF) are kept before they are purged (LOG-2). */
  readonly requestLogRetentionDays: number;
}

/**
 * Where an environment's logs are kept: the log key and the stateful log
 * stores (server-access-log bucket, ALB request-log bucket, WAF log group).
 * Everything here is retained when the stack is deleted (DATA-7).
 */
export class LogArchiveStack extends Stack {
  readonly logKey: LogKey;
  readonly accessLogBucket: SecureBucket;
  readonly requestLogBucket: SecureBucket;
  readonly wafLogGroup: SecureLogGroup;

  constructor(scope: Construct, id: string, props: LogArchiveStackProps) {
    super(scope, id, props);

    this.logKey = new LogKey(this, 'LogKey');

    this.accessLogBucket = new SecureBucket(this, 'AccessLogBucket', {
      isAccessLogBucket: true,
      // S3 server access logging can only deliver to a bucket with SSE-S3 (AES-256).
      encryption: { s3ManagedBecause: 'S3 server access log delivery does not support SSE-KMS destination buckets' },
      expiration: Duration.days(props.requestLogRetentionDays),
    });

    this.requestLogBucket = new SecureBucket(this, 'RequestLogBucket', {
      // ALB access log delivery only supports SSE-S3 on the destination bucket.
      encryption: { s3ManagedBecause: 'Elastic Load Balancing access log delivery supports only SSE-S3 buckets' },
      serverAccessLogsBucket: this.accessLogBucket.bucket,
      expiration: Duration.days(props.requestLogRetentionDays),
    });

    for (const b of [this.accessLogBucket, this.requestLogBucket]) {
      acknowledge(
        b.bucket,
        'LOG-2',
        'request and access logs are purged after a fixed period and are not customer data; cross-region replication is applied to customer data (DATA-4)',
        'compliance:S3BucketReplicationEnabled',
      );
    }

    this.wafLogGroup = new SecureLogGroup(this, 'WafLogs', {
      encryptionKey: this.logKey.key,
      logGroupName: props.wafLogGroupName,
    });
  }
}
