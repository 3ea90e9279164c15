import { type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { resourcesOf, synthTemplates } from '../helpers/app';

let t: Template;
beforeAll(() => {
  // The third environment of the demo (production).
  t = synthTemplates(loadConfig(), { nag: false }).template(loadConfig().environments[2].name, 'LogArchive');
});

test('DATA-6: the log key is customer-managed, rotates yearly, and only CloudWatch Logs of this account may use it', () => {
  const [[, key]] = resourcesOf(t, 'AWS::KMS::Key');
  expect(key.Properties).toMatchObject({ EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 });
  const statements = (key.Properties!.KeyPolicy as { Statement: Record<string, any>[] }).Statement; // eslint-disable-line @typescript-eslint/no-explicit-any
  const logs = statements.find((s) => s.Sid === 'AllowCloudWatchLogsOfThisAccount')!;
  expect(logs.Principal).toEqual({ Service: 'logs.eu-west-1.amazonaws.com' });
  expect(JSON.stringify(logs.Condition)).toContain('log-group:*');
  // Only the account's own administration statement (CDK's default, so IAM policies can grant use) has kms:*.
  for (const s of statements.filter(
    (x) => JSON.stringify(x.Principal) !== JSON.stringify({ AWS: 'arn:aws:iam::333333333333:root' }),
  )) {
    for (const a of [s.Action].flat()) expect(a).not.toMatch(/\*/);
  }
});

test('LOG-2: request logs (ALB, access logs) expire after one year', () => {
  const buckets = resourcesOf(t, 'AWS::S3::Bucket');
  expect(buckets).toHaveLength(2);
  for (const [, b] of buckets) {
    const rules = (b.Properties!.LifecycleConfiguration as { Rules: { ExpirationInDays?: number }[] }).Rules;
    expect(rules.map((r) => r.ExpirationInDays)).toEqual([365]);
  }
});

test('LOG-2/LOG-3: the WAF log group is KMS-encrypted, kept a year and named for WAF', () => {
  const [[, group]] = resourcesOf(t, 'AWS::Logs::LogGroup');
  expect(group.Properties).toMatchObject({
    LogGroupName: 'aws-waf-logs-acme-saas-prod',
    RetentionInDays: 365,
    KmsKeyId: expect.anything(),
  });
});

test('DATA-2: the ALB log bucket uses SSE-S3 (required by ELB) and logs its own access', () => {
  const [, b] = resourcesOf(t, 'AWS::S3::Bucket').find(([id]) => id.startsWith('RequestLogBucket'))!;
  expect(JSON.stringify(b.Properties!.BucketEncryption)).toContain('AES256');
  expect(JSON.stringify(b.Properties!.LoggingConfiguration)).toContain('AccessLogBucket');
});
