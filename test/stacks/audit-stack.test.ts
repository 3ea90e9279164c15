import { type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { sessionTranscriptBucketName } from '../../lib/config/naming';
import { CONFIG_RULES, GUARDDUTY_FEATURES, SECURITY_HUB_STANDARDS } from '../../lib/constructs/detection';
import { SECURITY_EVENT_PATTERNS } from '../../lib/constructs/security-alarms';
import { SESSION_PREFERENCES_DOCUMENT } from '../../lib/constructs/session-logging';
import { TRAIL_RETENTION_DAYS } from '../../lib/constructs/audit-trail';
import { only, props, type Props, resourcesOf, synthTemplates, type SynthesizedTemplates } from '../helpers/app';

const config = loadConfig();
let synth: SynthesizedTemplates;
beforeAll(() => {
  synth = synthTemplates(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name, e] as const))('audit of %s', (name, env) => {
  let audit: Template;
  beforeAll(() => {
    audit = synth.template(name, 'Audit');
  });

  describe('LOG-1: the account trail', () => {
    test('multi-region, global events, validated, KMS-encrypted with its own key, to CloudWatch Logs', () => {
      const trail = only(audit, 'AWS::CloudTrail::Trail');
      expect(trail).toMatchObject({
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        KMSKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^TrailKey/), 'Arn'] },
        CloudWatchLogsLogGroupArn: expect.anything(),
      });
      expect(trail.EventSelectors[0]).toMatchObject({ IncludeManagementEvents: true, ReadWriteType: 'All' });
      expect(JSON.stringify(trail.EventSelectors)).toMatch(/AWS::S3::Object.*DataBucket/);
    });

    test('delivered to a bucket locked for five years (compliance in production), expiring after that', () => {
      const bucket = props(audit, 'AWS::S3::Bucket').find((b) => b.ObjectLockEnabled)!;
      expect(bucket.ObjectLockConfiguration).toEqual({
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: env.production ? 'COMPLIANCE' : 'GOVERNANCE', Days: TRAIL_RETENTION_DAYS } },
      });
      expect(TRAIL_RETENTION_DAYS).toBe(1827);
      expect(bucket.LifecycleConfiguration.Rules[0].ExpirationInDays).toBe(TRAIL_RETENTION_DAYS);
      expect(only(audit, 'AWS::CloudTrail::Trail').S3BucketName).toEqual({
        Ref: expect.stringMatching(/^TrailBucket/),
      });
    });

    test('the trail key lets CloudTrail encrypt for this account only', () => {
      const [, key] = resourcesOf(audit, 'AWS::KMS::Key').find(([id]) => id.startsWith('TrailKey'))!;
      const st = ((key.Properties as Props).KeyPolicy.Statement as Props[]).find(
        (s) => s.Sid === 'AllowCloudTrailToEncryptLogs',
      )!;
      expect(st.Condition.StringEquals['aws:SourceAccount']).toBe(env.account);
    });
  });

  test('LOG-4: a metric filter and an alarm to the alarm topic for every CIS security event', () => {
    const filters = props(audit, 'AWS::Logs::MetricFilter');
    expect(filters.map((f) => f.FilterPattern).sort()).toEqual(Object.values(SECURITY_EVENT_PATTERNS).sort());
    const alarms = props(audit, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(Object.keys(SECURITY_EVENT_PATTERNS).length);
    for (const a of alarms) {
      expect(a).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
      expect(JSON.stringify(a.AlarmActions)).toMatch(/AlarmTopic/);
    }
    for (const name of [
      'RootAccountUse',
      'UnauthorizedApiCalls',
      'ConsoleSignInWithoutMfa',
      'IamPolicyChanges',
      'CloudTrailChanges',
      'FailedConsoleSignIns',
      'KmsKeyDisabledOrScheduledForDeletion',
      'S3BucketPolicyChanges',
      'SecurityGroupChanges',
      'NetworkAclChanges',
      'NetworkGatewayChanges',
      'RouteTableChanges',
      'VpcChanges',
    ]) {
      expect(filters.map((f) => f.MetricTransformations[0].MetricName)).toContain(name);
    }
  });

  test('LOG-5: detection services where this environment owns them, none elsewhere', () => {
    const owns = (svc: string) => env.audit.manage.includes(svc as never);
    const detectors = props(audit, 'AWS::GuardDuty::Detector');
    expect(detectors).toHaveLength(owns('guardduty') ? 1 : 0);
    if (owns('guardduty')) {
      expect(detectors[0].Enable).toBe(true);
      expect(detectors[0].Features.map((f: Props) => [f.Name, f.Status])).toEqual(
        GUARDDUTY_FEATURES.map((n) => [n, 'ENABLED']),
      );
    }
    expect(props(audit, 'AWS::SecurityHub::Hub')).toHaveLength(owns('securityhub') ? 1 : 0);
    const standards = props(audit, 'AWS::SecurityHub::Standard').map((s) => JSON.stringify(s.StandardsArn));
    expect(standards).toHaveLength(owns('securityhub') ? SECURITY_HUB_STANDARDS.length : 0);
    if (owns('securityhub'))
      for (const s of SECURITY_HUB_STANDARDS) expect(standards.some((x) => x.includes(s))).toBe(true);
    expect(props(audit, 'AWS::Config::ConfigurationRecorder')).toHaveLength(owns('config') ? 1 : 0);
    if (owns('config')) {
      expect(only(audit, 'AWS::Config::ConfigurationRecorder').RecordingGroup).toEqual({
        AllSupported: true,
        IncludeGlobalResourceTypes: true,
      });
      expect(only(audit, 'AWS::Config::DeliveryChannel').S3KmsKeyArn).toBeDefined();
      expect(
        props(audit, 'AWS::Config::ConfigRule')
          .map((r) => r.Source.SourceIdentifier)
          .sort(),
      ).toEqual(Object.keys(CONFIG_RULES).sort());
    }
  });

  test('LOG-5: Inspector scans EC2 and ECR where this environment owns it', () => {
    const calls = props(audit, 'Custom::AWS')
      .map((r) => JSON.parse(r.Create as string) as Props)
      .filter((call) => call.service === 'Inspector2');
    expect(calls).toEqual(
      env.audit.manage.includes('inspector')
        ? [
            expect.objectContaining({
              action: 'enable',
              parameters: { accountIds: [env.account], resourceTypes: ['EC2', 'ECR'] },
            }),
          ]
        : [],
    );
  });

  test('LOG-6: Session Manager encrypts every session and logs its transcript, encrypted, to S3 and CloudWatch Logs', () => {
    const doc = props(audit, 'AWS::SSM::Document').find((d) => d.Name === SESSION_PREFERENCES_DOCUMENT)!;
    expect(doc.DocumentType).toBe('Session');
    expect(doc.Content.inputs).toMatchObject({
      s3EncryptionEnabled: true,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      kmsKeyId: expect.anything(),
      s3BucketName: expect.anything(),
      cloudWatchLogGroupName: expect.anything(),
    });
    const appPolicy = JSON.stringify(props(synth.template(name, 'App'), 'AWS::IAM::Policy'));
    expect(appPolicy).toContain(
      `${sessionTranscriptBucketName(env.tags.application, env.name, env.account, env.region)}/sessions/*`,
    );
  });

  describe('IAM-1: MFA-only roles', () => {
    test.each(['Administrator', 'Auditor'])(
      '%s: assumable only by the configured principals, with recent MFA, short sessions',
      (role) => {
        const r = props(audit, 'AWS::IAM::Role').find((x) =>
          x.Description?.startsWith(role === 'Administrator' ? 'Administrators' : 'Auditors'),
        )!;
        expect(r.MaxSessionDuration).toBe(env.access.maxSessionHours * 3600);
        for (const st of r.AssumeRolePolicyDocument.Statement as Props[]) {
          expect(st.Condition).toEqual({
            Bool: { 'aws:MultiFactorAuthPresent': 'true' },
            NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
          });
        }
        const principals = JSON.stringify(r.AssumeRolePolicyDocument.Statement.map((s: Props) => s.Principal));
        const expected = role === 'Administrator' ? env.access.adminPrincipals : env.access.auditorPrincipals;
        if (expected) for (const p of expected) expect(principals).toContain(p);
      },
    );

    test('the auditor role has SecurityAudit and ReadOnlyAccess', () => {
      const r = props(audit, 'AWS::IAM::Role').find((x) => x.Description?.startsWith('Auditors'))!;
      expect(JSON.stringify(r.ManagedPolicyArns)).toMatch(/SecurityAudit.*ReadOnlyAccess/);
    });
  });
});
