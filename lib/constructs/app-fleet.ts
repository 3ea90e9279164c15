import { ArnFormat, type Duration, Fn, Stack, Tags, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledge, wildcardResource } from '../compliance/acknowledge';
import { COMPONENT_TAG, COMPONENTS } from '../config/naming';
import { type AppEnvName, RELEASE_TAG, renderBootScript } from '../release/contract';
import { EncryptionKey } from './encryption-key';
import { bucketArnOf } from './secure-bucket';

/** Where Session Manager transcripts go (LOG-6). */
export interface SessionLoggingTarget {
  readonly bucketName: string;
  readonly key: kms.IKey;
}

export interface AppFleetProps {
  readonly vpc: ec2.IVpc;
  /** The fleet's security group, reachable only from the ALB (created with the front door). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** The ALB target group the fleet joins; its health checks decide instance health. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /** SSM parameter with the golden AMI ID, resolved by CloudFormation at deploy time into a literal ID. */
  readonly amiParameterName: string;
  readonly instanceType: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Nodes are replaced after this long even without a new image (IMM-3). */
  readonly maxInstanceLifetime: Duration;
  readonly instanceWarmup: Duration;
  readonly rootVolumeGiB: number;
  /** Key of the root volumes (the images key). */
  readonly volumeKey: kms.IKey;
  /** Launch errors notify the alarm topic. */
  readonly alarmTopic: sns.ITopic;
  /** The instance role's fixed name: the data bucket policy admits it by name. */
  readonly roleName: string;
  /** What every node boots into (IMM-9). */
  readonly boot: FleetBootProps;
}

/** The release a node fetches at boot and the environment its service gets (IMM-9). */
export interface FleetBootProps {
  /**
   * SSM parameter recording the current release (`<version> <sha256>`).
   * CloudFormation resolves it at deploy time into a literal in the launch
   * template, so a deploy keeps the release the release CLI shipped.
   */
  readonly recordParameterName: string;
  /** The release bucket's name. */
  readonly releaseBucket: string;
  /** The service's environment (lib/release/contract.ts APP_ENV). */
  readonly env: Readonly<Record<AppEnvName, string>>;
}

/**
 * The immutable app fleet (IMM-2, IMM-3, IMM-6, IMM-7).
 *
 * An Auto Scaling group in the private subnets of every AZ, registered in the
 * ALB target group with ELB health checks. Its launch template runs the golden
 * AMI with IMDSv2 required (hop limit 1), an encrypted root volume under the
 * customer key, no key pair, detailed monitoring and a least-privilege role
 * (Session Manager and the CloudWatch agent). Nodes live at most the
 * configured lifetime. The group always names an explicit launch template
 * version, so instance refreshes can roll back automatically.
 */
export class AppFleet extends Construct {
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly launchTemplate: ec2.LaunchTemplate;
  readonly role: iam.Role;
  /** The release the launch template names: `<version> <sha256>`, resolved by CloudFormation at deploy time. */
  readonly release: string;

  constructor(scope: Construct, id: string, props: AppFleetProps) {
    super(scope, id);
    this.release = ssm.StringParameter.valueForStringParameter(this, props.boot.recordParameterName);

    this.role = new iam.Role(this, 'InstanceRole', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'App fleet nodes: Session Manager, CloudWatch agent',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchAgentServerPolicy'),
      ],
    });
    acknowledge(
      this.role,
      'IAM-2',
      'Session Manager (the only shell access, LOG-6) and the CloudWatch agent (LOG-3) need these AWS-maintained policies; nodes have no other AWS permissions unless granted one by one',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchAgentServerPolicy]',
    );

    this.launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ec2.MachineImage.fromSsmParameter(props.amiParameterName),
      instanceType: new ec2.InstanceType(props.instanceType),
      role: this.role,
      securityGroup: props.securityGroup,
      userData: ec2.UserData.custom(
        renderBootScript(this.release, {
          releaseBucket: props.boot.releaseBucket,
          region: Stack.of(this).region,
          env: props.boot.env,
        }),
      ),
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: false,
      detailedMonitoring: true,
      associatePublicIpAddress: false,
      blockDevices: [
        {
          deviceName: '/dev/xvda',
          volume: ec2.BlockDeviceVolume.ebs(props.rootVolumeGiB, {
            encrypted: true,
            kmsKey: props.volumeKey,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, 'Resource', {
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate: this.launchTemplate,
      minCapacity: props.minCapacity,
      maxCapacity: props.maxCapacity,
      maxInstanceLifetime: props.maxInstanceLifetime,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        gracePeriod: props.instanceWarmup,
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
      }),
      defaultInstanceWarmup: props.instanceWarmup,
      // A deploy that changes the launch template refreshes the same way the rollout does.
      updatePolicy: autoscaling.UpdatePolicy.instanceRefresh({
        strategy: autoscaling.InstanceRefreshStrategy.ROLLING,
        minHealthyPercentage: 100,
        maxHealthyPercentage: 200,
        instanceWarmup: props.instanceWarmup,
        skipMatching: true,
      }),
      notifications: [{ topic: props.alarmTopic, scalingEvents: autoscaling.ScalingEvents.ERRORS }],
      groupMetrics: [autoscaling.GroupMetrics.all()],
      terminationPolicies: [
        autoscaling.TerminationPolicy.OLDEST_LAUNCH_TEMPLATE,
        autoscaling.TerminationPolicy.OLDEST_INSTANCE,
      ],
    });
    this.autoScalingGroup.attachToApplicationTargetGroup(props.targetGroup);
    // The AutoScalingInstanceRefresh update policy is newer than the cfn-lint on the build
    // image, which reports it as unknown (E3016); every other check still runs on the group.
    (this.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup).addMetadata('cfn-lint', {
      config: { ignore_checks: ['E3016'] },
    });
    Tags.of(this.autoScalingGroup).add(COMPONENT_TAG, COMPONENTS.fleet, { applyToLaunchedInstances: true });
    Tags.of(this.launchTemplate).add(COMPONENT_TAG, COMPONENTS.fleet);
    // Each node carries the release version it booted with (verify compares it with the record).
    Tags.of(this.launchTemplate).add(RELEASE_TAG, Fn.select(0, Fn.split(' ', this.release)));
    acknowledge(
      this.autoScalingGroup,
      'LOG-4',
      'launch and terminate errors notify the alarm topic; routine launches and terminations (every node is replaced every few days, IMM-3) would bury real alarms',
      'AwsSolutions-AS3',
    );
  }

  /**
   * Lets nodes encrypt sessions and write their transcripts (LOG-6): decrypt
   * with the session key, put objects under `sessions/` of the transcript bucket.
   */
  allowSessionLogging(target: SessionLoggingTarget): void {
    EncryptionKey.grantEnvelope(target.key, this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [bucketArnOf(this, target.bucketName, 'sessions/*')],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetEncryptionConfiguration'],
        resources: [bucketArnOf(this, target.bucketName)],
      }),
    );
    acknowledge(
      this.role,
      'IAM-2',
      'session transcripts are new objects under sessions/ of the transcript bucket, named at run time',
      ...wildcardResource(Stack.of(this), `s3:::${target.bucketName}/sessions/*`),
    );
  }

  /** Lets the service log in to the database as `user` with an RDS IAM token (no password anywhere). */
  allowDatabaseLogin(instanceResourceId: string, user: string): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['rds-db:connect'],
        resources: [
          Stack.of(this).formatArn({
            service: 'rds-db',
            resource: 'dbuser',
            resourceName: `${instanceResourceId}/${user}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }

  /** Lets the boot-time migration read the RDS-managed master secret (DB_MASTER_SECRET_ARN) and decrypt it. */
  allowMasterSecretRead(secretArn: string, key: kms.IKey): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
    );
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
  }

  /**
   * Lets the app read, write and delete objects of a bucket encrypted with
   * `key`, with named actions only (IAM-2), so it can serve signed URLs.
   */
  allowObjectReadWrite(bucket: { readonly bucketName: string }, key: kms.IKey): void {
    if (Token.isUnresolved(bucket.bucketName)) {
      throw new Error(
        `AppFleet ${this.node.path}: allowObjectReadWrite needs a bucket with a fixed name (IAM-2 grants name its objects)`,
      );
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucketArnOf(this, bucket.bucketName)],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
        resources: [bucketArnOf(this, bucket.bucketName, '*')],
      }),
    );
    EncryptionKey.grantEnvelope(key, this.role);
    acknowledge(
      this.role,
      'IAM-2',
      'customer objects are created at run time, so the app role names the bucket\'s objects with "/*"; actions are listed one by one',
      ...wildcardResource(Stack.of(this), `s3:::${bucket.bucketName}/*`),
      'compliance:IAMNoInlinePolicy',
    );
  }
}
