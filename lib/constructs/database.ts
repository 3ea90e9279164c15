import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { SecureLogGroup } from './secure-log-group';

/** The PostgreSQL logs exported to CloudWatch Logs (DATA-1, LOG-3). */
export const DB_LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/**
 * The master user's name: not the engine default `postgres`, which every
 * password-guessing tool tries first (CT.RDS.PR.22). Its password lives in
 * Secrets Manager. Changing it replaces the instance: set it before the
 * first deploy (see docs/findings.md).
 */
export const MASTER_USERNAME = 'platform_dba';

/** Parameters that make the server refuse plaintext and weak authentication, and log sessions. */
export const DB_PARAMETERS: Readonly<Record<string, string>> = {
  'rds.force_ssl': '1',
  ssl_min_protocol_version: 'TLSv1.2',
  password_encryption: 'scram-sha-256',
  log_connections: '1',
  log_disconnections: '1',
  // DATA-9: pgaudit logs what every role reads and writes into the exported `postgresql` log. Every role but
  // the app's: the release's migration sets `ALTER ROLE app_rw SET pgaudit.log = 'none'` (its access is in the
  // app's access log, with tenant and principal). Default on, so a new human or operator role is audited
  // without anyone remembering to add it. Parameters are not logged: they may carry customer data.
  shared_preload_libraries: 'pg_stat_statements,pgaudit',
  'pgaudit.log': 'read,write,ddl,role,function',
  'pgaudit.log_catalog': '0',
  'pgaudit.log_parameter': '0',
};

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Fixed identifier (derived from config) so the log groups can exist, encrypted, before the instance. */
  readonly instanceIdentifier: string;
  /** "<major>.<minor>", validated in config. */
  readonly engineVersion: string;
  /** "db.<family>.<size>", validated in config. */
  readonly instanceClass: string;
  readonly allocatedStorageGiB: number;
  readonly maxAllocatedStorageGiB: number;
  readonly multiAz: boolean;
  /** Point-in-time recovery window (>= 7 days, DATA-1). */
  readonly backupRetentionDays: number;
  readonly port: number;
  /** The database data-class key: storage, Performance Insights, the master secret. */
  readonly encryptionKey: kms.IKey;
  /** Key of the exported log groups. */
  readonly logKey: kms.IKey;
}

/**
 * The application's PostgreSQL database (DATA-1).
 *
 * An RDS for PostgreSQL instance in the isolated subnets, encrypted with the
 * database key, TLS 1.2+ enforced by the server (`rds.force_ssl`), deletion
 * protected and retained with its stack, with point-in-time recovery, the
 * master password managed and rotated by RDS in Secrets Manager, IAM
 * authentication, encrypted Performance Insights, enhanced monitoring and logs
 * exported to KMS-encrypted log groups kept a year. Its security group admits
 * nobody until {@link allowFrom} names a client.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly securityGroup: ec2.SecurityGroup;
  readonly subnetGroup: rds.SubnetGroup;
  /** The database port, as a literal so that checks and rules can read it. */
  readonly port: number;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    this.port = props.port;
    const major = props.engineVersion.split('.')[0];
    const engine = rds.DatabaseInstanceEngine.postgres({
      version: rds.PostgresEngineVersion.of(props.engineVersion, major),
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'PostgreSQL: only the app fleet on the database port',
      allowAllOutbound: false,
    });

    this.subnetGroup = new rds.SubnetGroup(this, 'Subnets', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      description: 'Isolated subnets: no route to or from the internet (NET-1)',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'TLS only, scram-sha-256, connection logging, pgaudit for every role but the app',
      parameters: { ...DB_PARAMETERS },
    });

    const logGroups = DB_LOG_EXPORTS.map(
      (name) =>
        new SecureLogGroup(this, `Log-${name}`, {
          encryptionKey: props.logKey,
          logGroupName: `/aws/rds/instance/${props.instanceIdentifier}/${name}`,
        }),
    );

    this.instance = new rds.DatabaseInstance(this, 'Resource', {
      engine,
      instanceIdentifier: props.instanceIdentifier,
      instanceType: new ec2.InstanceType(props.instanceClass.replace(/^db\./, '')),
      vpc: props.vpc,
      subnetGroup: this.subnetGroup,
      securityGroups: [this.securityGroup],
      publiclyAccessible: false,
      port: props.port,
      multiAz: props.multiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.maxAllocatedStorageGiB,
      storageEncrypted: true,
      storageEncryptionKey: props.encryptionKey,
      parameterGroup,
      credentials: rds.Credentials.fromUsername(MASTER_USERNAME),
      manageMasterUserPassword: true,
      iamAuthentication: true,
      backupRetention: Duration.days(props.backupRetentionDays),
      preferredBackupWindow: '01:00-02:00',
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: [...DB_LOG_EXPORTS],
      enablePerformanceInsights: true,
      performanceInsightEncryptionKey: props.encryptionKey,
      performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
      monitoringInterval: Duration.seconds(60),
    });
    for (const group of logGroups) this.instance.node.addDependency(group);

    const cfn = this.instance.node.defaultChild as rds.CfnDBInstance;
    // RDS keeps the master secret; encrypt it with the database key, not the AWS-managed one.
    cfn.masterUserSecret = { kmsKeyId: props.encryptionKey.keyArn };

    if (!props.multiAz) {
      acknowledge(
        this.instance,
        'DATA-1',
        'single-AZ is allowed only outside production (validated in config); production databases are Multi-AZ',
        'AwsSolutions-RDS3',
        'compliance:RDSMultiAZSupport',
      );
    }
    // Enhanced monitoring is always on, so CDK always makes its MonitoringRole.
    acknowledge(
      this.instance.node.findChild('MonitoringRole'),
      'IAM-2',
      'enhanced monitoring needs the AWS-managed AmazonRDSEnhancedMonitoringRole policy; it only writes OS metrics to CloudWatch Logs',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    );
  }

  /** Lets a client (the app fleet) reach the database port, and nothing else. */
  allowFrom(client: ec2.IConnectable, description: string): void {
    this.instance.connections.allowFrom(client, ec2.Port.tcp(this.port), description);
  }
}
