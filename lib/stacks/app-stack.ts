import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { FLEET_LOG_GROUPS, fleetLogGroupPrefix, fleetRoleName, goldenAmiParameterName } from '../config/naming';
import { SecureLogGroup } from '../constructs/secure-log-group';
import type { EnvironmentConfig } from '../config/schema';
import { AppFleet, type SessionLoggingTarget } from '../constructs/app-fleet';
import { Rollout } from '../constructs/rollout';

export interface AppStackProps extends StackProps {
  readonly config: EnvironmentConfig;
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
  /**
   * Where Session Manager writes transcripts, when this environment holds the account's preferences.
   * @default - nodes get no session-logging grants
   */
  readonly sessionLogging?: SessionLoggingTarget;
}

/** The immutable app fleet and the workflow that replaces it on every new image (IMM-2, IMM-3, IMM-6, IMM-7). */
export class AppStack extends Stack {
  readonly fleet: AppFleet;
  readonly rollout: Rollout;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const c = props.config;
    const amiParameterName = goldenAmiParameterName(c.tags.application, c.name);
    const instanceWarmup = Duration.seconds(c.fleet.instanceWarmupSeconds);

    this.fleet = new AppFleet(this, 'Fleet', {
      vpc: props.vpc,
      securityGroup: props.fleetSecurityGroup,
      targetGroup: props.targetGroup,
      amiParameterName,
      instanceType: c.fleet.instanceType,
      minCapacity: c.fleet.minCapacity,
      maxCapacity: c.fleet.maxCapacity,
      maxInstanceLifetime: Duration.days(c.fleet.maxInstanceLifetimeDays),
      instanceWarmup,
      rootVolumeGiB: c.fleet.rootVolumeGiB,
      volumeKey: props.imagesKey,
      alarmTopic: props.alarmTopic,
      roleName: fleetRoleName(c.tags.application, c.name),
    });
    // Customer uploads are read and written by the app only (it issues the short-lived signed URLs, DATA-2).
    this.fleet.allowObjectReadWrite({ bucketName: props.dataBucketName }, props.dataKey);

    // LOG-3: the CloudWatch agent baked into the image writes to these groups; they exist
    // before any node does, encrypted and with retention.
    for (const name of FLEET_LOG_GROUPS) {
      new SecureLogGroup(this, `FleetLogs-${name}`, {
        encryptionKey: props.logKey,
        logGroupName: `${fleetLogGroupPrefix(c.tags.application, c.name)}/${name}`,
      });
    }
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
    });
  }
}
