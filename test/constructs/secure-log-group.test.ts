import { Template } from 'aws-cdk-lib/assertions';
import { LOG_RETENTION_DAYS } from '../../lib/config/retention';
import { SecureLogGroup } from '../../lib/constructs/secure-log-group';
import { newTestStack, testKey } from '../helpers/construct';

describe('SecureLogGroup (LOG-3)', () => {
  const stack = newTestStack();
  const key = testKey(stack);
  new SecureLogGroup(stack, 'Logs', { encryptionKey: key, logGroupName: '/test/logs' });
  const t = Template.fromStack(stack);

  test('encrypted with the customer key given, kept for the retention of the project', () => {
    expect(LOG_RETENTION_DAYS).toBeGreaterThanOrEqual(365);
    t.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: stack.resolve(key.keyArn),
      RetentionInDays: LOG_RETENTION_DAYS,
      LogGroupName: '/test/logs',
    });
  });

  test('kept when the stack is deleted', () => {
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
