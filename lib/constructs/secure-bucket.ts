import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';

/** How a bucket's objects are encrypted at rest. */
export type BucketEncryptionChoice =
  /** SSE-KMS with a customer-managed key: the default for every bucket (DATA-2). */
  | { readonly kmsKey: kms.IKey }
  /**
   * SSE-S3 (AES-256 with S3-managed keys), only where the writing service
   * cannot use a customer key; the reason is kept beside the choice.
   */
  | { readonly s3ManagedBecause: string };

export interface SecureBucketProps {
  /** Encryption at rest; SSE-S3 only with a written reason. */
  readonly encryption: BucketEncryptionChoice;
  /**
   * The bucket that receives this bucket's server access logs.
   * @default - none: only allowed for the access-log bucket itself (`isAccessLogBucket`)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * This bucket is the destination of other buckets' server access logs, so it
   * does not log to itself.
   * @default false
   */
  readonly isAccessLogBucket?: boolean;
  /**
   * Objects expire this long after creation (request logs are purged on a
   * fixed schedule, LOG-2).
   * @default - current objects never expire
   */
  readonly expiration?: Duration;
  /**
   * Noncurrent versions are deleted this long after they are replaced.
   * @default Duration.days(90)
   */
  readonly noncurrentVersionExpiration?: Duration;
}

/**
 * The one way this project makes an S3 bucket (DATA-2).
 *
 * Every bucket is encrypted (KMS unless a reason is given), blocks all public
 * access, refuses non-TLS requests and TLS below 1.2, is versioned, has
 * object ownership enforced (no ACLs), logs access to a log bucket, cleans up
 * noncurrent versions and is retained when its stack is deleted (DATA-7).
 * None of these can be turned off.
 */
export class SecureBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    if (!props.serverAccessLogsBucket && !props.isAccessLogBucket) {
      throw new Error(
        `SecureBucket ${this.node.path}: serverAccessLogsBucket is required (DATA-2); only the access-log bucket itself (isAccessLogBucket: true) may omit it`,
      );
    }
    if ('s3ManagedBecause' in props.encryption && props.encryption.s3ManagedBecause.trim().length < 10) {
      throw new Error(
        `SecureBucket ${this.node.path}: encryption.s3ManagedBecause must say why SSE-KMS cannot be used`,
      );
    }
    const kmsKey = 'kmsKey' in props.encryption ? props.encryption.kmsKey : undefined;

    this.bucket = new s3.Bucket(this, 'Resource', {
      encryption: kmsKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: kmsKey,
      bucketKeyEnabled: kmsKey ? true : undefined,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket ? `${this.node.path.replace(/\//g, '-')}/` : undefined,
      lifecycleRules: [
        {
          id: 'expire-noncurrent-and-incomplete',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
          expiration: props.expiration,
          expiredObjectDeleteMarker: props.expiration ? undefined : true,
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
    if ('s3ManagedBecause' in props.encryption) {
      acknowledge(
        this.bucket,
        'DATA-2',
        `SSE-S3 (AES-256) instead of SSE-KMS: ${props.encryption.s3ManagedBecause}`,
        'compliance:S3DefaultEncryptionKMS',
      );
    }
    if (props.isAccessLogBucket) {
      acknowledge(
        this.bucket,
        'DATA-2',
        'this is the server-access-log destination; logging it to itself would loop',
        'AwsSolutions-S1',
        'compliance:S3BucketLoggingEnabled',
      );
    }
  }
}
