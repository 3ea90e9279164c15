import * as path from 'node:path';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge, wildcardResource } from '../compliance/acknowledge';
import { imageStateChange } from './golden-image';
import { privateFunction } from './private-function';
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

    // DATA-6: the dead-letter queue holds the events of failed rollouts, which also go to the
    // alarm topic: same data class (alerts), same key.
    this.function = privateFunction(this, {
      vpc: props.vpc,
      entry: path.join(__dirname, '..', 'rollout', 'handler.ts'),
      name: 'Rollout function',
      description: 'Rolls the app fleet onto each new golden image with an instance refresh',
      environment: {
        ASG_NAME: asgName,
        AMI_PARAMETER: props.amiParameterName,
        TOPIC_ARN: props.alarmTopic.topicArn,
        INSTANCE_WARMUP_SECONDS: String(props.instanceWarmup.toSeconds()),
        ALARM_NAMES: props.alarmNames.join(','),
      },
      queueKey: props.alarmTopicKey,
      logKey: props.logKey,
      deadLetters: {
        control: 'IMM-2',
        reason:
          'this queue is itself the dead-letter queue of the rollout function; failed rollouts also notify the alarm topic',
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
      ...wildcardResource(
        stack,
        `autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/<${stack.getLogicalId(props.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup)}>`,
      ),
      'compliance:IAMNoInlinePolicy',
    );

    new events.Rule(this, 'OnNewImage', {
      description: 'A golden image of our pipeline became available: roll it out (IMM-4)',
      eventPattern: imageStateChange(props.imageArnPrefix, ['AVAILABLE']),
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
