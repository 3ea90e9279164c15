import { ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import type * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { acknowledge, wildcardResource } from '../compliance/acknowledge';

export interface ReleaseRoleProps {
  /** The role's fixed name, which the delivery pipeline assumes. */
  readonly roleName: string;
  /** The tooling account the delivery pipeline runs in. */
  readonly pipelineAccount: string;
  /** The pipeline's roles, by name prefix (its stack name): no person's role can assume this one. */
  readonly pipelineRolePrefix: string;
  readonly releaseBucketName: string;
  /** Key of the release artifacts. */
  readonly releaseKey: kms.IKey;
  readonly recordParameterName: string;
  readonly bucketParameterName: string;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly launchTemplate: ec2.LaunchTemplate;
  /** The fleet's instance role, which new launch template versions pass to nodes. */
  readonly instanceRole: iam.IRole;
}

/**
 * The role the delivery pipeline assumes to run `npm run release` in this
 * environment (IMM-9, SDLC-2): upload a release, add a launch template
 * version, record it and start the alarm-gated refresh. Nothing else: it
 * cannot deploy stacks or change the release bucket's settings.
 */
export class ReleaseRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReleaseRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName,
      // A machine role: only the pipeline's own roles may assume it (so IAM-1's MFA rule is not for it).
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount).withConditions({
        ArnLike: {
          'aws:PrincipalArn': `arn:${Aws.PARTITION}:iam::${props.pipelineAccount}:role/${props.pipelineRolePrefix}-*`,
        },
      }),
      description: 'Delivery pipeline: ships application releases to this environment (npm run release)',
    });
    const parameter = (name: string) =>
      stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') });
    const asgName = props.autoScalingGroup.autoScalingGroupName;
    const launchTemplateArn = stack.formatArn({
      service: 'ec2',
      resource: 'launch-template',
      resourceName: props.launchTemplate.launchTemplateId!,
    });
    const statements = [
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [parameter(props.bucketParameterName), parameter(props.recordParameterName)],
      }),
      new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [parameter(props.recordParameterName)] }),
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [`arn:${Aws.PARTITION}:s3:::${props.releaseBucketName}/releases/*`],
      }),
      // Without ListBucket a missing release answers 403 instead of 404.
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [`arn:${Aws.PARTITION}:s3:::${props.releaseBucketName}`],
      }),
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.releaseKey.keyArn],
      }),
      new iam.PolicyStatement({
        actions: ['autoscaling:StartInstanceRefresh', 'autoscaling:UpdateAutoScalingGroup'],
        resources: [
          stack.formatArn({
            service: 'autoscaling',
            resource: 'autoScalingGroup',
            resourceName: `*:autoScalingGroupName/${asgName}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
      new iam.PolicyStatement({
        // These Describe APIs have no resource-level permissions.
        actions: [
          'autoscaling:DescribeAutoScalingGroups',
          'autoscaling:DescribeInstanceRefreshes',
          'ec2:DescribeLaunchTemplateVersions',
          'cloudwatch:DescribeAlarms',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ actions: ['ec2:CreateLaunchTemplateVersion'], resources: [launchTemplateArn] }),
      new iam.PolicyStatement({
        // Starting a refresh checks that the caller could launch from the template.
        actions: ['ec2:RunInstances', 'ec2:CreateTags'],
        resources: ['*'],
        conditions: { ArnLike: { 'ec2:LaunchTemplate': launchTemplateArn } },
      }),
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.instanceRole.roleArn] }),
    ];
    for (const s of statements) this.role.addToPrincipalPolicy(s);
    const asgId = stack.getLogicalId(props.autoScalingGroup.node.defaultChild as autoscaling.CfnAutoScalingGroup);
    acknowledge(
      this.role,
      'IAM-2',
      'release objects are named at release time under releases/; Describe calls have no resource-level permissions; RunInstances/CreateTags only for launches from the fleet launch template; the group ARN has a random UUID so it is matched by name',
      'AwsSolutions-IAM5[Resource::*]',
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${props.releaseBucketName}/releases/*]`,
      ...wildcardResource(
        stack,
        `autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/<${asgId}>`,
      ),
      'compliance:IAMNoInlinePolicy',
    );
  }
}
