import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { FLEET_LOG_GROUPS } from '../config/naming';
import { APP_DB_USER, NODE_PATHS } from '../release/contract';
import { ReleaseRole } from '../constructs/release-role';
import type { ReleaseStore } from '../constructs/release-store';
import { SecureLogGroup } from '../constructs/secure-log-group';
import type { FleetConfig } from '../config/schema';
import { AppFleet, type SessionLoggingTarget } from '../constructs/app-fleet';
import { Rollout } from '../constructs/rollout';

export interface AppStackProps extends StackProps {
  /** Size, lifetime and warm-up of the fleet (IMM-2, IMM-3, IMM-7). */
  readonly fleet: FleetConfig;
  /** Port on which the service serves HTTPS to the ALB. */
  readonly appPort: number;
  /** The longest signature age the data bucket accepts (DATA-2): signed URLs never outlive it. */
  readonly maxSignatureAge: Duration;
  /** The SSM parameter with the newest golden AMI ID; the fleet launches from it and the rollout watches it. */
  readonly amiParameterName: string;
  /** The fleet's instance role's fixed name: the data bucket policy admits it by name (DATA-2). */
  readonly fleetRoleName: string;
  /** Prefix of the fleet's log groups, which the image's CloudWatch agent writes to. */
  readonly fleetLogGroupPrefix: string;
  /** Fixed names of the fleet-health alarms every instance refresh watches (IMM-9). */
  readonly fleetHealthAlarmNames: { readonly target5xx: string; readonly unhealthyTargets: string };
  readonly vpc: ec2.IVpc;
  readonly fleetSecurityGroup: ec2.ISecurityGroup;
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  readonly imagesKey: kms.IKey;
  readonly imageArnPrefix: string;
  /** The customer data bucket's fixed name. */
  readonly dataBucketName: string;
  readonly dataKey: kms.IKey;
  readonly logKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  readonly alarmTopicKey: kms.IKey;
  /** Where releases live (IMM-9); nodes fetch theirs at boot. */
  readonly releases: ReleaseStore;
  /** The key of the release artifacts (the images key). */
  readonly releaseKey: kms.IKey;
  /** The database the service logs in to with IAM tokens; its master secret is read by the migration only. */
  readonly database: AppDatabase;
  /**
   * The delivery pipeline, which ships releases through the release role: its
   * account, the prefix of its roles' names, and the release role's fixed name.
   * @default - no release role: releases are shipped by operators only
   */
  readonly pipeline?: {
    readonly account: string;
    readonly rolePrefix: string;
    readonly releaseRoleName: string;
  };
  /**
   * Where Session Manager writes transcripts, when this environment holds the account's preferences.
   * @default - nodes get no session-logging grants
   */
  readonly sessionLogging?: SessionLoggingTarget;
}

/** What the service needs to know of the database, as literals or tokens. */
export interface AppDatabase {
  readonly endpointAddress: string;
  readonly port: number;
  /** `DbiResourceId`, which IAM database authentication names. */
  readonly instanceResourceId: string;
  readonly masterSecretArn: string;
  /** Key of the master secret. */
  readonly key: kms.IKey;
}

/** Signed URLs the service hands out live at most this long, and never longer than the bucket accepts (DATA-2). */
export const UPLOAD_URL_TTL_SECONDS = 300;
/** The application's database; its migration creates it (the instance itself has only `postgres`). */
export const APP_DATABASE_NAME = 'app';

/** The immutable app fleet and the workflow that replaces it on every new image (IMM-2, IMM-3, IMM-6, IMM-7). */
export class AppStack extends Stack {
  readonly fleet: AppFleet;
  readonly rollout: Rollout;
  /** Assumed by the delivery pipeline to ship releases, when there is a pipeline. */
  readonly releaseRole?: ReleaseRole;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const fleet = props.fleet;
    const amiParameterName = props.amiParameterName;
    const instanceWarmup = Duration.seconds(fleet.instanceWarmupSeconds);

    this.fleet = new AppFleet(this, 'Fleet', {
      vpc: props.vpc,
      securityGroup: props.fleetSecurityGroup,
      targetGroup: props.targetGroup,
      amiParameterName,
      instanceType: fleet.instanceType,
      minCapacity: fleet.minCapacity,
      maxCapacity: fleet.maxCapacity,
      maxInstanceLifetime: Duration.days(fleet.maxInstanceLifetimeDays),
      instanceWarmup,
      rootVolumeGiB: fleet.rootVolumeGiB,
      volumeKey: props.imagesKey,
      alarmTopic: props.alarmTopic,
      roleName: props.fleetRoleName,
      boot: {
        recordParameterName: props.releases.recordParameterName,
        releaseBucket: props.releases.bucket.bucketName,
        env: {
          PORT: String(props.appPort),
          TLS_CERT: NODE_PATHS.tlsCert,
          TLS_KEY: NODE_PATHS.tlsKey,
          RELEASE_FILE: NODE_PATHS.releaseFile,
          AWS_REGION: this.region,
          DB_HOST: props.database.endpointAddress,
          DB_PORT: String(props.database.port),
          DB_NAME: APP_DATABASE_NAME,
          DB_USER: APP_DB_USER,
          DB_CA_FILE: NODE_PATHS.databaseCa,
          DB_MASTER_SECRET_ARN: props.database.masterSecretArn,
          DATA_BUCKET: props.dataBucketName,
          UPLOAD_URL_TTL_SECONDS: String(Math.min(UPLOAD_URL_TTL_SECONDS, props.maxSignatureAge.toSeconds())),
          LOG_DIR: NODE_PATHS.logDir,
        },
      },
    });
    props.releases.grantFetch(this.fleet.role, props.releaseKey);
    this.fleet.allowDatabaseLogin(props.database.instanceResourceId, APP_DB_USER);
    this.fleet.allowMasterSecretRead(props.database.masterSecretArn, props.database.key);
    if (props.pipeline) {
      this.releaseRole = new ReleaseRole(this, 'ReleaseRole', {
        roleName: props.pipeline.releaseRoleName,
        pipelineAccount: props.pipeline.account,
        pipelineRolePrefix: props.pipeline.rolePrefix,
        releaseBucketName: props.releases.bucketName,
        releaseKey: props.releaseKey,
        recordParameterName: props.releases.recordParameterName,
        bucketParameterName: props.releases.bucketParameterName,
        autoScalingGroup: this.fleet.autoScalingGroup,
        launchTemplate: this.fleet.launchTemplate,
        instanceRole: this.fleet.role,
      });
    }
    // Customer uploads are read and written by the app only (it issues the short-lived signed URLs, DATA-2).
    this.fleet.allowObjectReadWrite({ bucketName: props.dataBucketName }, props.dataKey);

    // LOG-3: the CloudWatch agent baked into the image writes to these groups; they exist
    // before any node does, encrypted and with retention.
    SecureLogGroup.forEachName(this, 'FleetLogs', {
      encryptionKey: props.logKey,
      prefix: props.fleetLogGroupPrefix,
      names: FLEET_LOG_GROUPS,
    });
    if (props.sessionLogging) this.fleet.allowSessionLogging(props.sessionLogging);

    this.rollout = new Rollout(this, 'Rollout', {
      vpc: props.vpc,
      autoScalingGroup: this.fleet.autoScalingGroup,
      launchTemplate: this.fleet.launchTemplate,
      instanceRole: this.fleet.role,
      amiParameterName,
      imageArnPrefix: props.imageArnPrefix,
      instanceWarmup,
      alarmTopic: props.alarmTopic,
      alarmTopicKey: props.alarmTopicKey,
      logKey: props.logKey,
      alarmNames: Object.values(props.fleetHealthAlarmNames),
    });
  }
}
