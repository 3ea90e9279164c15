import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { privateFunction } from '../../lib/constructs/private-function';
import { newTestStack, testKey, testVpc } from '../helpers/construct';
import { ROOT } from '../helpers/app';

describe('privateFunction (IAM-2, LOG-3, DATA-6)', () => {
  const stack = newTestStack();
  const vpc = testVpc(stack);
  const queueKey = testKey(stack, 'QueueKey');
  const logKey = testKey(stack, 'LogKey');
  privateFunction(new Construct(stack, 'Worker'), {
    vpc,
    entry: path.join(ROOT, 'lib', 'rollout', 'rebuild-handler.ts'),
    name: 'Test worker',
    description: 'a test',
    environment: { MODE: 'test' },
    queueKey,
    logKey,
    deadLetters: { control: 'IMM-10', reason: 'a test' },
  });
  const t = Template.fromStack(stack);

  test('one at a time, in the private subnets, with a dead-letter queue and its log group', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 1,
      VpcConfig: Match.objectLike({ SubnetIds: vpc.privateSubnets.map((s) => stack.resolve(s.subnetId)) }),
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
      Environment: { Variables: { MODE: 'test' } },
    });
  });

  test('its security group lets it out on HTTPS only and nothing in', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Test worker: HTTPS to AWS APIs only',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' })],
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('the dead-letter queue is under the queue key and refuses plain HTTP; the logs are under the log key', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: stack.resolve(queueKey.keyArn),
      MessageRetentionPeriod: 14 * 86400,
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve(logKey.keyArn) });
  });
});
