import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as sns from 'aws-cdk-lib/aws-sns';
import { OPERATIONAL_THRESHOLDS, OperationalAlarms } from '../../lib/constructs/operational-alarms';
import { newTestStack, testVpc } from '../helpers/construct';

describe('OperationalAlarms (LOG-4)', () => {
  const stack = newTestStack();
  const vpc = testVpc(stack);
  const alarmTopic = new sns.Topic(stack, 'Topic');
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Targets', {
    vpc,
    port: 8443,
    targetType: elbv2.TargetType.INSTANCE,
  });
  loadBalancer.addListener('Http', { port: 80, defaultTargetGroups: [targetGroup] });
  new OperationalAlarms(stack, 'Ops', {
    loadBalancer,
    targetGroup,
    database: new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: new ec2.InstanceType('t4g.medium'),
      vpc,
    }),
    allocatedStorageGiB: 100,
    alarmTopic,
    fleetHealthAlarmNames: { target5xx: 'test-target-5xx', unhealthyTargets: 'test-unhealthy' },
  });
  const t = Template.fromStack(stack);
  const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);

  test('ALB and target 5xx, unhealthy targets, and database CPU, storage and connections, each to the topic', () => {
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(
      [
        'CPUUtilization',
        'DatabaseConnections',
        'FreeStorageSpace',
        'HTTPCode_ELB_5XX_Count',
        'HTTPCode_Target_5XX_Count',
        'UnHealthyHostCount',
      ].sort(),
    );
    for (const a of alarms) expect(a.AlarmActions).toEqual([stack.resolve(alarmTopic.topicArn)]);
  });

  test('the fleet-health alarms carry the names the release CLI watches', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-target-5xx',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Threshold: OPERATIONAL_THRESHOLDS.target5xxPer5Min,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'test-unhealthy',
      MetricName: 'UnHealthyHostCount',
      Threshold: OPERATIONAL_THRESHOLDS.unhealthyTargets,
    });
  });

  test('free storage alarms below the configured share of the allocated storage', () => {
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 100 * 1024 ** 3 * OPERATIONAL_THRESHOLDS.dbFreeStorageShare,
    });
  });
});
