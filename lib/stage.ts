import { Aspects, Duration, Stage, type StageProps } from 'aws-cdk-lib';
import type * as rds from 'aws-cdk-lib/aws-rds';
import { type Construct } from 'constructs';
import {
  dataBucketName,
  dbInstanceIdentifier,
  drBackupVaultName,
  drReplicaBucketName,
  erasureLogGroupName,
  fleetHealthAlarmNames,
  fleetLogGroupPrefix,
  fleetRoleName,
  goldenAmiParameterName,
  keyAliasName,
  pipelineName,
  rebuildPendingParameterName,
  releaseBucketName,
  releaseRoleName,
  sessionTranscriptBucketName,
  wafLogGroupName,
} from './config/naming';
import type { EnvironmentConfig } from './config/schema';
import type { VaultLock } from './constructs/backup-vault';
import { releaseBucketParameterName, releaseParameterName } from './release/contract';
import { type ImageComponent, loadComponents } from './images/components';
import { AlertingStack } from './stacks/alerting-stack';
import { AppStack } from './stacks/app-stack';
import { AuditStack } from './stacks/audit-stack';
import { MonitoringStack } from './stacks/monitoring-stack';
import { LogGroupPolicy } from './compliance/log-group-policy';
import { applyRequiredTags, environmentTags } from './compliance/required-tags';
import { DataStack } from './stacks/data-stack';
import { DrStack } from './stacks/dr-stack';
import { ImageStack } from './stacks/image-stack';
import { IngressStack } from './stacks/ingress-stack';
import { LogArchiveStack } from './stacks/log-archive-stack';
import { NetworkStack } from './stacks/network-stack';
import { LOG_RETENTION_DAYS } from './config/retention';

export interface EnvironmentStageProps extends StageProps {
  /** The validated configuration of this environment. */
  readonly config: EnvironmentConfig;
  /**
   * The Image Builder component documents, read once for all stages.
   * @default - read from images/components
   */
  readonly components?: readonly ImageComponent[];
  /**
   * The delivery pipeline's account: it may assume the environment's release role.
   * @default - no pipeline
   */
  readonly pipelineAccount?: string;
}

/** Request logs (ALB, WAF) are purged after one year (LOG-2): the one log retention constant. */
export const REQUEST_LOG_RETENTION_DAYS = LOG_RETENTION_DAYS;

/**
 * One environment (dev, staging, prod...) as its own CDK stage, account and
 * configuration (IAM-3). Production stacks get termination protection (DATA-7).
 */
export class EnvironmentStage extends Stage {
  readonly logArchive: LogArchiveStack;
  readonly network: NetworkStack;
  readonly ingress: IngressStack;
  readonly alerting: AlertingStack;
  readonly data: DataStack;
  /** The DR-region stack: same account, `drRegion`. */
  readonly dr: DrStack;
  readonly image: ImageStack;
  readonly app: AppStack;
  readonly audit: AuditStack;
  readonly monitoring: MonitoringStack;

  constructor(scope: Construct, id: string, props: EnvironmentStageProps) {
    super(scope, id, {
      ...props,
      env: { account: props.config.account, region: props.config.region },
    });
    const c = props.config;
    const app = c.tags.application;
    const common = { terminationProtection: c.production };
    const aliases = {
      database: keyAliasName(app, c.name, 'database'),
      objects: keyAliasName(app, c.name, 'objects'),
      backups: keyAliasName(app, c.name, 'backups'),
      images: keyAliasName(app, c.name, 'images'),
    };
    const vaultLock = vaultLockOf(c);
    const dr = {
      region: c.drRegion,
      replicaBucketName: drReplicaBucketName(app, c.name, c.account, c.nameSuffix),
      backupVaultName: drBackupVaultName(app, c.name, c.nameSuffix),
    };
    const dataBucket = dataBucketName(app, c.name, c.account, c.region, c.nameSuffix);
    const maxSignatureAge = Duration.minutes(c.dataBucket.maxSignatureAgeMinutes);
    const amiParameterName = goldenAmiParameterName(app, c.name);
    const fleetLogs = fleetLogGroupPrefix(app, c.name);
    const fleetRole = fleetRoleName(app, c.name);
    const healthAlarms = fleetHealthAlarmNames(app, c.name);

    this.logArchive = new LogArchiveStack(this, 'LogArchive', {
      ...common,
      description: `${c.tags.application} ${c.name}: log key and log stores`,
      wafLogGroupName: wafLogGroupName(c.tags.application, c.name),
      requestLogRetentionDays: REQUEST_LOG_RETENTION_DAYS,
    });
    this.network = new NetworkStack(this, 'Network', {
      ...common,
      description: `${c.tags.application} ${c.name}: private VPC, flow logs, endpoints`,
      cidr: c.vpcCidr,
      availabilityZones: c.availabilityZones,
      natGateways: c.natGateways,
      logKey: this.logArchive.logKey.key,
    });
    this.ingress = new IngressStack(this, 'Ingress', {
      ...common,
      description: `${c.tags.application} ${c.name}: WAF and the public ALB, the only ingress`,
      vpc: this.network.network.vpc,
      ingress: c.ingress,
      waf: c.waf,
      requestLogBucket: this.logArchive.requestLogBucket.bucket,
      wafLogGroup: this.logArchive.wafLogGroup.logGroup,
    });

    this.alerting = new AlertingStack(this, 'Alerting', {
      ...common,
      description: `${c.tags.application} ${c.name}: alarm topic`,
      alarmEmails: c.alarmEmails,
    });
    // What the log archive and the alerting stack give every stack that keeps or watches something.
    const logsAndAlarms = {
      logKey: this.logArchive.logKey.key,
      accessLogBucket: this.logArchive.accessLogBucket.bucket,
      alarmTopic: this.alerting.alarmTopic.topic,
    };
    this.dr = new DrStack(this, 'DisasterRecovery', {
      ...common,
      env: { account: c.account, region: c.drRegion },
      description: `${c.tags.application} ${c.name}: DR-region keys, backup vault and replica bucket`,
      environmentName: c.name,
      keyAliasNames: aliases,
      backupVaultName: dr.backupVaultName,
      vaultLock,
      replicaBucketName: dr.replicaBucketName,
    });
    this.data = new DataStack(this, 'Data', {
      ...common,
      description: `${c.tags.application} ${c.name}: keys, customer data bucket, PostgreSQL, backups`,
      environmentName: c.name,
      keyAliasNames: aliases,
      dataBucketName: dataBucket,
      maxSignatureAge,
      dr,
      database: c.database,
      databaseIdentifier: dbInstanceIdentifier(app, c.name),
      backup: c.backup,
      vaultLock,
      fleetRoleName: fleetRole,
      erasureLogGroupName: erasureLogGroupName(app, c.name),
      vpc: this.network.network.vpc,
      appClients: this.ingress.entry.fleetSecurityGroup,
      ...logsAndAlarms,
    });
    // Replication and backup copies name the DR bucket and vault: they must exist first.
    this.data.addStackDependency(this.dr, 'replica bucket and DR vault receive data from this stack');

    this.audit = new AuditStack(this, 'Audit', {
      ...common,
      description: `${c.tags.application} ${c.name}: audit trail, security alarms, detection, access roles`,
      accountTrail: c.audit.accountTrail
        ? {
            lockMode: vaultLock.lockMode,
            sessionTranscriptBucketName: sessionTranscriptBucketName(app, c.name, c.account, c.region, c.nameSuffix),
          }
        : undefined,
      manage: c.audit.manage,
      access: c.access,
      ...logsAndAlarms,
      dataEventBuckets: [this.data.dataBucket.bucket],
    });
    this.image = new ImageStack(this, 'Image', {
      ...common,
      description: `${c.tags.application} ${c.name}: golden-image pipeline`,
      environmentName: c.name,
      namePrefix: `${app}-${c.name}`,
      image: c.image,
      rootVolumeGiB: c.fleet.rootVolumeGiB,
      imagesKeyAliasName: aliases.images,
      drRegion: c.drRegion,
      fleetLogGroupPrefix: fleetLogs,
      amiParameterName,
      rebuildPendingParameterName: rebuildPendingParameterName(app, c.name),
      releases: {
        bucketName: releaseBucketName(app, c.name, c.account, c.region, c.nameSuffix),
        bucketParameterName: releaseBucketParameterName(app, c.name),
        recordParameterName: releaseParameterName(app, c.name),
      },
      vpc: this.network.network.vpc,
      components: props.components ?? loadComponents(),
      ...logsAndAlarms,
    });
    // The DR images key must exist before the pipeline distributes an AMI there.
    this.image.addStackDependency(this.dr, 'AMIs are copied to the DR region under its images key');
    this.app = new AppStack(this, 'App', {
      ...common,
      description: `${c.tags.application} ${c.name}: immutable app fleet and rollout`,
      fleet: c.fleet,
      appPort: c.ingress.appPort,
      maxSignatureAge,
      amiParameterName,
      fleetRoleName: fleetRole,
      fleetLogGroupPrefix: fleetLogs,
      fleetHealthAlarmNames: healthAlarms,
      vpc: this.network.network.vpc,
      fleetSecurityGroup: this.ingress.entry.fleetSecurityGroup,
      targetGroup: this.ingress.entry.targetGroup,
      imagesKey: this.image.imagesKey.key,
      imageArnPrefix: this.image.pipeline.imageArnPrefix(),
      dataBucketName: dataBucket,
      dataKey: this.data.objectsKey.key,
      logKey: this.logArchive.logKey.key,
      alarmTopic: this.alerting.alarmTopic.topic,
      alarmTopicKey: this.alerting.alertsKey.key,
      releases: this.image.releases,
      pipeline: props.pipelineAccount
        ? {
            account: props.pipelineAccount,
            rolePrefix: pipelineName(app),
            releaseRoleName: releaseRoleName(app, c.name),
          }
        : undefined,
      releaseKey: this.image.imagesKey.key,
      database: {
        endpointAddress: this.data.database.instance.dbInstanceEndpointAddress,
        port: this.data.database.port,
        instanceResourceId: this.data.database.instance.instanceResourceId!,
        masterSecretArn: (this.data.database.instance.node.defaultChild as rds.CfnDBInstance)
          .attrMasterUserSecretSecretArn,
        key: this.data.databaseKey.key,
      },
      sessionLogging: this.audit.sessionLogging
        ? { bucketName: this.audit.sessionLogging.bucketName, key: this.audit.sessionLogging.key }
        : undefined,
    });
    // The launch template resolves the golden AMI parameter: the bootstrap image must be built first.
    this.app.addStackDependency(this.image, 'the fleet launches from the image the pipeline publishes');

    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      ...common,
      description: `${c.tags.application} ${c.name}: operational alarms`,
      loadBalancer: this.ingress.entry.loadBalancer,
      targetGroup: this.ingress.entry.targetGroup,
      fleetHealthAlarmNames: healthAlarms,
      database: this.data.database.instance,
      allocatedStorageGiB: c.database.allocatedStorageGiB,
      alarmTopic: this.alerting.alarmTopic.topic,
    });

    // LOG-3: every log group is encrypted and kept as long as config says (at least a year).
    Aspects.of(this).add(new LogGroupPolicy(c.audit.logRetentionDays));

    // DATA-8: the four tags on every taggable resource, CDK's generated provider resources included.
    applyRequiredTags(this, environmentTags(c));
  }
}

/** The lock of both backup vaults (DATA-3): compliance mode in production; bounds from the shortest and longest rule. */
function vaultLockOf(c: EnvironmentConfig): VaultLock {
  const retentions = [c.backup.twiceDailyRetentionDays, c.backup.dailyRetentionDays];
  return {
    lockMode: c.production ? 'compliance' : 'governance',
    minRetention: Duration.days(Math.min(...retentions)),
    maxRetention: Duration.days(Math.max(...retentions)),
  };
}
