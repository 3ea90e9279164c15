import { ArnFormat, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { type Construct } from 'constructs';
import {
  dataBucketName,
  dbInstanceIdentifier,
  fleetRoleName,
  drBackupVaultName,
  drReplicaBucketName,
  erasureLogGroupName,
  keyAliasName,
  TENANT_OBJECT_PREFIX,
} from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import { retentionFloor } from '../compliance/log-group-policy';
import { LockedBackupVault } from '../constructs/backup-vault';
import { DataBackup } from '../constructs/data-backup';
import { Database } from '../constructs/database';
import { EncryptionKey } from '../constructs/encryption-key';
import { SecureBucket } from '../constructs/secure-bucket';
import { SecureLogGroup } from '../constructs/secure-log-group';

export interface DataStackProps extends StackProps {
  readonly config: EnvironmentConfig;
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
    const c = props.config;
    const app = c.tags.application;

    this.databaseKey = new EncryptionKey(this, 'DatabaseKey', {
      dataClass: 'database',
      description: `Encrypts the ${c.name} database, its Performance Insights and its master secret`,
      aliasName: keyAliasName(app, c.name, 'database'),
    });
    this.objectsKey = new EncryptionKey(this, 'ObjectsKey', {
      dataClass: 'objects',
      description: `Encrypts customer objects of ${c.name}`,
      aliasName: keyAliasName(app, c.name, 'objects'),
    });
    this.backupKey = new EncryptionKey(this, 'BackupKey', {
      dataClass: 'backups',
      description: `Encrypts the ${c.name} backup vault`,
      aliasName: keyAliasName(app, c.name, 'backups'),
    });

    this.dataBucket = new SecureBucket(this, 'DataBucket', {
      bucketName: dataBucketName(app, c.name, c.account, c.region, c.nameSuffix),
      encryption: { kmsKey: this.objectsKey.key },
      serverAccessLogsBucket: props.accessLogBucket,
      replication: {
        destinationBucketArn: this.formatArn({
          service: 's3',
          region: '',
          account: '',
          resource: drReplicaBucketName(app, c.name, c.account, c.nameSuffix),
        }),
        destinationRegion: c.drRegion,
        destinationKeyAliasName: keyAliasName(app, c.name, 'objects'),
      },
    });

    // DATA-2: uploads and downloads reach users only through short-lived signed URLs.
    this.dataBucket.denyLongLivedSignatures(Duration.minutes(c.dataBucket.maxSignatureAgeMinutes));

    this.database = new Database(this, 'Database', {
      vpc: props.vpc,
      instanceIdentifier: dbInstanceIdentifier(app, c.name),
      ...c.database,
      encryptionKey: this.databaseKey.key,
      logKey: props.logKey,
    });
    this.database.allowFrom(props.appClients, 'App fleet');

    const minRetention = Math.min(c.backup.twiceDailyRetentionDays, c.backup.dailyRetentionDays);
    const maxRetention = Math.max(c.backup.twiceDailyRetentionDays, c.backup.dailyRetentionDays);
    this.vault = new LockedBackupVault(this, 'Vault', {
      encryptionKey: this.backupKey.key,
      lockMode: c.production ? 'compliance' : 'governance',
      minRetention: Duration.days(minRetention),
      maxRetention: Duration.days(maxRetention),
    });

    this.backup = new DataBackup(this, 'Backup', {
      vault: this.vault.vault,
      drVaultArn: this.formatArn({
        service: 'backup',
        region: c.drRegion,
        resource: 'backup-vault',
        resourceName: drBackupVaultName(app, c.name, c.nameSuffix),
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
      twiceDailyRetention: Duration.days(c.backup.twiceDailyRetentionDays),
      dailyRetention: Duration.days(c.backup.dailyRetentionDays),
      alarmTopic: props.alarmTopic,
    });

    // DATA-10: two years outlive the longest backup retention (365 days, DATA-3) plus the copy windows.
    this.erasureLog = new SecureLogGroup(this, 'ErasureLog', {
      encryptionKey: props.logKey,
      logGroupName: erasureLogGroupName(app, c.name),
    });
    retentionFloor(this.erasureLog.logGroup, logs.RetentionDays.TWO_YEARS);

    // DATA-2: customer objects are readable only through the app (which issues short-lived
    // signed URLs), and by the services that copy them: backup and replication.
    const readers = [
      this.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: fleetRoleName(app, c.name) }),
      this.backup.backupRole.roleArn,
      this.dataBucket.replicationRole!.roleArn,
    ];
    this.dataBucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyTheAppAndItsCopiersReadObjects',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [this.dataBucket.bucket.arnForObjects('*')],
        conditions: { ArnNotLike: { 'aws:PrincipalArn': readers } },
      }),
    );
    // DATA-9: the app (and every URL it signs) reaches objects only under tenants/<tenant>/.
    this.dataBucket.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AppOnlyUnderTenantPrefixes',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
        notResources: [this.dataBucket.bucket.arnForObjects(`${TENANT_OBJECT_PREFIX}*`)],
        conditions: { ArnLike: { 'aws:PrincipalArn': readers[0] } },
      }),
    );
  }
}
