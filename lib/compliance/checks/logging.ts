import { FLEET_LOG_GROUPS } from '../../config/naming';
import { LOG_RETENTION_DAYS, TRAIL_RETENTION_DAYS } from '../../config/retention';
import { Collector, type Predicate } from './collector';
import { accessLogDestinations, internetFacingAlbs, verifyPointer } from './lookups';
import { customerKey, deniesInsecureTransport, logsKept, present, refersTo } from './predicates';
import { policyStatementsOf, referrers, resourceKey, targetOf } from './query';
import {
  asArray,
  asNumber,
  flat,
  get,
  isTrue,
  keyValues,
  prop,
  resolveAll,
  resolveTarget,
  resourcesOf,
} from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

const NEVER = { absent: '(never expires)' };

/**
 * LOG-1: the trail's bucket keeps every log file for five years under Object
 * Lock (compliance mode in production) and does not expire it earlier.
 */
export function assessTrailBucketLock(c: Collector, trail: ResourceRef): boolean {
  const bucket = targetOf(c.ctx, trail, 'S3BucketName');
  if (!bucket || bucket.resource.Type !== 'AWS::S3::Bucket') {
    return c.expect(
      trail,
      'S3BucketName',
      refersTo('AWS::S3::Bucket'),
      'a bucket of this environment with Object Lock',
    );
  }
  const locked: Predicate = (retention) => {
    const days = asNumber(get(retention, 'Days')) ?? (asNumber(get(retention, 'Years')) ?? 0) * 365.25;
    const mode = get(retention, 'Mode');
    return (
      isTrue(prop(bucket, 'ObjectLockEnabled')) &&
      days >= TRAIL_RETENTION_DAYS &&
      (mode === 'COMPLIANCE' || (mode === 'GOVERNANCE' && !c.ctx.production))
    );
  };
  let ok = c.expect(
    bucket,
    'ObjectLockConfiguration.Rule.DefaultRetention',
    locked,
    `Object Lock >= ${TRAIL_RETENTION_DAYS} days, COMPLIANCE mode${c.ctx.production ? '' : ' (GOVERNANCE allowed outside production)'}`,
  );
  const expirations = asArray(prop(bucket, 'LifecycleConfiguration.Rules'))
    .filter((r) => get(r, 'Status') !== 'Disabled')
    .map((r) => asNumber(get(r, 'ExpirationInDays')))
    .filter((d): d is number => d !== undefined);
  ok =
    c.check(
      bucket,
      'Properties.LifecycleConfiguration.Rules[].ExpirationInDays',
      expirations.length ? expirations : '(never)',
      expirations.every((d) => d >= TRAIL_RETENTION_DAYS),
      `no expiration before ${TRAIL_RETENTION_DAYS} days`,
    ) && ok;
  return ok;
}

/** LOG-1: a multi-region, validated, encrypted trail to a locked bucket and to CloudWatch Logs. */
export function checkLog1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const trails = resourcesOf(ctx.stacks, 'AWS::CloudTrail::Trail');
  if (trails.length === 0)
    c.manual(`${ctx.environment} does not create its account's trail (another environment of the account owns it)`);
  for (const t of trails) {
    for (const [p, expected] of [
      ['IsLogging', 'true'],
      ['IsMultiRegionTrail', 'true'],
      ['IncludeGlobalServiceEvents', 'true'],
      ['EnableLogFileValidation', 'true'],
    ] as const) {
      c.expect(t, p, isTrue, expected);
    }
    c.expect(t, 'KMSKeyId', customerKey, 'a customer key of this environment');
    c.expect(t, 'CloudWatchLogsLogGroupArn', refersTo('AWS::Logs::LogGroup'), 'a CloudWatch Logs group');
    assessTrailBucketLock(c, t);
  }
  return c.finish(
    'LOG-1',
    'the trail is multi-region with global events and log-file validation, KMS-encrypted, copied to CloudWatch Logs, delivered to a bucket locked for five years',
    verifyPointer(ctx.environment),
  );
}

const expiresAfter = (bucket: ResourceRef) =>
  asArray(prop(bucket, 'LifecycleConfiguration.Rules'))
    .filter((r) => get(r, 'Status') !== 'Disabled')
    .map((r) => ({
      current: asNumber(get(r, 'ExpirationInDays')),
      noncurrent: asNumber(get(r, 'NoncurrentVersionExpiration.NoncurrentDays')),
    }));

function assessLogBucket(c: Collector, bucket: ResourceRef, what: string): void {
  const rules = expiresAfter(bucket);
  const current = rules.map((r) => r.current).find((d) => d !== undefined);
  const noncurrent = rules.map((r) => r.noncurrent).find((d) => d !== undefined);
  c.check(
    bucket,
    'Properties.LifecycleConfiguration (current objects)',
    current ?? '(never)',
    current !== undefined && current >= LOG_RETENTION_DAYS,
    `${what} kept ${LOG_RETENTION_DAYS} days, then purged`,
  );
  const versioned = prop(bucket, 'VersioningConfiguration.Status') === 'Enabled';
  if (versioned)
    c.check(
      bucket,
      'Properties.LifecycleConfiguration (noncurrent versions)',
      noncurrent ?? '(never)',
      noncurrent !== undefined,
      'noncurrent versions purged too (a versioned bucket keeps deleted logs otherwise)',
    );
}

/** The log groups of this environment a value refers to. */
const logGroupsIn = (ctx: CheckContext, from: ResourceRef, v: unknown) =>
  resolveAll(ctx, from.stack, v).filter((g) => g.resource.Type === 'AWS::Logs::LogGroup');

/** LOG-2: ALB and WAF request logs stored durably and purged on a fixed schedule. */
export function checkLog2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const albs = internetFacingAlbs(ctx);
  c.requireSome(albs, 'internet-facing load balancer');
  for (const lb of albs) {
    const attrs = keyValues(prop(lb, 'LoadBalancerAttributes'));
    c.check(
      lb,
      'Properties.LoadBalancerAttributes[access_logs.s3.enabled]',
      attrs['access_logs.s3.enabled'],
      isTrue(attrs['access_logs.s3.enabled']),
      'true',
    );
    const bucket = resolveTarget(ctx, lb.stack, attrs['access_logs.s3.bucket']);
    if (bucket?.resource.Type === 'AWS::S3::Bucket') assessLogBucket(c, bucket, 'ALB access logs');
    else
      c.check(
        lb,
        'Properties.LoadBalancerAttributes[access_logs.s3.bucket]',
        attrs['access_logs.s3.bucket'],
        false,
        'a bucket of this environment',
      );
  }
  const destinations = accessLogDestinations(ctx);
  for (const b of resourcesOf(ctx.stacks, 'AWS::S3::Bucket').filter((x) => destinations.has(resourceKey(x))))
    assessLogBucket(c, b, 'S3 access logs');
  for (const l of c.resources('WAF logging configuration', 'AWS::WAFv2::LoggingConfiguration')) {
    const groups = logGroupsIn(ctx, l, prop(l, 'LogDestinationConfigs'));
    c.expect(l, 'LogDestinationConfigs', (v) => logGroupsIn(ctx, l, v).length > 0, 'a log group of this environment');
    for (const g of groups)
      c.expect(g, 'RetentionInDays', logsKept, `WAF logs kept ${LOG_RETENTION_DAYS} days, then purged`, NEVER);
  }
  return c.finish(
    'LOG-2',
    `ALB access logs, S3 access logs and WAF logs are kept ${LOG_RETENTION_DAYS} days and purged on schedule`,
  );
}

/** LOG-3: every log group encrypted and kept at least a year; the fleet's system and application logs have their groups. */
export function checkLog3(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const groups = c.resources('CloudWatch Logs group', 'AWS::Logs::LogGroup');
  for (const g of groups) {
    c.expect(g, 'RetentionInDays', logsKept, `>= ${LOG_RETENTION_DAYS}`, NEVER);
    c.expect(g, 'KmsKeyId', present, 'a customer KMS key');
  }
  for (const name of FLEET_LOG_GROUPS) {
    c.found(
      groups.find((x) => flat(prop(x, 'LogGroupName')).endsWith(`/fleet/${name}`)),
      'LogGroupName',
      `the fleet's ${name} log group`,
      `no log group for the fleet's ${name} logs (…/fleet/${name}) in ${ctx.environment}`,
    );
  }
  return c.finish(
    'LOG-3',
    `every log group is KMS-encrypted and kept >= ${LOG_RETENTION_DAYS} days; the fleet's ${FLEET_LOG_GROUPS.join(', ')} logs have their groups`,
  );
}

/** CIS security events LOG-4 names, recognised by what the filter pattern matches (not by the filter's name). */
export const SECURITY_SIGNALS: readonly (readonly [string, RegExp])[] = [
  ['root account use', /userIdentity\.type\s*=\s*"?Root/],
  ['unauthorized API calls', /UnauthorizedOperation|AccessDenied/],
  ['console sign-in without MFA', /MFAUsed/],
  ['IAM policy changes', /PutRolePolicy|AttachRolePolicy|CreatePolicy/],
  ['trail changes', /StopLogging|DeleteTrail|UpdateTrail/],
  ['security group changes', /AuthorizeSecurityGroupIngress/],
  ['network ACL changes', /CreateNetworkAclEntry|ReplaceNetworkAclEntry/],
  ['KMS key disabled or deleted', /ScheduleKeyDeletion|DisableKey/],
];

const notifiesTopic = (ctx: CheckContext, alarm: ResourceRef) =>
  resolveAll(ctx, alarm.stack, prop(alarm, 'AlarmActions')).some((t) => t.resource.Type === 'AWS::SNS::Topic');

/** LOG-4: the topic is encrypted with a customer key and accepts publishing over TLS only. */
function assessTopic(c: Collector, t: ResourceRef): void {
  c.expect(t, 'KmsMasterKeyId', customerKey, 'a customer key');
  const tlsOnly = deniesInsecureTransport(policyStatementsOf(c.ctx, 'AWS::SNS::TopicPolicy', 'Topics', t));
  c.holds(t, 'TopicPolicy: Deny aws:SecureTransport=false', tlsOnly, 'publishing over TLS only');
}

/** LOG-4: alarms on 5xx, unhealthy targets and the database. */
function assessOperationalAlarms(c: Collector, alarms: readonly ResourceRef[]): void {
  const metric = (ns: RegExp, name: RegExp) =>
    alarms.find((a) => ns.test(String(prop(a, 'Namespace'))) && name.test(String(prop(a, 'MetricName'))));
  const operational: [string, ResourceRef | undefined][] = [
    ['5xx responses', metric(/^AWS\/ApplicationELB$/, /5XX/)],
    ['unhealthy targets', metric(/^AWS\/ApplicationELB$/, /^UnHealthyHostCount$/)],
    ['database health', metric(/^AWS\/RDS$/, /./)],
  ];
  for (const [what, a] of operational)
    c.found(a, 'MetricName', `an alarm on ${what}`, `no alarm on ${what} in ${c.ctx.environment}`);
}

/** LOG-4: EventBridge rules report failed backups, image builds and instance refreshes. */
function assessFailureRules(c: Collector): void {
  const rules = resourcesOf(c.ctx.stacks, 'AWS::Events::Rule');
  const failureRule = (source: string, matches: (pattern: unknown) => boolean) =>
    rules.find(
      (r) =>
        asArray(get(prop(r, 'EventPattern'), 'source')).includes(source) &&
        matches(prop(r, 'EventPattern')) &&
        asArray(prop(r, 'Targets')).length > 0,
    );
  const detailHas = (field: string, text: string) => (p: unknown) => JSON.stringify(get(p, field)).includes(text);
  const failures: [string, ResourceRef | undefined][] = [
    ['backup and copy job failures', failureRule('aws.backup', detailHas('detail', 'FAILED'))],
    ['image build failures', failureRule('aws.imagebuilder', detailHas('detail', 'FAILED'))],
    ['instance refresh failures', failureRule('aws.autoscaling', detailHas('detail-type', 'Refresh Failed'))],
  ];
  for (const [what, r] of failures) {
    c.found(r, 'EventPattern', `${what} are reported`, `no EventBridge rule reports ${what} in ${c.ctx.environment}`, {
      shown: (pattern) => get(pattern, 'detail') ?? get(pattern, 'detail-type'),
    });
  }
}

/** LOG-4: each CIS security signal has a metric filter on the trail's log group and an alarm to the topic. */
function assessSecuritySignals(c: Collector, trail: ResourceRef, alarms: readonly ResourceRef[]): void {
  const group = targetOf(c.ctx, trail, 'CloudWatchLogsLogGroupArn');
  const filters = group ? referrers(c.ctx, 'AWS::Logs::MetricFilter', 'LogGroupName', group) : [];
  for (const [what, pattern] of SECURITY_SIGNALS) {
    const f = filters.find((x) => pattern.test(String(prop(x, 'FilterPattern'))));
    const name = f ? get(asArray(prop(f, 'MetricTransformations'))[0], 'MetricName') : undefined;
    const alarm =
      name === undefined ? undefined : alarms.find((a) => prop(a, 'MetricName') === name && notifiesTopic(c.ctx, a));
    if (f)
      c.expect(
        f,
        'FilterPattern',
        () => alarm !== undefined,
        `${what}: a metric filter on the trail's log group with an alarm to the topic`,
      );
    else c.problem(`no metric filter on the trail's log group matches ${what}`);
  }
}

/** LOG-4: security and operational alarms notify an encrypted, TLS-only topic. */
export function checkLog4(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const t of c.resources('SNS alarm topic', 'AWS::SNS::Topic')) assessTopic(c, t);
  const alarms = c.resources('CloudWatch alarm', 'AWS::CloudWatch::Alarm');
  for (const a of alarms) c.expect(a, 'AlarmActions', (_v, at) => notifiesTopic(ctx, at.ref), 'the alarm topic');
  assessOperationalAlarms(c, alarms);
  assessFailureRules(c);
  const trails = resourcesOf(ctx.stacks, 'AWS::CloudTrail::Trail');
  if (trails.length === 0)
    c.manual('security-event alarms live beside the account trail, which another environment of the account owns');
  for (const t of trails) assessSecuritySignals(c, t, alarms);
  return c.finish(
    'LOG-4',
    'CIS security events and operational health (5xx, unhealthy targets, database, backup, image build and refresh failures) notify an encrypted, TLS-only topic',
    verifyPointer(ctx.environment),
  );
}

/** LOG-5: the Config recorder records every supported resource, global types included, and delivers. */
function assessRecorder(c: Collector, r: ResourceRef): void {
  c.expect(
    r,
    'RecordingGroup',
    (group) => isTrue(get(group, 'AllSupported')) && isTrue(get(group, 'IncludeGlobalResourceTypes')),
    'all supported resources, global types included',
  );
  c.listed(r, 'delivery channel', resourcesOf(c.ctx.stacks, 'AWS::Config::DeliveryChannel'), 'a delivery channel');
}

/** LOG-5: GuardDuty, Security Hub (FSBP and CIS), AWS Config and Inspector, where this environment owns them. */
export function checkLog5(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const detectors = resourcesOf(ctx.stacks, 'AWS::GuardDuty::Detector');
  if (detectors.length === 0)
    c.manual('GuardDuty is not created by this environment (enabled elsewhere in the account or organization)');
  for (const d of detectors) c.expect(d, 'Enable', isTrue, 'true');
  const hubs = resourcesOf(ctx.stacks, 'AWS::SecurityHub::Hub');
  if (hubs.length === 0) c.manual('Security Hub is not created by this environment');
  else {
    const standards = resourcesOf(ctx.stacks, 'AWS::SecurityHub::Standard');
    for (const [what, pattern] of [
      ['AWS Foundational Security Best Practices', /aws-foundational-security-best-practices/],
      ['CIS AWS Foundations Benchmark', /cis-aws-foundations-benchmark/],
    ] as const) {
      const s = standards.find((x) => pattern.test(flat(prop(x, 'StandardsArn'))));
      if (s) c.expect(s, 'StandardsArn', () => true, what);
      else c.check(hubs[0], `standard: ${what}`, 'not enabled', false, `${what} enabled`);
    }
  }
  const recorders = resourcesOf(ctx.stacks, 'AWS::Config::ConfigurationRecorder');
  if (recorders.length === 0) c.manual('the AWS Config recorder is not created by this environment');
  for (const r of recorders) assessRecorder(c, r);
  const scanned = resourcesOf(ctx.stacks, 'AWS::ImageBuilder::ImagePipeline').filter((p) =>
    isTrue(prop(p, 'ImageScanningConfiguration.ImageScanningEnabled')),
  );
  for (const p of scanned)
    c.expect(p, 'ImageScanningConfiguration.ImageScanningEnabled', isTrue, 'Inspector scans every golden image');
  if (scanned.length === 0) c.problem(`no golden-image pipeline scans with Inspector in ${ctx.environment}`);
  const created = [
    detectors.length ? 'GuardDuty' : '',
    hubs.length ? 'Security Hub (FSBP, CIS)' : '',
    recorders.length ? 'AWS Config' : '',
  ].filter(Boolean);
  return c.finish(
    'LOG-5',
    `${created.length ? `${created.join(', ')} enabled; ` : ''}Inspector scans every golden image`,
    `check the account: \`aws guardduty list-detectors\`, \`aws securityhub get-enabled-standards\`, \`aws configservice describe-configuration-recorder-status\` (${ctx.environment}'s account)`,
  );
}

/** LOG-6: Session Manager encrypts sessions and writes every transcript, encrypted, to S3 and CloudWatch Logs. */
export function checkLog6(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const docs = resourcesOf(ctx.stacks, 'AWS::SSM::Document').filter((d) => prop(d, 'DocumentType') === 'Session');
  if (docs.length === 0)
    c.manual(
      `${ctx.environment} does not hold its account's Session Manager preferences (another environment of the account does)`,
    );
  for (const d of docs) {
    let content = prop(d, 'Content');
    if (typeof content === 'string') {
      try {
        content = JSON.parse(content) as unknown;
      } catch {
        content = undefined;
      }
    }
    const inputs = get(content, 'inputs');
    for (const k of ['s3EncryptionEnabled', 'cloudWatchEncryptionEnabled', 'cloudWatchStreamingEnabled']) {
      c.check(d, `Properties.Content.inputs.${k}`, get(inputs, k), isTrue(get(inputs, k)), 'true');
    }
    c.check(
      d,
      'Properties.Content.inputs.kmsKeyId',
      get(inputs, 'kmsKeyId'),
      resolveTarget(ctx, d.stack, get(inputs, 'kmsKeyId'))?.resource.Type === 'AWS::KMS::Key',
      'a customer key (sessions encrypted)',
    );
    const bucket = resolveTarget(ctx, d.stack, get(inputs, 's3BucketName'));
    c.check(
      d,
      'Properties.Content.inputs.s3BucketName',
      get(inputs, 's3BucketName'),
      bucket?.resource.Type === 'AWS::S3::Bucket',
      'a transcript bucket of this environment',
    );
    const group = resolveTarget(ctx, d.stack, get(inputs, 'cloudWatchLogGroupName'));
    c.check(
      d,
      'Properties.Content.inputs.cloudWatchLogGroupName',
      get(inputs, 'cloudWatchLogGroupName'),
      group?.resource.Type === 'AWS::Logs::LogGroup' && prop(group, 'KmsKeyId') !== undefined,
      'an encrypted log group of this environment',
    );
  }
  return c.finish(
    'LOG-6',
    'Session Manager encrypts every session and logs its transcript, encrypted, to S3 and CloudWatch Logs',
    verifyPointer(ctx.environment),
  );
}
