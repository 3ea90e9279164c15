import { type MetricAlarm, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import { paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeConfigurationRecorderStatusCommand } from '@aws-sdk/client-config-service';
import { GetDetectorCommand, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { BatchGetAccountStatusCommand } from '@aws-sdk/client-inspector2';
import { GetEnabledStandardsCommand } from '@aws-sdk/client-securityhub';
import { GetTopicAttributesCommand, paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import { GetDocumentCommand } from '@aws-sdk/client-ssm';
import { FLEET_LOG_GROUPS, fleetHealthAlarmNames, fleetLogGroupPrefix } from '../../config/naming';
import { SECURITY_HUB_STANDARDS } from '../../constructs/detection';
import { SESSION_PREFERENCES_DOCUMENT } from '../../constructs/session-logging';
import type { CheckResult } from '../verify';
import { attempt, type Finding, judge, liveFamily, type LiveContext, orMissing } from './check';

/** An SNS topic ARN in any partition (aws, aws-cn, aws-us-gov). */
const SNS_ARN = /^arn:[a-z-]+:sns:/;

/** LOG-3: the fleet's log groups exist, are encrypted with a key and kept a year. */
const logPrefix = (ctx: LiveContext) => fleetLogGroupPrefix(ctx.env.tags.application, ctx.env.name);

export const logGroups = liveFamily('logs.fleet-groups', 'LOG-3', logPrefix, async (ctx, prefix) => {
  const found = new Map<string, { retentionInDays?: number; kmsKeyId?: string }>();
  for await (const page of paginateDescribeLogGroups({ client: ctx.live.logs }, { logGroupNamePrefix: prefix })) {
    for (const g of page.logGroups ?? []) if (g.logGroupName) found.set(g.logGroupName, g);
  }
  return FLEET_LOG_GROUPS.map((suffix) => {
    const name = `${prefix}/${suffix}`;
    const g = found.get(name);
    return judge({
      check: 'logs.fleet-groups',
      control: 'LOG-3',
      resource: name,
      property: 'retentionInDays, kmsKeyId',
      found: g ? `${g.retentionInDays ?? 'never expires'}, ${g.kmsKeyId ?? 'no key'}` : 'no such log group',
      required: '>= 365, a KMS key',
      ok: g !== undefined && (g.retentionInDays ?? 0) >= 365 && !!g.kmsKeyId,
    });
  });
});

/** LOG-4: the named fleet-health alarms exist and notify; every topic they notify is encrypted and has a confirmed subscription. */
export const alarms = liveFamily('alarms.present', 'LOG-4', 'alarms', async (ctx) => {
  const all: MetricAlarm[] = [];
  for await (const page of paginateDescribeAlarms({ client: ctx.live.cloudwatch }, {}))
    all.push(...(page.MetricAlarms ?? []));
  const named = Object.values(fleetHealthAlarmNames(ctx.env.tags.application, ctx.env.name));
  const prefixes = [`${ctx.env.tags.application}-${ctx.env.name}-`, `${ctx.env.name}-`];
  const own = all.filter((a) => prefixes.some((p) => a.AlarmName?.startsWith(p)));
  const rows: CheckResult[] = named.map((name) => {
    const alarm = all.find((a) => a.AlarmName === name);
    return judge({
      check: 'alarms.present',
      control: 'LOG-4',
      resource: name,
      property: 'AlarmActions',
      found: alarm ? alarm.AlarmActions : 'no such alarm',
      required: 'the alarm exists and notifies an SNS topic',
      ok: (alarm?.AlarmActions ?? []).some((a) => SNS_ARN.test(a)),
    });
  });
  const silent = own.filter((a) => !(a.AlarmActions ?? []).some((x) => SNS_ARN.test(x)));
  rows.push(
    judge({
      check: 'alarms.notify',
      control: 'LOG-4',
      resource: `${own.length} alarm(s) named ${prefixes.join(' or ')}*`,
      property: 'alarms without an SNS action',
      found: silent.map((a) => a.AlarmName).join(', ') || (own.length ? 'none' : 'no alarms at all'),
      required: 'none, and at least one alarm',
      ok: own.length > 0 && silent.length === 0,
    }),
  );
  const topics = [...new Set(own.flatMap((a) => (a.AlarmActions ?? []).filter((x) => x.includes(':sns:'))))].sort();
  for (const topic of topics) {
    const attributes = (await ctx.live.sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes ?? {};
    const confirmed: string[] = [];
    for await (const page of paginateListSubscriptionsByTopic({ client: ctx.live.sns }, { TopicArn: topic })) {
      for (const s of page.Subscriptions ?? []) {
        if (s.SubscriptionArn && s.SubscriptionArn.startsWith('arn:')) confirmed.push(`${s.Protocol}:${s.Endpoint}`);
      }
    }
    rows.push(
      judge({
        check: 'alarms.topic',
        control: 'LOG-4',
        resource: topic,
        property: 'KmsMasterKeyId, confirmed subscriptions',
        found: `${attributes.KmsMasterKeyId ?? 'not encrypted'}, ${confirmed.join(' ') || 'none confirmed'}`,
        required: 'a KMS key, at least one confirmed subscription',
        ok: !!attributes.KmsMasterKeyId && confirmed.length > 0,
      }),
    );
  }
  return rows;
});

/** LOG-5: GuardDuty, Security Hub with both standards, a recording Config recorder, Inspector on EC2; each service on its own, so one the endpoint lacks is one ERROR row. */
export const detection = liveFamily(
  'detect.guardduty',
  'LOG-5',
  (ctx) => `${ctx.env.account}/${ctx.env.region}`,
  async (ctx) => {
    const where = `${ctx.env.account}/${ctx.env.region}`;
    const one = (check: string, read: () => Promise<Omit<Finding, 'check' | 'control' | 'resource'>>) =>
      attempt(ctx, [[check, 'LOG-5']], where, async () => [
        judge({ check, control: 'LOG-5', resource: where, ...(await read()) }),
      ]);
    const rows = await Promise.all([
      one('detect.guardduty', async () => {
        const ids = (await ctx.live.guardduty.send(new ListDetectorsCommand({}))).DetectorIds ?? [];
        const statuses = await Promise.all(
          ids.map(async (id) => (await ctx.live.guardduty.send(new GetDetectorCommand({ DetectorId: id }))).Status),
        );
        return {
          property: 'GuardDuty detector Status',
          found: statuses.join(', ') || 'no detector',
          required: 'ENABLED',
          ok: statuses.includes('ENABLED'),
        };
      }),
      one('detect.securityhub', async () => {
        const standards = (
          await orMissing(() => ctx.live.securityhub.send(new GetEnabledStandardsCommand({})), 'InvalidAccessException')
        )?.StandardsSubscriptions;
        const ready = (standards ?? []).filter((s) => s.StandardsStatus === 'READY').map((s) => s.StandardsArn ?? '');
        const missing = SECURITY_HUB_STANDARDS.filter((path) => !ready.some((arn) => arn.endsWith(path)));
        return {
          property: 'Security Hub standards (READY)',
          found: standards === undefined ? 'Security Hub not enabled' : ready.join(', ') || 'none',
          required: SECURITY_HUB_STANDARDS.join(', '),
          ok: standards !== undefined && missing.length === 0,
        };
      }),
      one('detect.config', async () => {
        const recorders =
          (await ctx.live.config.send(new DescribeConfigurationRecorderStatusCommand({})))
            .ConfigurationRecordersStatus ?? [];
        return {
          property: 'configuration recorder recording, lastStatus',
          found:
            recorders.map((r) => `${r.name} ${r.recording} ${r.lastStatus ?? ''}`.trim()).join(', ') || 'no recorder',
          required: 'recording true, not FAILURE',
          ok: recorders.some((r) => r.recording === true && String(r.lastStatus).toUpperCase() !== 'FAILURE'),
        };
      }),
      one('detect.inspector', async () => {
        const inspector = (
          await ctx.live.inspector.send(new BatchGetAccountStatusCommand({ accountIds: [ctx.env.account] }))
        ).accounts?.[0];
        return {
          property: 'Inspector resourceState.ec2.status',
          found: inspector?.resourceState?.ec2?.status ?? 'not enabled',
          required: 'ENABLED',
          ok: inspector?.resourceState?.ec2?.status === 'ENABLED',
        };
      }),
    ]);
    return rows.flat();
  },
);

/** The `inputs` of a Session Manager preferences document; a document that is not JSON has none. */
function parseInputs(content: string | undefined): Record<string, unknown> {
  try {
    return (JSON.parse(content ?? '{}') as { inputs?: Record<string, unknown> }).inputs ?? {};
  } catch {
    return {};
  }
}

/** LOG-6: the Session Manager preferences send transcripts to S3 and CloudWatch Logs, encrypted, under a key. */
export const sessions = liveFamily(
  'ssm.session-preferences',
  'LOG-6',
  () => SESSION_PREFERENCES_DOCUMENT,
  async (ctx) => {
    const doc = await orMissing(
      () => ctx.ops.ssm.send(new GetDocumentCommand({ Name: SESSION_PREFERENCES_DOCUMENT })),
      'InvalidDocument',
    );
    const inputs = parseInputs(doc?.Content);
    const on = (v: unknown) => v === true || v === 'true';
    return [
      judge({
        check: 'ssm.session-preferences',
        control: 'LOG-6',
        resource: SESSION_PREFERENCES_DOCUMENT,
        property:
          'inputs: s3BucketName, s3EncryptionEnabled, cloudWatchLogGroupName, cloudWatchEncryptionEnabled, kmsKeyId',
        found: doc ? inputs : 'no such document',
        required: 'a bucket and a log group, both encryption flags true, a KMS key',
        ok:
          !!inputs.s3BucketName &&
          on(inputs.s3EncryptionEnabled) &&
          !!inputs.cloudWatchLogGroupName &&
          on(inputs.cloudWatchEncryptionEnabled) &&
          !!inputs.kmsKeyId,
      }),
    ];
  },
);
