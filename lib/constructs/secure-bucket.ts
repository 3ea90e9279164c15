import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge, wildcardResource } from '../compliance/acknowledge';

/**
 * The ARN of a bucket known by its fixed name (in this or another region), or
 * of its objects matching `objects` (e.g. `sessions/*`): S3 ARNs name neither
 * region nor account.
 */
export function bucketArnOf(scope: Construct, bucketName: string, objects?: string): string {
  return Stack.of(scope).formatArn({
    service: 's3',
    region: '',
    account: '',
    resource: bucketName,
    resourceName: objects,
  });
}

/** How a bucket's objects are encrypted at rest. */
export type BucketEncryptionChoice =
  /** SSE-KMS with a customer-managed key: the default for every bucket (DATA-2). */
  | { readonly kmsKey: kms.IKey }
  /**
   * SSE-S3 (AES-256 with S3-managed keys), only where the writing service
   * cannot use a customer key; the reason is kept beside the choice.
   */
  | { readonly s3ManagedBecause: string };

/** Where a bucket's objects are replicated (DATA-4). */
export interface BucketReplication {
  /** ARN of the destination bucket, in another region. */
  readonly destinationBucketArn: string;
  /** The destination's region. */
  readonly destinationRegion: string;
  /** Alias of the destination region's key; replicas are encrypted under it, never under the source key. */
  readonly destinationKeyAliasName: string;
}

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
  /**
   * Replicate every object (and delete marker) to a bucket in another region.
   * Requires KMS encryption.
   * @default - no replication
   */
  readonly replication?: BucketReplication;
  /**
   * A fixed name, only for a bucket another region refers to (a replication destination).
   * @default - CloudFormation generates the name
   */
  readonly bucketName?: string;
  /**
   * S3 Object Lock with a default retention: objects cannot be deleted or
   * overwritten before it ends (compliance: by nobody; governance: only with a
   * special permission).
   * @default - no Object Lock
   */
  readonly objectLock?: { readonly mode: 'governance' | 'compliance'; readonly retention: Duration };
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
  /** The role S3 replicates with, when replication is on. */
  replicationRole?: iam.Role;

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
      bucketName: props.bucketName,
      objectLockEnabled: props.objectLock ? true : undefined,
      objectLockDefaultRetention: props.objectLock
        ? props.objectLock.mode === 'compliance'
          ? s3.ObjectLockRetention.compliance(props.objectLock.retention)
          : s3.ObjectLockRetention.governance(props.objectLock.retention)
        : undefined,
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
    if (props.replication) {
      if (!kmsKey)
        throw new Error(`SecureBucket ${this.node.path}: replication needs KMS encryption (encryption.kmsKey)`);
      this.replicateTo(props.replication, kmsKey);
    }
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

  /**
   * Refuses any request signed longer ago than `maxAge`, and any request not
   * signed with SigV4 (DATA-2): a presigned URL to customer data works for
   * minutes, whatever expiry its signer asked for.
   */
  denyLongLivedSignatures(maxAge: Duration): void {
    const everything = [this.bucket.bucketArn, this.bucket.arnForObjects('*')];
    this.deny('DenyOldSignatures', ['s3:*'], {
      resources: everything,
      conditions: { NumericGreaterThan: { 's3:signatureAge': maxAge.toMilliseconds() } },
    });
    this.deny('DenyAnythingButSigV4', ['s3:*'], {
      resources: everything,
      conditions: { StringNotEquals: { 's3:signatureversion': 'AWS4-HMAC-SHA256' } },
    });
  }

  /**
   * Lets only `readers` read this bucket's objects (DATA-2): a deny for every
   * other principal, whatever its IAM policies allow. `sid` names the statement.
   */
  readableOnlyBy(readers: readonly iam.IRole[], sid: string): void {
    this.deny(sid, ['s3:GetObject', 's3:GetObjectVersion'], {
      resources: [this.bucket.arnForObjects('*')],
      conditions: { ArnNotLike: { 'aws:PrincipalArn': readers.map((r) => r.roleArn) } },
    });
  }

  /**
   * Confines `role` to the objects under `prefix` (DATA-9): reading, writing
   * or deleting any other object is denied to it. `sid` names the statement.
   */
  confineToPrefix(role: iam.IRole, prefix: string, sid: string): void {
    this.deny(
      sid,
      ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
      {
        notResources: [this.bucket.arnForObjects(`${prefix}*`)],
        conditions: { ArnLike: { 'aws:PrincipalArn': role.roleArn } },
      },
    );
  }

  /** Adds a statement that denies `actions` to every principal where `where` says. */
  private deny(
    sid: string,
    actions: string[],
    where: Pick<iam.PolicyStatementProps, 'resources' | 'notResources' | 'conditions'>,
  ): void {
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions,
        ...where,
      }),
    );
  }

  private replicateTo(replication: BucketReplication, sourceKey: kms.IKey): void {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ReplicationRole', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: 'S3 replication of this bucket to the DR region',
    });
    this.replicationRole = role;
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObjectVersionForReplication', 's3:GetObjectVersionAcl', 's3:GetObjectVersionTagging'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'],
        resources: [`${replication.destinationBucketArn}/*`],
      }),
    );
    sourceKey.grantDecrypt(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        // The DR key's ID is not known in this region; it is named by its alias instead.
        resources: [
          stack.formatArn({
            service: 'kms',
            region: replication.destinationRegion,
            resource: 'key',
            resourceName: '*',
          }),
        ],
        conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': replication.destinationKeyAliasName } },
      }),
    );
    acknowledge(
      role,
      'IAM-2',
      'replication reads every object version of this bucket and writes every replica into the DR bucket, so object ARNs end in "/*"; the DR key is matched by its alias because its ID is unknown in this region',
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      `AwsSolutions-IAM5[Resource::${replication.destinationBucketArn}/*]`,
      ...wildcardResource(stack, `kms:${replication.destinationRegion}:${stack.account}:key/*`),
    );
    acknowledge(
      role,
      'IAM-2',
      'the replication role keeps its policy inline so it is created, changed and deleted with the role and cannot be attached elsewhere',
      'compliance:IAMNoInlinePolicy',
    );

    const cfn = this.bucket.node.defaultChild as s3.CfnBucket;
    cfn.replicationConfiguration = {
      role: role.roleArn,
      rules: [
        {
          id: 'replicate-to-dr-region',
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: 'Enabled' } },
          destination: {
            bucket: replication.destinationBucketArn,
            encryptionConfiguration: {
              replicaKmsKeyId: stack.formatArn({
                service: 'kms',
                region: replication.destinationRegion,
                resource: replication.destinationKeyAliasName,
                arnFormat: ArnFormat.NO_RESOURCE_NAME,
              }),
            },
          },
        },
      ],
    };
  }
}
