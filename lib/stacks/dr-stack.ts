import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { type Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { LOG_RETENTION_DAYS } from '../config/retention';
import { LockedBackupVault, type VaultLock } from '../constructs/backup-vault';
import { EncryptionKey } from '../constructs/encryption-key';
import { ImagesKey } from '../constructs/images-key';
import { SecureBucket } from '../constructs/secure-bucket';

export interface DrStackProps extends StackProps {
  /** The environment's name, in the keys' descriptions. */
  readonly environmentName: string;
  /** Aliases of the DR keys: the primary region names them by these (DATA-6). */
  readonly keyAliasNames: { readonly objects: string; readonly backups: string; readonly images: string };
  /** The vault's fixed name: the primary region's backup plan copies to it (DATA-3). */
  readonly backupVaultName: string;
  /** The lock of the vault, the same as the primary vault's. */
  readonly vaultLock: VaultLock;
  /** The replica bucket's fixed name: the customer data bucket replicates to it (DATA-4). */
  readonly replicaBucketName: string;
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
  readonly imagesKey: ImagesKey;
  readonly vault: LockedBackupVault;
  readonly replicaBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    const env = props.environmentName;

    const aliases = props.keyAliasNames;
    ({ objects: this.objectsKey, backups: this.backupKey } = EncryptionKey.forClasses(this, {
      objects: {
        description: `Encrypts replicated customer objects of ${env} in the DR region`,
        aliasName: aliases.objects,
      },
      backups: { description: `Encrypts backup copies of ${env} in the DR region`, aliasName: aliases.backups },
    }));
    this.imagesKey = new ImagesKey(this, 'ImagesKey', {
      description: `Encrypts golden AMIs of ${env} copied to the DR region`,
      aliasName: aliases.images,
    });

    this.vault = new LockedBackupVault(this, 'Vault', {
      backupVaultName: props.backupVaultName,
      encryptionKey: this.backupKey.key,
      ...props.vaultLock,
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
      bucketName: props.replicaBucketName,
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
