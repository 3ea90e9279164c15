import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  SECURITY_EVENT_PATTERNS,
  SECURITY_METRIC_NAMESPACE,
  SecurityAlarms,
} from '../../lib/constructs/security-alarms';
import { newTestStack } from '../helpers/construct';

describe('SecurityAlarms (LOG-4)', () => {
  const stack = newTestStack();
  const trailLogGroup = new logs.LogGroup(stack, 'TrailLogs');
  const alarmTopic = new sns.Topic(stack, 'Topic');
  new SecurityAlarms(stack, 'Security', { trailLogGroup, alarmTopic });
  const t = Template.fromStack(stack);
  const events = Object.entries(SECURITY_EVENT_PATTERNS);

  test.each(events)('%s: a metric filter on the trail log group', (name, pattern) => {
    t.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: stack.resolve(trailLogGroup.logGroupName),
      FilterPattern: pattern,
      MetricTransformations: [{ MetricNamespace: SECURITY_METRIC_NAMESPACE, MetricName: name, MetricValue: '1' }],
    });
  });

  test('one alarm per event, on the first occurrence, to the topic given', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(events.length);
    for (const a of alarms)
      expect(a.Properties).toMatchObject({
        Threshold: 1,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [stack.resolve(alarmTopic.topicArn)],
      });
  });
});
