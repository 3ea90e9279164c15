import { cveBound, CVE_BOUND_HOURS } from '../../images/cve-bound';
import { RELEASE_BLOCK_BEGIN } from '../../release/contract';
import { Collector, type Predicate } from './collector';
import { equals, oneOf, refersTo } from './predicates';
import { resourceKey, targetOf } from './query';
import { asArray, asNumber, get, isRecord, localTarget, prop, resolveTarget, resourcesOf } from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

/**
 * IMM-9 (releases) and IMM-10 (CVE-driven rebuilds), read from the
 * templates: what a node boots into, where releases live, which alarms roll a
 * refresh back, and which findings start the image pipeline.
 */

/** The text of a user-data value with each intrinsic replaced by `⟦n⟧`, and the intrinsics. */
function userDataText(v: unknown): { text: string; refs: unknown[] } {
  const refs: unknown[] = [];
  const walk = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (isRecord(x) && 'Fn::Base64' in x) return walk(x['Fn::Base64']);
    const join = isRecord(x) ? x['Fn::Join'] : undefined;
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1]))
      return (join[1] as unknown[]).map(walk).join(join[0]);
    refs.push(x);
    return `⟦${refs.length - 1}⟧`;
  };
  return { text: walk(v), refs };
}

function launchTemplates(ctx: CheckContext): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::EC2::LaunchTemplate');
}

/** The function that rolls the fleet out: it is the one that names the group and the golden AMI parameter. */
function rolloutFunctions(ctx: CheckContext): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::Lambda::Function').filter(
    (f) => prop(f, 'Environment.Variables.ASG_NAME') !== undefined && prop(f, 'Environment.Variables.AMI_PARAMETER'),
  );
}

/** IMM-9: the boot script names the release from the SSM record, verifies its checksum before starting it, and tags the node. */
function assessBootPath(c: Collector, lt: ResourceRef): void {
  const { text, refs } = userDataText(prop(lt, 'LaunchTemplateData.UserData'));
  const block = text.indexOf(RELEASE_BLOCK_BEGIN);
  const release = /\nRELEASE='⟦(\d+)⟧'\n/.exec(text.slice(block));
  const param = release ? localTarget(refs[Number(release[1])]) : undefined;
  const paramDef = param ? lt.stack.template.Parameters?.[param] : undefined;
  c.check(
    lt,
    'Properties.LaunchTemplateData.UserData (release block)',
    paramDef ? `Ref(${param}) = SSM ${String(paramDef.Default)}` : release ? 'not an SSM parameter' : '(none)',
    block >= 0 &&
      paramDef?.Type === 'AWS::SSM::Parameter::Value<String>' &&
      /\/release\//.test(String(paramDef.Default)),
    'the release named by the SSM release record, resolved at deploy time into a literal',
  );
  const check = text.indexOf('sha256sum --check');
  const refuse = check >= 0 ? text.indexOf('exit 1', check) : -1;
  const start = text.lastIndexOf('systemctl start app');
  c.check(
    lt,
    'Properties.LaunchTemplateData.UserData (boot path)',
    check < 0
      ? 'no checksum check'
      : refuse < 0
        ? 'checksum checked, mismatch not refused'
        : 'sha256sum --check, exit 1 on mismatch',
    check >= 0 && refuse > check && start > refuse,
    'the artifact checksum verified before the service starts; a mismatch ends the boot without starting it',
  );
  const tags = asArray(prop(lt, 'LaunchTemplateData.TagSpecifications')).filter(
    (t) => get(t, 'ResourceType') === 'instance',
  );
  const releaseTag = tags.flatMap((t) => asArray(get(t, 'Tags'))).find((t) => get(t, 'Key') === 'saas:release');
  c.check(
    lt,
    'Properties.LaunchTemplateData.TagSpecifications[instance].saas:release',
    releaseTag ? get(releaseTag, 'Value') : '(absent)',
    releaseTag !== undefined,
    'every node tagged with the release it booted with',
  );
}

/** IMM-9: the store, found through the SSM parameter that names it for the CLI: encrypted, versioned, retained. */
function assessReleaseStore(c: Collector): void {
  const named = resourcesOf(c.ctx.stacks, 'AWS::SSM::Parameter').filter((p) =>
    /\/release\/bucket$/.test(String(prop(p, 'Name'))),
  );
  c.requireSome(named, 'release bucket parameter');
  for (const p of named) {
    const bucket = targetOf(c.ctx, p, 'Value');
    if (!bucket || bucket.resource.Type !== 'AWS::S3::Bucket') {
      c.expect(p, 'Value', refersTo('AWS::S3::Bucket'), 'the release bucket of this environment');
      continue;
    }
    const sse = get(
      asArray(prop(bucket, 'BucketEncryption.ServerSideEncryptionConfiguration'))[0],
      'ServerSideEncryptionByDefault',
    );
    c.check(
      bucket,
      'Properties.BucketEncryption...SSEAlgorithm',
      get(sse, 'SSEAlgorithm'),
      get(sse, 'SSEAlgorithm') === 'aws:kms' && get(sse, 'KMSMasterKeyID') !== undefined,
      'aws:kms with a customer key',
    );
    c.expect(
      bucket,
      'VersioningConfiguration.Status',
      equals('Enabled'),
      'Enabled (an overwritten release stays recoverable)',
    );
    c.expect(bucket, 'DeletionPolicy', equals('Retain'), 'Retain');
  }
}

/** The metrics a refresh may roll back on: the fleet's health as the load balancer sees it. */
const FLEET_HEALTH_METRICS = ['HTTPCode_Target_5XX_Count', 'UnHealthyHostCount'];

/** The alarm names a rollout function's refreshes watch. */
const alarmNames = (v: unknown) =>
  String(v ?? '')
    .split(',')
    .filter(Boolean);

/** IMM-9: alarm-gated refreshes: every alarm the rollout lists exists in the environment, on the fleet's health. */
function assessRefreshAlarms(c: Collector): void {
  const alarms = resourcesOf(c.ctx.stacks, 'AWS::CloudWatch::Alarm');
  const rollouts = rolloutFunctions(c.ctx);
  c.requireSome(rollouts, 'rollout function');
  for (const f of rollouts) {
    c.expect(
      f,
      'Environment.Variables.ALARM_NAMES',
      (v) => alarmNames(v).length > 0 && alarmNames(v).length <= 10,
      '1-10 fleet-health alarms in every refresh (rollback on alarm)',
      { shown: (v) => alarmNames(v).join(', ') || '(none)' },
    );
    for (const name of alarmNames(prop(f, 'Environment.Variables.ALARM_NAMES'))) {
      const alarm = alarms.find((a) => prop(a, 'AlarmName') === name);
      if (alarm)
        c.expect(
          alarm,
          'MetricName',
          oneOf(FLEET_HEALTH_METRICS),
          'a fleet-health metric: target 5xx or unhealthy targets',
          {
            shown: String,
          },
        );
      else c.problem(`the refresh alarm "${name}" listed by ${resourceKey(f)} is not in the templates`);
    }
  }
}

/** IMM-9: releases are checksummed artifacts in a locked-down store, fetched and verified at boot, rolled out under alarms. */
export function checkImm9(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const lts = launchTemplates(ctx);
  c.requireSome(lts, 'launch template');
  for (const lt of lts) assessBootPath(c, lt);
  assessReleaseStore(c);
  assessRefreshAlarms(c);
  return c.finish(
    'IMM-9',
    'each launch template version names one release from the SSM record; nodes verify its SHA-256 before the service starts; releases live in a versioned, retained, customer-key bucket; every refresh rolls back on the fleet-health alarms',
  );
}

const FINDING_SOURCE = 'aws.inspector2';

/** The functions an EventBridge rule targets. */
const targetFunctions = (ctx: CheckContext, rule: ResourceRef): ResourceRef[] =>
  asArray(prop(rule, 'Targets')).flatMap((t) => {
    const fn = resolveTarget(ctx, rule.stack, get(t, 'Arn'));
    return fn?.resource.Type === 'AWS::Lambda::Function' ? [fn] : [];
  });

const includesAll =
  (...values: string[]): Predicate =>
  (v) =>
    values.every((x) => asArray(v).includes(x));

/**
 * IMM-10: the rules on Inspector findings match critical and high findings
 * with a fix and start, one build at a time, the golden-image pipeline. The
 * functions that do, by `stack/logicalId`.
 */
function assessFindingRules(c: Collector): Set<string> {
  const rules = resourcesOf(c.ctx.stacks, 'AWS::Events::Rule').filter((r) =>
    asArray(get(prop(r, 'EventPattern'), 'source')).includes(FINDING_SOURCE),
  );
  c.requireSome(rules, 'EventBridge rule on Inspector findings');
  const starters = new Set<string>();
  for (const r of rules) {
    c.expect(r, 'EventPattern.detail.severity', includesAll('CRITICAL', 'HIGH'), 'CRITICAL and HIGH', {
      shown: asArray,
    });
    c.expect(r, 'EventPattern.detail.fixAvailable', includesAll('YES'), 'YES (a rebuild can pick the fix up)');
    for (const fn of targetFunctions(c.ctx, r)) {
      const ok = c.expect(
        fn,
        'Environment.Variables.PIPELINE_ARN',
        refersTo('AWS::ImageBuilder::ImagePipeline'),
        'the golden-image pipeline of this environment',
      );
      if (ok) starters.add(resourceKey(fn));
      c.expect(fn, 'ReservedConcurrentExecutions', (v) => asNumber(v) === 1, '1 (one build at a time)', {
        shown: asNumber,
      });
    }
  }
  if (starters.size === 0) c.problem('no rule on Inspector findings starts the golden-image pipeline');
  return starters;
}

/** IMM-10: the worst case from finding to replaced fleet, from the values the templates carry, stays within the bound. */
function assessBound(c: Collector, pipelines: readonly ResourceRef[]): void {
  const warmup = asNumber(
    rolloutFunctions(c.ctx).map((f) => prop(f, 'Environment.Variables.INSTANCE_WARMUP_SECONDS'))[0],
  );
  const boundOf = (timeoutMinutes: unknown) => {
    const timeout = asNumber(timeoutMinutes);
    return timeout !== undefined && warmup !== undefined
      ? cveBound({ image: { testTimeoutMinutes: timeout }, fleet: { instanceWarmupSeconds: warmup } })
      : undefined;
  };
  for (const p of pipelines) {
    const timeout = asNumber(prop(p, 'ImageTestsConfiguration.TimeoutMinutes'));
    const bound = boundOf(timeout);
    c.check(
      p,
      'Properties.ImageTestsConfiguration.TimeoutMinutes (with the fleet warm-up)',
      bound ? `${timeout} min test timeout, ${warmup} s warm-up: worst case ${bound.totalHours} h` : timeout,
      bound?.withinPromise === true,
      `finding to replaced fleet within ${CVE_BOUND_HOURS} h (docs/shipping-your-application.md)`,
    );
  }
}

/** IMM-10: critical and high findings with a fix start the image pipeline; the worst case stays within the bound. */
export function checkImm10(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const pipelines = c.resources('Image Builder pipeline', 'AWS::ImageBuilder::ImagePipeline');
  const starters = assessFindingRules(c);
  // Findings during a build coalesce: the same function hears when a build ends.
  const ended = resourcesOf(ctx.stacks, 'AWS::Events::Rule').find(
    (r) =>
      asArray(get(prop(r, 'EventPattern'), 'source')).includes('aws.imagebuilder') &&
      targetFunctions(ctx, r).some((fn) => starters.has(resourceKey(fn))),
  );
  c.found(
    ended,
    'EventPattern.detail.state.status',
    'the end of every build starts the rebuild left pending',
    'no rule tells the rebuild function that a build ended: findings during a build would be lost',
  );
  assessBound(c, pipelines);
  return c.finish(
    'IMM-10',
    `critical and high findings with a fix on fleet nodes or image builds start the golden-image pipeline (one build at a time, findings coalesce); worst case to a replaced fleet within ${CVE_BOUND_HOURS} h`,
  );
}
