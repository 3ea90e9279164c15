import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { drBackupVaultName, drReplicaBucketName, keyAliasName } from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import { LockedBackupVault } from '../constructs/backup-vault';
import { EncryptionKey } from '../constructs/encryption-key';
import { SecureBucket } from '../constructs/secure-bucket';
import { LOG_RETENTION_DAYS } from '../config/retention';

export interface DrStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * The environment's second region (DATA-3, DATA-4, DATA-6): its own keys, the
 * locked vault that receives backup copies and the bucket that receives
 * replicas. The primary region refers to them by names derived from config
 * (vault name, bucket name, key aliases), so no ARN is hard-coded and no
 * cross-region export machinery is needed.
 */
export class DrStack extends Stack {
  readonly objectsKey: EncryptionKey;
  readonly backupKey: EncryptionKey;
  readonly imagesKey: EncryptionKey;
  readonly vault: LockedBackupVault;
  readonly replicaBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    const c = props.config;
    const app = c.tags.application;

    this.objectsKey = new EncryptionKey(this, 'ObjectsKey', {
      dataClass: 'objects',
      description: `Encrypts replicated customer objects of ${c.name} in the DR region`,
      aliasName: keyAliasName(app, c.name, 'objects'),
    });
    this.backupKey = new EncryptionKey(this, 'BackupKey', {
      dataClass: 'backups',
      description: `Encrypts backup copies of ${c.name} in the DR region`,
      aliasName: keyAliasName(app, c.name, 'backups'),
    });

    this.imagesKey = new EncryptionKey(this, 'ImagesKey', {
      dataClass: 'images',
      description: `Encrypts golden AMIs of ${c.name} copied to the DR region`,
      aliasName: keyAliasName(app, c.name, 'images'),
    });
    this.imagesKey.allowServiceLinkedRole('imagebuilder.amazonaws.com', 'AWSServiceRoleForImageBuilder');
    this.imagesKey.allowServiceLinkedRole('autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling');

    this.vault = new LockedBackupVault(this, 'Vault', {
      backupVaultName: drBackupVaultName(app, c.name, c.nameSuffix),
      encryptionKey: this.backupKey.key,
      lockMode: c.production ? 'compliance' : 'governance',
      minRetention: Duration.days(Math.min(c.backup.twiceDailyRetentionDays, c.backup.dailyRetentionDays)),
      maxRetention: Duration.days(Math.max(c.backup.twiceDailyRetentionDays, c.backup.dailyRetentionDays)),
    });

    const accessLogs = new SecureBucket(this, 'AccessLogBucket', {
      isAccessLogBucket: true,
      // S3 server access logging can only deliver to a bucket with SSE-S3 (AES-256).
      encryption: { s3ManagedBecause: 'S3 server access log delivery does not support SSE-KMS destination buckets' },
      expiration: Duration.days(LOG_RETENTION_DAYS),
    });
    acknowledge(
      accessLogs.bucket,
      'LOG-2',
      'access logs of the DR replica are purged after a year and are not customer data; replicating them again would not add recovery value',
      'compliance:S3BucketReplicationEnabled',
    );

    this.replicaBucket = new SecureBucket(this, 'ReplicaBucket', {
      bucketName: drReplicaBucketName(app, c.name, c.account, c.nameSuffix),
      encryption: { kmsKey: this.objectsKey.key },
      serverAccessLogsBucket: accessLogs.bucket,
    });
    acknowledge(
      this.replicaBucket.bucket,
      'DATA-4',
      'this bucket is itself the cross-region replica of the customer data bucket; replicating it onward would only create a third copy',
      'compliance:S3BucketReplicationEnabled',
    );
  }
}
