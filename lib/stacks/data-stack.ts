import { ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { type Construct } from 'constructs';
import { TENANT_OBJECT_PREFIX } from '../config/naming';
import type { BackupConfig, DatabaseConfig } from '../config/schema';
import { retentionFloor } from '../compliance/log-group-policy';
import { LockedBackupVault, type VaultLock } from '../constructs/backup-vault';
import { DataBackup } from '../constructs/data-backup';
import { Database } from '../constructs/database';
import { EncryptionKey } from '../constructs/encryption-key';
import { bucketArnOf, SecureBucket } from '../constructs/secure-bucket';
import { SecureLogGroup } from '../constructs/secure-log-group';

export interface DataStackProps extends StackProps {
  /** The environment's name, in the keys' descriptions. */
  readonly environmentName: string;
  /** Aliases of the keys; the DR region's objects key has the same alias as this region's. */
  readonly keyAliasNames: { readonly database: string; readonly objects: string; readonly backups: string };
  /** The customer data bucket's fixed name: the app's grants and the audits name its objects. */
  readonly dataBucketName: string;
  /** Requests to customer data signed longer ago than this are refused (DATA-2). */
  readonly maxSignatureAge: Duration;
  /** The DR region and what waits there (the DR stack): the replica bucket and the copy vault, by name. */
  readonly dr: { readonly region: string; readonly replicaBucketName: string; readonly backupVaultName: string };
  readonly database: DatabaseConfig;
  /** The database instance's fixed identifier, so its log groups exist, encrypted, before it does. */
  readonly databaseIdentifier: string;
  /** How long backups are kept (DATA-3). */
  readonly backup: BackupConfig;
  readonly vaultLock: VaultLock;
  /** The fleet's instance role, by name (it lives in the App stack): the one reader of customer objects. */
  readonly fleetRoleName: string;
  /** The erasure record's fixed name: `npm run tenant:erase` writes it (DATA-10). */
  readonly erasureLogGroupName: string;
  readonly vpc: ec2.IVpc;
  /** The app fleet's security group: the only client of the database. */
  readonly appClients: ec2.IConnectable;
  readonly logKey: kms.IKey;
  readonly accessLogBucket: s3.IBucket;
  readonly alarmTopic: sns.ITopic;
}

/**
 * The environment's stateful data in its primary region (DATA-1 to DATA-7):
 * per-class keys, the customer data bucket replicated to the DR region, the
 * PostgreSQL database, the locked backup vault, the backup plan with copies to
 * the DR vault, and monthly restore drills.
 */
export class DataStack extends Stack {
  readonly databaseKey: EncryptionKey;
  readonly objectsKey: EncryptionKey;
  readonly backupKey: EncryptionKey;
  readonly dataBucket: SecureBucket;
  readonly database: Database;
  readonly vault: LockedBackupVault;
  readonly backup: DataBackup;
  /** Erasure records of tenants (DATA-10), kept longer than the last backup that can hold an erased tenant's data. */
  readonly erasureLog: SecureLogGroup;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const env = props.environmentName;

    const aliases = props.keyAliasNames;
    ({
      database: this.databaseKey,
      objects: this.objectsKey,
      backups: this.backupKey,
    } = EncryptionKey.forClasses(this, {
      database: {
        description: `Encrypts the ${env} database, its Performance Insights and its master secret`,
        aliasName: aliases.database,
      },
      objects: { description: `Encrypts customer objects of ${env}`, aliasName: aliases.objects },
      backups: { description: `Encrypts the ${env} backup vault`, aliasName: aliases.backups },
    }));

    this.dataBucket = new SecureBucket(this, 'DataBucket', {
      bucketName: props.dataBucketName,
      encryption: { kmsKey: this.objectsKey.key },
      serverAccessLogsBucket: props.accessLogBucket,
      replication: {
        destinationBucketArn: bucketArnOf(this, props.dr.replicaBucketName),
        destinationRegion: props.dr.region,
        destinationKeyAliasName: props.keyAliasNames.objects,
      },
    });

    // DATA-2: uploads and downloads reach users only through short-lived signed URLs.
    this.dataBucket.denyLongLivedSignatures(props.maxSignatureAge);

    this.database = new Database(this, 'Database', {
      vpc: props.vpc,
      instanceIdentifier: props.databaseIdentifier,
      ...props.database,
      encryptionKey: this.databaseKey.key,
      logKey: props.logKey,
    });
    this.database.allowFrom(props.appClients, 'App fleet');

    this.vault = new LockedBackupVault(this, 'Vault', { encryptionKey: this.backupKey.key, ...props.vaultLock });

    this.backup = new DataBackup(this, 'Backup', {
      vault: this.vault.vault,
      drVaultArn: this.formatArn({
        service: 'backup',
        region: props.dr.region,
        resource: 'backup-vault',
        resourceName: props.dr.backupVaultName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      resources: [
        {
          arn: this.database.instance.instanceArn,
          restore: {
            resourceType: 'RDS',
            resourceArn: this.database.instance.instanceArn,
            metadataOverrides: {
              dbSubnetGroupName: this.database.subnetGroup.subnetGroupName,
              vpcSecurityGroupIds: `["${this.database.securityGroup.securityGroupId}"]`,
            },
          },
        },
        {
          arn: this.dataBucket.bucket.bucketArn,
          restore: { resourceType: 'S3', resourceArn: this.dataBucket.bucket.bucketArn },
        },
      ],
      twiceDailyRetention: Duration.days(props.backup.twiceDailyRetentionDays),
      dailyRetention: Duration.days(props.backup.dailyRetentionDays),
      alarmTopic: props.alarmTopic,
    });

    // DATA-10: two years outlive the longest backup retention (365 days, DATA-3) plus the copy windows.
    this.erasureLog = new SecureLogGroup(this, 'ErasureLog', {
      encryptionKey: props.logKey,
      logGroupName: props.erasureLogGroupName,
    });
    retentionFloor(this.erasureLog.logGroup, logs.RetentionDays.TWO_YEARS);

    // DATA-2: customer objects are readable only through the app (which issues short-lived
    // signed URLs), and by the services that copy them: backup and replication.
    const fleetRole = iam.Role.fromRoleName(this, 'FleetRole', props.fleetRoleName);
    this.dataBucket.readableOnlyBy(
      [fleetRole, this.backup.backupRole, this.dataBucket.replicationRole!],
      'OnlyTheAppAndItsCopiersReadObjects',
    );
    // DATA-9: the app (and every URL it signs) reaches objects only under tenants/<tenant>/.
    this.dataBucket.confineToPrefix(fleetRole, TENANT_OBJECT_PREFIX, 'AppOnlyUnderTenantPrefixes');
  }
}
