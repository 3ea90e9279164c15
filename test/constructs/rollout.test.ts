import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { REFRESH_EVENTS, Rollout } from '../../lib/constructs/rollout';
import { newTestStack, testKey, testVpc } from '../helpers/construct';

describe('Rollout (IMM-2, IMM-4)', () => {
  const stack = newTestStack();
  const vpc = testVpc(stack);
  const instanceRole = new iam.Role(stack, 'NodeRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const launchTemplate = new ec2.LaunchTemplate(stack, 'Template', {
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    instanceType: new ec2.InstanceType('t3.small'),
    role: instanceRole,
  });
  const autoScalingGroup = new autoscaling.AutoScalingGroup(stack, 'Group', { vpc, launchTemplate });
  const alarmTopicKey = testKey(stack, 'AlertsKey');
  new Rollout(stack, 'Rollout', {
    vpc,
    autoScalingGroup,
    launchTemplate,
    instanceRole,
    amiParameterName: '/test/golden-ami',
    imageArnPrefix: 'arn:aws:imagebuilder:eu-west-1:111111111111:image/test-',
    instanceWarmup: Duration.minutes(5),
    alarmTopic: new sns.Topic(stack, 'Topic'),
    alarmTopicKey,
    logKey: testKey(stack, 'LogKey'),
    alarmNames: ['a', 'b'],
  });
  const t = Template.fromStack(stack);

  test('a new image of our pipeline, and the end of every refresh of our group, invoke the function', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.imagebuilder'],
        'detail-type': ['EC2 Image Builder Image State Change'],
        resources: [{ prefix: 'arn:aws:imagebuilder:eu-west-1:111111111111:image/test-' }],
        detail: { state: { status: ['AVAILABLE'] } },
      },
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.autoscaling'],
        'detail-type': [...REFRESH_EVENTS],
        detail: { AutoScalingGroupName: [stack.resolve(autoScalingGroup.autoScalingGroupName)] },
      },
    });
  });

  test('the function may refresh only our group and launch only from our template; no wildcard action', () => {
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap(
      (p) =>
        p.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }[],
    );
    const refresh = statements.find((s) => [s.Action].flat().includes('autoscaling:StartInstanceRefresh'))!;
    expect(JSON.stringify(refresh.Resource)).toContain('autoScalingGroupName/');
    expect(JSON.stringify(refresh.Resource)).toContain(
      JSON.stringify(stack.resolve(autoScalingGroup.autoScalingGroupName)),
    );
    const run = statements.find((s) => [s.Action].flat().includes('ec2:RunInstances'))!;
    expect(JSON.stringify(run.Condition)).toMatch(/"ArnLike":\{"ec2:LaunchTemplate":.*launch-template\//);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a) => a.includes('*'))).toEqual([]);
  });

  test('the dead-letter queue is under the alerts key', () => {
    t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: stack.resolve(alarmTopicKey.keyArn) });
  });
});
