import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DataBackup, RESTORE_TEST_SCHEDULE } from '../../lib/constructs/data-backup';
import { newTestStack, testKey } from '../helpers/construct';

const DR_VAULT = 'arn:aws:backup:eu-central-1:111111111111:backup-vault:test-dr';
const DB_ARN = 'arn:aws:rds:eu-west-1:111111111111:db:test-db';
const BUCKET_ARN = 'arn:aws:s3:::test-data';

describe('DataBackup (DATA-3, DATA-5)', () => {
  const stack = newTestStack();
  const vault = new backup.BackupVault(stack, 'Vault', { encryptionKey: testKey(stack) });
  const topic = new sns.Topic(stack, 'Topic');
  new DataBackup(stack, 'Backup', {
    vault,
    drVaultArn: DR_VAULT,
    resources: [
      { arn: DB_ARN, restore: { resourceType: 'RDS', resourceArn: DB_ARN } },
      { arn: BUCKET_ARN, restore: { resourceType: 'S3', resourceArn: BUCKET_ARN } },
    ],
    twiceDailyRetention: Duration.days(7),
    dailyRetention: Duration.days(35),
    alarmTopic: topic,
  });
  const t = Template.fromStack(stack);

  test('every 12 hours and daily, each recovery point kept as asked and copied to the DR vault', () => {
    const [plan] = Object.values(t.findResources('AWS::Backup::BackupPlan'));
    const rules = plan.Properties.BackupPlan.BackupPlanRule as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(rules.map((r) => [r.ScheduleExpression, r.Lifecycle.DeleteAfterDays, r.CopyActions])).toEqual([
      ['cron(0 0/12 * * ? *)', 7, [{ DestinationBackupVaultArn: DR_VAULT, Lifecycle: { DeleteAfterDays: 7 } }]],
      ['cron(0 3 * * ? *)', 35, [{ DestinationBackupVaultArn: DR_VAULT, Lifecycle: { DeleteAfterDays: 35 } }]],
    ]);
  });

  test('the selection names the resources given, not a tag', () => {
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [DB_ARN, BUCKET_ARN], ListOfTags: Match.absent() }),
    });
  });

  test('a monthly restore drill of the latest recovery point, validated, for each resource', () => {
    t.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      ScheduleExpression: RESTORE_TEST_SCHEDULE,
      RecoveryPointSelection: Match.objectLike({ Algorithm: 'LATEST_WITHIN_WINDOW' }),
    });
    for (const type of ['RDS', 'S3'])
      t.hasResourceProperties('AWS::Backup::RestoreTestingSelection', {
        ProtectedResourceType: type,
        ValidationWindowHours: 12,
      });
  });

  test('failed jobs and failed restore validations notify the topic', () => {
    const rules = Object.values(t.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    for (const r of rules) {
      expect(r.Properties.EventPattern.source).toEqual(['aws.backup']);
      expect(r.Properties.Targets).toEqual([expect.objectContaining({ Arn: stack.resolve(topic.topicArn) })]);
    }
    expect(rules.map((r) => JSON.stringify(r.Properties.EventPattern.detail)).join()).toMatch(
      /"state":\["FAILED".*"validationStatus":\["FAILED"/,
    );
  });
});
