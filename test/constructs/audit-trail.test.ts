import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AuditTrail, TRAIL_RETENTION_DAYS } from '../../lib/constructs/audit-trail';
import { newTestStack, TEST_ENV, testKey } from '../helpers/construct';

function trail(lockMode: 'governance' | 'compliance') {
  const stack = newTestStack();
  const logKey = testKey(stack, 'LogKey');
  const data = new s3.Bucket(stack, 'Data');
  const accessLogs = new s3.Bucket(stack, 'AccessLogs');
  const audit = new AuditTrail(stack, 'Trail', {
    lockMode,
    dataEventBuckets: [data],
    accessLogBucket: accessLogs,
    logKey,
  });
  return { stack, t: Template.fromStack(stack), audit, logKey };
}

describe('AuditTrail (LOG-1)', () => {
  const { stack, t, audit, logKey } = trail('compliance');

  test('multi-region, global events, validated, under its own key, to CloudWatch Logs', () => {
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: stack.resolve(audit.key.key.keyArn),
      CloudWatchLogsLogGroupArn: Match.anyValue(),
    });
  });

  test('records data events of the buckets named', () => {
    t.hasResourceProperties('AWS::CloudTrail::Trail', {
      EventSelectors: Match.arrayWith([
        Match.objectLike({
          DataResources: [Match.objectLike({ Type: 'AWS::S3::Object' })],
          ReadWriteType: 'All',
        }),
      ]),
    });
  });

  test.each(['governance', 'compliance'] as const)(
    '%s: the bucket is Object-Locked for five years under the trail key and logs its access',
    (mode) => {
      const x = mode === 'compliance' ? { stack, t, audit } : trail(mode);
      x.t.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: mode.toUpperCase(), Days: TRAIL_RETENTION_DAYS } },
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            Match.objectLike({
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: x.stack.resolve(x.audit.key.key.keyArn),
              },
            }),
          ],
        },
        LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
      });
    },
  );

  test('CloudTrail may encrypt with the key only for trails of this account', () => {
    const key = t.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('CloudTrail') } });
    const statements = Object.values(key)[0].Properties.KeyPolicy.Statement as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const st = statements.find((s) => s.Sid === 'AllowCloudTrailToEncryptLogs')!;
    expect(st.Action).toBe('kms:GenerateDataKey');
    expect(st.Condition.StringEquals).toEqual({ 'aws:SourceAccount': TEST_ENV.account });
    expect(JSON.stringify(st.Condition.StringLike)).toContain(`:cloudtrail:*:${TEST_ENV.account}:trail/*`);
  });

  test('the CloudWatch log group is encrypted with the log key', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve(logKey.keyArn) });
  });
});
