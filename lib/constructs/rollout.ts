import * as path from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, literalPartition } from '../compliance/acknowledge';
import { handlerCode } from './handler-bundle';
import { SecureLogGroup } from './secure-log-group';
import { EncryptionKey } from './encryption-key';

/** Instance refresh outcomes the rollout reacts to, as Auto Scaling names them in EventBridge. */
export const REFRESH_EVENTS = [
  'EC2 Auto Scaling Instance Refresh Succeeded',
  'EC2 Auto Scaling Instance Refresh Failed',
  'EC2 Auto Scaling Instance Refresh Cancelled',
] as const;

export interface RolloutProps {
  readonly vpc: ec2.IVpc;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  /** The fleet's launch template: the only one the function may add versions to. */
  readonly launchTemplate: ec2.LaunchTemplate;
  /** The fleet's instance role, which the new versions pass to instances. */
  readonly instanceRole: iam.IRole;
  readonly amiParameterName: string;
  /** ARN prefix of the images of our pipeline: other pipelines' images are ignored. */
  readonly imageArnPrefix: string;
  readonly instanceWarmup: Duration;
  readonly alarmTopic: sns.ITopic;
  /** The alarm topic's key, which publishers need. */
  readonly alarmTopicKey: kms.IKey;
  /** Key of the function's log group. */
  readonly logKey: kms.IKey;
  /** Fleet-health alarms whose ALARM state rolls a refresh back (IMM-9). */
  readonly alarmNames: readonly string[];
}

/**
 * The event-driven rollout (IMM-2, IMM-4): when the pipeline publishes a
 * golden image, a function points the fleet at it and starts an instance
 * refresh (launch before terminate, automatic rollback); when a refresh ends,
 * its outcome goes to the alarm topic and any rollout deferred meanwhile
 * starts. No human and no `cdk deploy` is involved.
 */
export class Rollout extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: RolloutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const asgName = props.autoScalingGroup.autoScalingGroupName;

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Rollout function: HTTPS to AWS APIs only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');

    const deadLetters = new sqs.Queue(this, 'DeadLetters', {
      // DATA-6: a customer key. The queue holds the events of failed rollouts, which also go to the
      // alarm topic: same data class (alerts), same key.
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.alarmTopicKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      deadLetters,
      'IMM-2',
      'this queue is itself the dead-letter queue of the rollout function; failed rollouts also notify the alarm topic',
      'AwsSolutions-SQS3',
    );

    const logGroup = new SecureLogGroup(this, 'Logs', { encryptionKey: props.logKey });
    // Bundled once per content hash of the handler and its imports, not on every synth (handler-bundle.ts).
    this.function = new lambda.Function(this, 'Function', {
      code: handlerCode(path.join(__dirname, '..', 'rollout', 'handler.ts'), {
        target: 'node22',
        externalModules: ['@aws-sdk/*'],
      }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      description: 'Rolls the app fleet onto each new golden image with an instance refresh',
      timeout: Duration.minutes(1),
      memorySize: 256,
      // One at a time: two rollouts must never interleave their launch template updates.
      reservedConcurrentExecutions: 1,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [securityGroup],
      logGroup: logGroup.logGroup,
      deadLetterQueue: deadLetters,
      environment: {
        ASG_NAME: asgName,
        AMI_PARAMETER: props.amiParameterName,
        TOPIC_ARN: props.alarmTopic.topicArn,
        INSTANCE_WARMUP_SECONDS: String(props.instanceWarmup.toSeconds()),
        ALARM_NAMES: props.alarmNames.join(','),
      },
    });

    const role = this.function.role!;
    const launchTemplateArn = stack.formatArn({
      service: 'ec2',
      resource: 'launch-template',
      resourceName: props.launchTemplate.launchTemplateId!,
    });
    // Auto Scaling group ARNs carry a random UUID, so the group is matched by name.
    const asgArn = stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: `*:autoScalingGroupName/${asgName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:StartInstanceRefresh'],
        resources: [asgArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // These Describe APIs do not support resource-level permissions.
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeInstanceRefreshes',
          'ec2:DescribeLaunchTemplateVersions',
        ],
        resources: ['*'],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ec2:CreateLaunchTemplateVersion'], resources: [launchTemplateArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // UpdateAutoScalingGroup checks that the caller could launch from the template.
        actions: ['ec2:RunInstances', 'ec2:CreateTags'],
        resources: ['*'],
        conditions: { ArnLike: { 'ec2:LaunchTemplate': launchTemplateArn } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.instanceRole.roleArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: props.amiParameterName.replace(/^\//, ''),
          }),
        ],
      }),
    );
    // Not topic.grantPublish: for an encrypted topic it adds kms:GenerateDataKey* (IAM-2: no wildcard actions).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [props.alarmTopic.topicArn] }),
    );
    EncryptionKey.grantEnvelope(props.alarmTopicKey, role);

    // Lambda sends to the dead-letter queue as the function (it grants sqs:SendMessage itself); an encrypted
    // queue also needs a data key. Not queue.grantSendMessages: that adds kms:Encrypt and kms:ReEncrypt* too.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.alarmTopicKey.keyArn],
      }),
    );

    acknowledge(
      role,
      'IAM-2',
      'Describe calls of Auto Scaling and EC2 have no resource-level permissions; RunInstances/CreateTags are limited to launches from the fleet launch template; the group ARN has a random UUID so it is matched by name; the log group and key grants are CDK-generated',
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/<${stack.getLogicalId(props.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup)}>]`,
      `AwsSolutions-IAM5[Resource::arn:${literalPartition(stack)}:autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/<${stack.getLogicalId(props.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup)}>]`,
      'compliance:IAMNoInlinePolicy',
    );
    acknowledge(
      role,
      'IAM-2',
      'Lambda needs the AWS-managed basic and VPC execution policies to write logs and attach to the private subnets',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    );

    new events.Rule(this, 'OnNewImage', {
      description: 'A golden image of our pipeline became available: roll it out (IMM-4)',
      eventPattern: {
        source: ['aws.imagebuilder'],
        detailType: ['EC2 Image Builder Image State Change'],
        resources: [{ prefix: props.imageArnPrefix } as unknown as string],
        detail: { state: { status: ['AVAILABLE'] } },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });
    new events.Rule(this, 'OnRefreshEnded', {
      description: 'An instance refresh of the fleet ended: report it and start any deferred rollout (IMM-2)',
      eventPattern: {
        source: ['aws.autoscaling'],
        detailType: [...REFRESH_EVENTS],
        detail: { AutoScalingGroupName: [asgName] },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 4, maxEventAge: Duration.hours(6) })],
    });
  }
}
