import { parse as parseYaml } from 'yaml';
import { Collector, type Predicate, type ValueAt } from './collector';
import {
  allReferTo,
  atLeast,
  between,
  customerKey,
  equals,
  isAllow,
  noKeyPair,
  orAbsent,
  resolves,
  runsAtLeastEvery,
} from './predicates';
import { policyStatementsOf, resourceKey, targetOf } from './query';
import {
  arnRegion,
  asArray,
  asNumber,
  flat,
  get,
  isRecord,
  isTrue,
  keyValues,
  prop,
  resolveTarget,
  resourcesOf,
  show,
} from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

const DAY = 86_400;
/** IMM-3: nodes are replaced after 1 to 7 days. */
export const MIN_INSTANCE_LIFETIME_SECONDS = DAY;
export const MAX_INSTANCE_LIFETIME_SECONDS = 7 * DAY;

/** IMM-3: the group replaces every node within 1-7 days, even without a new image. */
export function assessMaxInstanceLifetime(c: Collector, asg: ResourceRef): boolean {
  return c.expect(
    asg,
    'MaxInstanceLifetime',
    between(MIN_INSTANCE_LIFETIME_SECONDS, MAX_INSTANCE_LIFETIME_SECONDS),
    `${MIN_INSTANCE_LIFETIME_SECONDS}-${MAX_INSTANCE_LIFETIME_SECONDS} s (1-7 days)`,
    { shown: inDays },
  );
}

/** Seconds as an auditor reads them: `259200 s (3 days)`. */
function inDays(v: unknown): unknown {
  const seconds = asNumber(v);
  return seconds !== undefined ? `${seconds} s (${+(seconds / DAY).toFixed(2)} days)` : v;
}

/** Whether an Image Builder component document has a test phase (what runs on an instance of the new image). */
function hasTestPhase(component: ResourceRef | undefined): boolean {
  const data = component ? prop(component, 'Data') : undefined;
  if (typeof data !== 'string') return false;
  try {
    const doc: unknown = parseYaml(data);
    return asArray(get(doc, 'phases')).some((p) => get(p, 'name') === 'test' && asArray(get(p, 'steps')).length > 0);
  } catch {
    return false;
  }
}

/** The rule that rolls a new image out without a human: an Image Builder "AVAILABLE" event to a function. */
function rolloutRule(ctx: CheckContext): ResourceRef | undefined {
  return resourcesOf(ctx.stacks, 'AWS::Events::Rule').find((r) => {
    const pattern = prop(r, 'EventPattern');
    const targetsFunction = asArray(prop(r, 'Targets')).some(
      (t) => resolveTarget(ctx, r.stack, get(t, 'Arn'))?.resource.Type === 'AWS::Lambda::Function',
    );
    return (
      asArray(get(pattern, 'source')).includes('aws.imagebuilder') &&
      JSON.stringify(get(pattern, 'detail.state.status')) === '["AVAILABLE"]' &&
      targetsFunction
    );
  });
}

/** IMM-1: a recipe starts from a base declared in code and runs at least one component with a test phase. */
function assessRecipe(c: Collector, recipe: ResourceRef): void {
  c.expect(recipe, 'ParentImage', (v) => typeof v === 'string', 'a base image declared in code');
  const components = asArray(prop(recipe, 'Components')).map((x) =>
    resolveTarget(c.ctx, recipe.stack, get(x, 'ComponentArn')),
  );
  const testing = components.filter(hasTestPhase);
  c.expect(recipe, 'Components', () => testing.length > 0, 'at least one component with a test phase', {
    shown: () => `${components.length} components, tests in ${testing.map((t) => t?.logicalId).join(', ') || 'none'}`,
  });
}

/** IMM-1: an image (or pipeline) is tested and scanned, from a tested recipe, on an IMDSv2 build host without a key pair. */
function assessImageBuild(c: Collector, p: ResourceRef): void {
  c.expect(p, 'ImageTestsConfiguration.ImageTestsEnabled', orAbsent(isTrue), 'true', { absent: '(default: true)' });
  c.expect(p, 'ImageScanningConfiguration.ImageScanningEnabled', isTrue, 'true (Inspector scans every image)');
  const recipe = targetOf(c.ctx, p, 'ImageRecipeArn');
  if (!recipe) {
    c.expect(p, 'ImageRecipeArn', resolves, 'a recipe of this environment');
    return;
  }
  assessRecipe(c, recipe);
  const infra = targetOf(c.ctx, p, 'InfrastructureConfigurationArn');
  if (infra) {
    c.expect(infra, 'InstanceMetadataOptions.HttpTokens', equals('required'), 'required (IMDSv2)');
    c.expect(infra, 'KeyPair', noKeyPair, 'no key pair', { absent: '(none)' });
  }
}

const enabled: Predicate = (v) => v !== 'DISABLED';

/** IMM-1: the golden-image pipeline builds from a declared base, tests and scans every image. */
export function checkImm1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const pipelines = c.resources('Image Builder pipeline', 'AWS::ImageBuilder::ImagePipeline');
  for (const p of [...pipelines, ...resourcesOf(ctx.stacks, 'AWS::ImageBuilder::Image')]) assessImageBuild(c, p);
  for (const p of pipelines) c.expect(p, 'Status', enabled, 'ENABLED', { absent: '(default: ENABLED)' });
  return c.finish(
    'IMM-1',
    'the pipeline builds from a base declared in code, runs test components on the new image and scans it with Inspector; builds use IMDSv2 and no key pair',
  );
}

/** A launch template version that does not move by itself: a number or the template's `LatestVersionNumber`. */
const explicitVersion: Predicate = (version) =>
  (isRecord(version) && Array.isArray(version['Fn::GetAtt']) && version['Fn::GetAtt'][1] === 'LatestVersionNumber') ||
  asNumber(version) !== undefined;

/** Launch before terminate: the refresh keeps 100% healthy and may go above it. */
const launchBeforeTerminate: Predicate = (prefs) => {
  const max = asNumber(get(prefs, 'MaxHealthyPercentage'));
  return asNumber(get(prefs, 'MinHealthyPercentage')) === 100 && max !== undefined && max > 100;
};

/** IMM-2: new images reach the fleet through new launch template versions and a launch-before-terminate refresh; nothing patches in place. */
export function checkImm2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const asg of c.resources('Auto Scaling group', 'AWS::AutoScaling::AutoScalingGroup')) {
    c.expect(
      asg,
      'LaunchTemplate.Version',
      explicitVersion,
      'an explicit version (never $Latest/$Default), so refreshes can roll back',
    );
    c.expect(
      asg,
      'UpdatePolicy.AutoScalingInstanceRefresh.Preferences',
      launchBeforeTerminate,
      'MinHealthyPercentage 100, MaxHealthyPercentage > 100 (launch before terminate)',
    );
    const lt = targetOf(ctx, asg, 'LaunchTemplate.LaunchTemplateId');
    if (lt) c.expect(lt, 'LaunchTemplateData.KeyName', noKeyPair, 'no SSH key pair', { absent: '(none)' });
  }
  c.found(
    rolloutRule(ctx),
    'EventPattern',
    'a new image starts the rollout function',
    'no EventBridge rule starts a rollout when a new image becomes available',
    { shown: (pattern) => get(pattern, 'detail') },
  );
  const patching = resourcesOf(
    ctx.stacks,
    'AWS::SSM::PatchBaseline',
    'AWS::SSM::Association',
    'AWS::SSM::MaintenanceWindow',
    'AWS::SSM::MaintenanceWindowTask',
  );
  for (const p of patching) c.check(p, 'Type', p.resource.Type, false, 'no in-place patching resources');
  return c.finish(
    'IMM-2',
    'the fleet names an explicit launch template version, refreshes launch-before-terminate, a new image starts the rollout function, and no patch baseline, association or maintenance window exists',
  );
}

/** IMM-3: every fleet replaces its nodes within 1-7 days. */
export function checkImm3(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const asg of c.resources('Auto Scaling group', 'AWS::AutoScaling::AutoScalingGroup'))
    assessMaxInstanceLifetime(c, asg);
  return c.finish('IMM-3', 'every Auto Scaling group replaces its nodes within 1-7 days');
}

/** IMM-4: images rebuild at least daily regardless of base changes, and roll out without a human. */
export function checkImm4(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const p of c.resources('Image Builder pipeline', 'AWS::ImageBuilder::ImagePipeline')) {
    c.expect(p, 'Schedule.ScheduleExpression', runsAtLeastEvery(24), 'at least daily');
    c.expect(
      p,
      'Schedule.PipelineExecutionStartCondition',
      equals('EXPRESSION_MATCH_ONLY'),
      'EXPRESSION_MATCH_ONLY (build even when the base did not change: package fixes)',
    );
    c.expect(p, 'Status', enabled, 'ENABLED', { absent: '(default: ENABLED)' });
  }
  c.found(
    rolloutRule(ctx),
    'Targets',
    'the rollout function, no human step',
    'no EventBridge rule rolls a new image out automatically',
  );
  return c.finish(
    'IMM-4',
    'the pipeline builds at least daily whether or not the base changed, and every new image starts an automatic rollout',
  );
}

/** Lifecycle policy details that delete AMIs and their snapshots beyond the last `n` or more (COUNT). */
const keepsLast =
  (n: number): Predicate =>
  (details, at) => {
    const keep = asArray(details).find(
      (d) =>
        get(d, 'Action.Type') === 'DELETE' &&
        isTrue(get(d, 'Action.IncludeResources.Amis')) &&
        isTrue(get(d, 'Action.IncludeResources.Snapshots')) &&
        get(d, 'Filter.Type') === 'COUNT',
    );
    return atLeast(n)(get(keep, 'Filter.Value'), at);
  };

/** IMM-5: old golden images and their snapshots are deleted, keeping the last N. */
export function checkImm5(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const policies = c.resources('Image Builder lifecycle policy', 'AWS::ImageBuilder::LifecyclePolicy');
  const amiTags = resourcesOf(ctx.stacks, 'AWS::ImageBuilder::DistributionConfiguration').flatMap((d) =>
    asArray(prop(d, 'Distributions')).map((x) => keyValues(get(x, 'AmiDistributionConfiguration.AmiTags'))),
  );
  const selectsAmis: Predicate = (tagMap) => {
    const selector = keyValues(tagMap);
    return (
      Object.keys(selector).length > 0 &&
      amiTags.some((tags) => Object.entries(selector).every(([k, v]) => tags[k] === v))
    );
  };
  for (const p of policies) {
    c.expect(p, 'ResourceType', equals('AMI_IMAGE'), 'AMI_IMAGE');
    c.expect(p, 'PolicyDetails', keepsLast(2), 'DELETE AMIs and snapshots beyond the last N >= 2 (COUNT)', {
      shown: asArray,
    });
    c.expect(p, 'ResourceSelection.TagMap', selectsAmis, 'tags the pipeline puts on its AMIs', { shown: keyValues });
  }
  return c.finish(
    'IMM-5',
    'a lifecycle policy deletes golden AMIs and their snapshots beyond the last N (N >= 2 for rollback)',
  );
}

/** Launch templates the fleets launch from. */
function fleetLaunchTemplates(ctx: CheckContext): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::AutoScaling::AutoScalingGroup').flatMap((asg) => {
    const lt = targetOf(ctx, asg, 'LaunchTemplate.LaunchTemplateId');
    return lt ? [lt] : [];
  });
}

/** IMM-6: the instance role allows named actions only and carries no administrator policy. */
function assessInstanceRole(c: Collector, role: ResourceRef): void {
  const statements = policyStatementsOf(c.ctx, 'AWS::IAM::Policy', 'Roles', role);
  const wildcard = statements
    .filter(isAllow)
    .flatMap((s) => asArray(get(s, 'Action')))
    .filter((a) => String(a).includes('*'));
  const managed = asArray(prop(role, 'ManagedPolicyArns')).map((m) => flat(m).split('/').pop());
  c.check(
    role,
    'instance role policies',
    `managed: ${managed.join(', ') || 'none'}; ${statements.length} inline statements${wildcard.length ? `, wildcard actions ${wildcard.join(', ')}` : ''}`,
    wildcard.length === 0 && !managed.includes('AdministratorAccess'),
    'named actions only, no administrator policy',
  );
}

/** IMM-6: every EBS volume of the template is declared and encrypted with a customer key of this environment. */
function assessVolumes(c: Collector, lt: ResourceRef): void {
  const ebs = (mappings: unknown) => asArray(mappings).filter((b) => get(b, 'Ebs') !== undefined);
  c.expect(
    lt,
    'LaunchTemplateData.BlockDeviceMappings',
    (v) => ebs(v).length > 0,
    'the root volume declared (so its encryption is)',
    { shown: (v) => `${ebs(v).length} EBS volumes` },
  );
  // The volumes are numbered among the EBS mappings (as the rows always were).
  ebs(prop(lt, 'LaunchTemplateData.BlockDeviceMappings')).forEach((b, i) => {
    c.check(
      lt,
      `Properties.LaunchTemplateData.BlockDeviceMappings.${i}.Ebs`,
      `Encrypted ${show(get(b, 'Ebs.Encrypted'))}, key ${show(get(b, 'Ebs.KmsKeyId'))}`,
      isTrue(get(b, 'Ebs.Encrypted')) && customerKey(get(b, 'Ebs.KmsKeyId'), { ctx: c.ctx, ref: lt }),
      'encrypted with a customer key of this environment',
    );
  });
}

/** IMM-6: IMDSv2 with hop limit 1, encrypted root volume with a customer key, no key pair, detailed monitoring, narrow role. */
export function checkImm6(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const lts = fleetLaunchTemplates(ctx);
  c.requireSome(lts, 'fleet launch template');
  for (const lt of lts) {
    const d = (p: string) => prop(lt, `LaunchTemplateData.${p}`);
    c.expect(lt, 'LaunchTemplateData.MetadataOptions.HttpTokens', equals('required'), 'required (IMDSv2)');
    c.expect(lt, 'LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit', (v) => asNumber(v) === 1, '1');
    assessVolumes(c, lt);
    c.expect(lt, 'LaunchTemplateData.KeyName', noKeyPair, 'no key pair', { absent: '(none)' });
    c.expect(lt, 'LaunchTemplateData.Monitoring.Enabled', isTrue, 'true (detailed monitoring)');
    const profile = resolveTarget(ctx, lt.stack, d('IamInstanceProfile.Arn') ?? d('IamInstanceProfile.Name'));
    const roles = asArray(profile ? prop(profile, 'Roles') : undefined).map((r) => resolveTarget(ctx, lt.stack, r));
    for (const role of roles) if (role) assessInstanceRole(c, role);
  }
  return c.finish(
    'IMM-6',
    'fleet instances require IMDSv2 (hop limit 1), encrypt their volumes with a customer key, have no key pair, detailed monitoring and a role with named actions only',
  );
}

/** The availability zones of a list of subnets. */
function zonesOf(subnets: unknown, { ctx, ref }: ValueAt): Set<string> {
  const refs = asArray(subnets).map((s) => resolveTarget(ctx, ref.stack, s));
  return new Set(refs.flatMap((s) => (s ? [flat(prop(s, 'AvailabilityZone'))] : [])));
}

/** IMM-7: the fleet spans at least two AZs and the ALB's health checks decide instance health. */
export function checkImm7(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const asg of c.resources('Auto Scaling group', 'AWS::AutoScaling::AutoScalingGroup')) {
    c.expect(asg, 'VPCZoneIdentifier', (v, at) => zonesOf(v, at).size >= 2, 'subnets in at least two AZs', {
      shown: (v, at) => {
        const azs = zonesOf(v, at);
        return `${asArray(v).length} subnets in ${azs.size} AZs (${[...azs].join(', ')})`;
      },
    });
    c.expect(asg, 'HealthCheckType', equals('ELB'), 'ELB');
    c.expect(asg, 'MinSize', atLeast(2), '>= 2 (one node per AZ at least)');
    c.expect(asg, 'TargetGroupARNs', allReferTo('AWS::ElasticLoadBalancingV2::TargetGroup'), 'the ALB target group');
    for (const g of asArray(prop(asg, 'TargetGroupARNs')).map((t) => resolveTarget(ctx, asg.stack, t))) {
      if (!g) continue;
      c.expect(
        g,
        'HealthCheckPath',
        (v) => prop(g, 'HealthCheckEnabled') !== false && v !== undefined,
        'an HTTP(S) health check',
      );
    }
  }
  return c.finish(
    'IMM-7',
    'every fleet spans at least two AZs with at least two nodes and is health-checked by the ALB',
  );
}

/** IMM-8: every image is copied to the DR region under that region's key. */
export function checkImm8(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const dists = c.resources('Image Builder distribution configuration', 'AWS::ImageBuilder::DistributionConfiguration');
  const aliases = resourcesOf(ctx.stacks, 'AWS::KMS::Alias');
  for (const d of dists) {
    const entries = asArray(prop(d, 'Distributions'));
    const regions = entries.map((e) => get(e, 'Region'));
    c.check(
      d,
      'Properties.Distributions[].Region',
      regions,
      regions.some((r) => typeof r === 'string' && r !== d.stack.region),
      `another region than ${d.stack.region ?? '(unknown)'}`,
    );
    entries.forEach((e, i) => {
      const region = get(e, 'Region');
      const key = get(e, 'AmiDistributionConfiguration.KmsKeyId');
      const local = resolveTarget(ctx, d.stack, key);
      let ok = local?.resource.Type === 'AWS::KMS::Key' && region === d.stack.region;
      let found = local ? local.logicalId : '';
      if (!ok && typeof key === 'string' && arnRegion(key) === region) {
        const aliasName = /:(alias\/.+)$/.exec(key)?.[1];
        const alias = aliases.find((a) => a.stack.region === region && prop(a, 'AliasName') === aliasName);
        ok = aliasName === undefined || alias !== undefined;
        found = alias ? resourceKey(alias) : '';
      }
      c.check(
        d,
        `Properties.Distributions.${i}.AmiDistributionConfiguration.KmsKeyId`,
        `${show(region)}: ${show(key)}${found ? ` = ${found}` : ''}`,
        ok,
        "a customer key of the distribution's own region",
      );
    });
  }
  return c.finish('IMM-8', "every golden image is distributed to the DR region, encrypted with that region's own key");
}
