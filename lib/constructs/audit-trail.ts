import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { EncryptionKey } from './encryption-key';
import { SecureBucket } from './secure-bucket';
import { SecureLogGroup } from './secure-log-group';
import { TRAIL_RETENTION_DAYS } from '../config/retention';

/** Five years, counting a leap day: how long the trail is kept (LOG-1); one source with the LOG-1 check. */
export { TRAIL_RETENTION_DAYS };

export interface AuditTrailProps {
  /** Object Lock mode of the trail bucket: compliance in production, governance elsewhere. */
  readonly lockMode: 'governance' | 'compliance';
  /** Buckets whose object-level (data) events are recorded too. */
  readonly dataEventBuckets: readonly s3.IBucket[];
  readonly accessLogBucket: s3.IBucket;
  /** Key of the CloudWatch Logs copy of the trail. */
  readonly logKey: kms.IKey;
}

/**
 * The account's audit trail (LOG-1): multi-region, global service events,
 * log-file validation, encrypted with its own key, management events and data
 * events of the project's buckets, delivered to a dedicated bucket whose
 * objects are locked for five years and expire after that, and streamed to a
 * CloudWatch Logs group for the security alarms.
 */
export class AuditTrail extends Construct {
  readonly trail: cloudtrail.Trail;
  readonly key: EncryptionKey;
  readonly bucket: SecureBucket;
  readonly logGroup: SecureLogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new EncryptionKey(this, 'Key', {
      dataClass: 'audit',
      description: 'Encrypts the CloudTrail log files of this account',
    });
    const trailArnPattern = stack.formatArn({
      service: 'cloudtrail',
      region: '*',
      resource: 'trail',
      resourceName: '*',
    });
    const cloudTrail = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    // A key policy statement always applies to its own key: "*" here means "this key".
    const allowCloudTrail = (sid: string, action: string, conditions?: Record<string, unknown>) =>
      this.key.key.addToResourcePolicy(
        new iam.PolicyStatement({ sid, principals: [cloudTrail], actions: [action], resources: ['*'], conditions }),
      );
    allowCloudTrail('AllowCloudTrailToEncryptLogs', 'kms:GenerateDataKey', {
      StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArnPattern },
      StringEquals: { 'aws:SourceAccount': stack.account },
    });
    allowCloudTrail('AllowCloudTrailToDescribeKey', 'kms:DescribeKey');

    this.bucket = new SecureBucket(this, 'Bucket', {
      encryption: { kmsKey: this.key.key },
      serverAccessLogsBucket: props.accessLogBucket,
      objectLock: { mode: props.lockMode, retention: Duration.days(TRAIL_RETENTION_DAYS) },
      expiration: Duration.days(TRAIL_RETENTION_DAYS),
      noncurrentVersionExpiration: Duration.days(TRAIL_RETENTION_DAYS),
    });
    acknowledge(
      this.bucket.bucket,
      'LOG-1',
      'the trail is protected by Object Lock for five years and by log-file validation; CloudTrail itself records every region, so a replica would add cost but no evidence',
      'compliance:S3BucketReplicationEnabled',
    );

    this.logGroup = new SecureLogGroup(this, 'Logs', { encryptionKey: props.logKey });

    this.trail = new cloudtrail.Trail(this, 'Resource', {
      bucket: this.bucket.bucket,
      encryptionKey: this.key.key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: this.logGroup.logGroup,
    });
    if (props.dataEventBuckets.length > 0) {
      this.trail.addS3EventSelector(
        props.dataEventBuckets.map((bucket) => ({ bucket })),
        { readWriteType: cloudtrail.ReadWriteType.ALL, includeManagementEvents: false },
      );
    }
    // The trail sends to CloudWatch Logs, so CDK always makes its LogsRole.
    acknowledge(
      this.trail.node.findChild('LogsRole'),
      'LOG-1',
      'the inline policy is the one CDK generates for CloudTrail to write to this one log group',
      'compliance:IAMNoInlinePolicy',
    );
  }
}
