import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { COMPONENT_TAG } from '../../lib/config/naming';
import { AppFleet } from '../../lib/constructs/app-fleet';
import { APP_ENV, type AppEnvName } from '../../lib/release/contract';
import { newTestStack, testKey, testVpc } from '../helpers/construct';

describe('AppFleet (IMM-2, IMM-3, IMM-6, IMM-7)', () => {
  const stack = newTestStack();
  const vpc = testVpc(stack);
  const volumeKey = testKey(stack, 'VolumeKey');
  new AppFleet(stack, 'Fleet', {
    vpc,
    securityGroup: new ec2.SecurityGroup(stack, 'FleetSg', { vpc }),
    targetGroup: new elbv2.ApplicationTargetGroup(stack, 'Targets', {
      vpc,
      port: 8443,
      targetType: elbv2.TargetType.INSTANCE,
    }),
    amiParameterName: '/test/golden-ami',
    instanceType: 't3.small',
    minCapacity: 2,
    maxCapacity: 4,
    maxInstanceLifetime: Duration.days(3),
    instanceWarmup: Duration.minutes(5),
    rootVolumeGiB: 20,
    volumeKey,
    alarmTopic: new sns.Topic(stack, 'Topic'),
    roleName: 'test-fleet',
    boot: {
      recordParameterName: '/test/release',
      releaseBucket: 'test-releases',
      env: Object.fromEntries(Object.keys(APP_ENV).map((k) => [k, 'x'])) as Record<AppEnvName, string>,
    },
  });
  const t = Template.fromStack(stack);
  const launchData = () => Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData;

  test('IMDSv2 only with hop limit 1, no public IP, no key pair, detailed monitoring', () => {
    expect(launchData()).toMatchObject({
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      NetworkInterfaces: [expect.objectContaining({ AssociatePublicIpAddress: false })],
      Monitoring: { Enabled: true },
    });
    expect(launchData().KeyName).toBeUndefined();
  });

  test('the root volume is encrypted with the customer key given', () => {
    expect(launchData().BlockDeviceMappings).toEqual([
      expect.objectContaining({
        Ebs: expect.objectContaining({
          Encrypted: true,
          KmsKeyId: stack.resolve(volumeKey.keyArn),
          DeleteOnTermination: true,
        }),
      }),
    ]);
  });

  test('nodes live at most the lifetime given, in private subnets, checked by the ELB, refreshed launch-before-terminate', () => {
    t.hasResource('AWS::AutoScaling::AutoScalingGroup', {
      Properties: Match.objectLike({
        MaxInstanceLifetime: 3 * 86400,
        HealthCheckType: 'ELB',
        VPCZoneIdentifier: vpc.privateSubnets.map((s) => stack.resolve(s.subnetId)),
        Tags: Match.arrayWith([{ Key: COMPONENT_TAG, Value: 'app-fleet', PropagateAtLaunch: true }]),
      }),
      UpdatePolicy: {
        AutoScalingInstanceRefresh: Match.objectLike({
          Strategy: 'Rolling',
          Preferences: Match.objectLike({ MinHealthyPercentage: 100, MaxHealthyPercentage: 200 }),
        }),
      },
    });
  });

  test('the instance role has Session Manager and the CloudWatch agent, nothing else managed', () => {
    const [role] = Object.values(t.findResources('AWS::IAM::Role', { Properties: { RoleName: 'test-fleet' } }));
    expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(
      /AmazonSSMManagedInstanceCore.*CloudWatchAgentServerPolicy/,
    );
    expect(role.Properties.ManagedPolicyArns).toHaveLength(2);
  });
});
