import { Match, Template } from 'aws-cdk-lib/assertions';
import { AlarmTopic } from '../../lib/constructs/alarm-topic';
import { newTestStack, TEST_ENV, testKey } from '../helpers/construct';

describe('AlarmTopic (LOG-4)', () => {
  const stack = newTestStack();
  const key = testKey(stack);
  new AlarmTopic(stack, 'Alarms', { emails: ['a@example.com', 'b@example.com'], encryptionKey: key });
  const t = Template.fromStack(stack);

  test('encrypted with the customer key given', () => {
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: stack.resolve(key.keyArn) });
  });

  test('every address subscribes by email', () => {
    t.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const e of ['a@example.com', 'b@example.com'])
      t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: e });
  });

  test('publishing needs TLS, and only alarms and events of this account may publish', () => {
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'events.amazonaws.com'] },
            Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account } },
          }),
        ]),
      },
    });
  });
});
