import { Collector } from './collector';
import { atLeast, atMost, customerKey, equals, inside, isDeny } from './predicates';
import { acknowledgedReasons, referrers, resourceKey, sameResource, targetOf } from './query';
import {
  arnRegion,
  asArray,
  asNumber,
  get,
  hoursBetweenRuns,
  prop,
  referencedIds,
  resolveTarget,
  resourcesOf,
  runsAtLeastMonthly,
  show,
} from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

/** Backups, replication and restore drills (DATA-3, DATA-4, DATA-5). */

/** DATA-3's longest retention of a recovery point. */
export const MAX_BACKUP_RETENTION_DAYS = 365;

/** The vault name and region a backup vault ARN names. */
function vaultArnParts(arn: unknown): { region?: string; name?: string } {
  if (typeof arn !== 'string') return {};
  const m = /^arn:[^:]+:backup:([^:]*):[^:]*:backup-vault:(.+)$/.exec(arn);
  return m ? { region: m[1] || undefined, name: m[2] } : { region: arnRegion(arn) };
}

/** DATA-3: every rule of a backup plan copies its recovery points to a vault in another region. */
export function assessBackupPlanCopies(c: Collector, plan: ResourceRef): boolean {
  const rules = asArray(prop(plan, 'BackupPlan.BackupPlanRule'));
  let ok = rules.length > 0;
  if (rules.length === 0)
    c.expect(plan, 'BackupPlan.BackupPlanRule', () => false, 'at least one rule', { shown: asArray });
  rules.forEach((rule, i) => {
    const copies = asArray(get(rule, 'CopyActions'));
    const regions = copies.map((a) => vaultArnParts(get(a, 'DestinationBackupVaultArn')).region);
    const here = plan.stack.region;
    ok =
      c.check(
        plan,
        `Properties.BackupPlan.BackupPlanRule.${i}.CopyActions`,
        copies.length ? copies.map((a) => get(a, 'DestinationBackupVaultArn')) : 'none',
        here !== undefined && regions.length > 0 && regions.every((r) => r !== undefined && r !== here),
        `a copy to a vault in another region than ${here ?? '(unknown stack region)'} (rule ${show(get(rule, 'RuleName'))})`,
      ) && ok;
  });
  return ok;
}

/** DATA-3: the vault cannot lose recovery points early (Vault Lock). */
export function assessVaultLock(c: Collector, vault: ResourceRef): boolean {
  return c.expect(
    vault,
    'LockConfiguration',
    inside('MinRetentionDays', atLeast(1)),
    'Vault Lock with MinRetentionDays >= 1',
  );
}

/** DATA-5: a restore-testing plan that runs at least monthly and restores something. */
export function assessRestoreTesting(c: Collector, about: ResourceRef): boolean {
  const plans = resourcesOf(c.ctx.stacks, 'AWS::Backup::RestoreTestingPlan');
  if (plans.length === 0) {
    return c.check(
      about,
      'restore testing plan',
      'none',
      false,
      `an AWS::Backup::RestoreTestingPlan beside ${about.logicalId}`,
    );
  }
  let ok = true;
  for (const p of plans) {
    ok = c.expect(p, 'ScheduleExpression', runsAtLeastMonthly, 'at least monthly') && ok;
    const name = prop(p, 'RestoreTestingPlanName');
    const selections = resourcesOf(c.ctx.stacks, 'AWS::Backup::RestoreTestingSelection').filter((s) => {
      const planRef = prop(s, 'RestoreTestingPlanName');
      return (
        sameResource(targetOf(c.ctx, s, 'RestoreTestingPlanName'), p) ||
        (typeof planRef === 'string' && planRef === name)
      );
    });
    ok =
      c.check(
        p,
        'restore testing selections',
        selections.map((s) => `${s.logicalId} (${show(prop(s, 'ProtectedResourceType'))})`),
        selections.length > 0,
        'at least one selection of resources to restore',
      ) && ok;
  }
  return ok;
}

/** DATA-3: a copy action keeps its points at most a year in a vault of another region under that region's key. */
function assessCopyAction(
  c: Collector,
  plan: ResourceRef,
  path: string,
  action: unknown,
  vaults: readonly ResourceRef[],
): void {
  c.check(
    plan,
    `${path}.Lifecycle.DeleteAfterDays`,
    get(action, 'Lifecycle.DeleteAfterDays'),
    atMost(MAX_BACKUP_RETENTION_DAYS)(get(action, 'Lifecycle.DeleteAfterDays'), { ctx: c.ctx, ref: plan }),
    `<= ${MAX_BACKUP_RETENTION_DAYS} days`,
  );
  const arn = get(action, 'DestinationBackupVaultArn');
  const { region, name } = vaultArnParts(arn);
  const dest = vaults.find(
    (v) => v.stack.region === region && region !== undefined && prop(v, 'BackupVaultName') === name,
  );
  const key = dest ? resolveTarget(c.ctx, dest.stack, prop(dest, 'EncryptionKeyArn')) : undefined;
  c.check(
    plan,
    `${path}.DestinationBackupVaultArn`,
    dest ? `${show(arn)} = ${resourceKey(dest)}, key ${key ? key.logicalId : '(not found)'}` : arn,
    dest !== undefined && key?.resource.Type === 'AWS::KMS::Key',
    "a vault of this environment in that region, encrypted with that region's own key",
  );
}

/** DATA-3: a plan backs up every 12 hours and daily, keeps points at most a year and copies each to another region. */
function assessPlanRules(c: Collector, plan: ResourceRef, vaults: readonly ResourceRef[]): void {
  const rules = asArray(prop(plan, 'BackupPlan.BackupPlanRule'));
  const intervals = rules.map((r) => hoursBetweenRuns(get(r, 'ScheduleExpression')));
  c.check(
    plan,
    'Properties.BackupPlan.BackupPlanRule[].ScheduleExpression',
    rules.map((r) => get(r, 'ScheduleExpression')),
    intervals.some((h) => h !== undefined && h <= 12) && intervals.some((h) => h === 24),
    'a rule every 12 hours (e.g. cron(0 0/12 * * ? *)) and a daily rule',
  );
  rules.forEach((_r, i) => {
    const path = `BackupPlan.BackupPlanRule.${i}`;
    c.expect(
      plan,
      `${path}.Lifecycle.DeleteAfterDays`,
      atMost(MAX_BACKUP_RETENTION_DAYS),
      `<= ${MAX_BACKUP_RETENTION_DAYS} days`,
    );
    asArray(prop(plan, `${path}.CopyActions`)).forEach((a, j) =>
      assessCopyAction(c, plan, `Properties.${path}.CopyActions.${j}`, a, vaults),
    );
  });
  assessBackupPlanCopies(c, plan);
  for (const r of rules) {
    if (!resolveTarget(c.ctx, plan.stack, get(r, 'TargetBackupVault')))
      c.problem(`${resourceKey(plan)} rule ${show(get(r, 'RuleName'))} backs up into a vault outside the templates`);
  }
}

/** DATA-3: a plan's selections name the databases of its stack. */
function assessPlanSelections(c: Collector, plan: ResourceRef): void {
  const selections = referrers(c.ctx, 'AWS::Backup::BackupSelection', 'BackupPlanId', plan);
  c.listed(plan, 'backup selections', selections, 'a selection naming the protected resources');
  const selected = new Set(selections.flatMap((s) => [...referencedIds(prop(s, 'BackupSelection.Resources'))]));
  for (const db of resourcesOf([plan.stack], 'AWS::RDS::DBInstance'))
    c.holds(db, 'in backup selection', selected.has(db.logicalId), 'named in the backup selection');
}

/** DATA-3: a vault is locked, refuses deletion of recovery points and uses a key of its own stack. */
function assessVault(c: Collector, v: ResourceRef): void {
  assessVaultLock(c, v);
  const deniesDelete = (policy: unknown) =>
    asArray(get(policy, 'Statement')).some(
      (s) => isDeny(s) && asArray(get(s, 'Action')).includes('backup:DeleteRecoveryPoint'),
    );
  c.expect(v, 'AccessPolicy', deniesDelete, 'a Deny of backup:DeleteRecoveryPoint', {
    shown: (p) => (deniesDelete(p) ? 'denies backup:DeleteRecoveryPoint' : 'no such deny'),
  });
  c.expect(
    v,
    'EncryptionKeyArn',
    (arn, at) => customerKey(arn, at) && targetOf(c.ctx, v, 'EncryptionKeyArn')?.stack === v.stack,
    "a customer key of the vault's own stack and region",
  );
}

/** DATA-3: 12-hourly and daily backups kept up to a year, copied to a locked vault in another region under its own key. */
export function checkData3(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const plans = c.resources('backup plan', 'AWS::Backup::BackupPlan');
  const vaults = c.resources('backup vault', 'AWS::Backup::BackupVault');
  for (const plan of plans) {
    assessPlanRules(c, plan, vaults);
    assessPlanSelections(c, plan);
  }
  for (const v of vaults) assessVault(c, v);
  return c.finish(
    'DATA-3',
    "backups every 12 hours and daily, kept at most a year, each copied to a locked vault in another region under that region's key; every vault is locked and refuses deletion of recovery points",
  );
}

/** DATA-4: customer objects replicate to the DR region under that region's key; other buckets say why not. */
export function checkData4(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const buckets = resourcesOf(ctx.stacks, 'AWS::S3::Bucket');
  const replicating = buckets.filter((b) => asArray(prop(b, 'ReplicationConfiguration.Rules')).length > 0);
  c.requireSome(replicating, 'bucket replicating to another region');
  const destinations = new Set<string>();
  for (const b of replicating) {
    asArray(prop(b, 'ReplicationConfiguration.Rules')).forEach((rule, i) => {
      const path = `ReplicationConfiguration.Rules.${i}`;
      c.expect(b, `${path}.Status`, equals('Enabled'), 'Enabled');
      const destArn = get(rule, 'Destination.Bucket');
      const destName = typeof destArn === 'string' ? destArn.replace(/^arn:[^:]+:s3:::/, '') : undefined;
      const dest = buckets.find((x) => destName !== undefined && prop(x, 'BucketName') === destName);
      if (dest) destinations.add(resourceKey(dest));
      const otherRegion = dest !== undefined && dest.stack.region !== undefined && dest.stack.region !== b.stack.region;
      c.check(
        b,
        `Properties.${path}.Destination.Bucket`,
        dest ? `${show(destArn)} = ${resourceKey(dest)} (${dest.stack.region})` : destArn,
        otherRegion,
        'a bucket of this environment in another region',
      );
      c.expect(
        b,
        `${path}.Destination.EncryptionConfiguration.ReplicaKmsKeyID`,
        (key) => dest !== undefined && arnRegion(key) === dest.stack.region,
        "a key of the destination's region",
      );
      c.expect(
        b,
        `${path}.SourceSelectionCriteria.SseKmsEncryptedObjects.Status`,
        equals('Enabled'),
        'Enabled (KMS-encrypted objects replicate)',
      );
    });
  }
  for (const b of buckets.filter((x) => !replicating.includes(x))) {
    const isReplica = destinations.has(resourceKey(b));
    const reasons = acknowledgedReasons(ctx, b, 'S3BucketReplicationEnabled');
    c.check(
      b,
      'Properties.ReplicationConfiguration',
      isReplica ? 'none: it is a replica' : reasons.length ? `none (acknowledged: ${reasons[0]})` : 'none',
      isReplica || reasons.length > 0,
      'replication, or an acknowledged reason why this bucket holds no customer data',
    );
  }
  return c.finish(
    'DATA-4',
    "customer objects replicate to a bucket in the DR region under that region's key; every other bucket carries an acknowledged reason",
  );
}

/** DATA-5: restore drills at least monthly over the backed-up resources, failures reported. */
export function checkData5(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const plan of c.resources('backup plan', 'AWS::Backup::BackupPlan')) assessRestoreTesting(c, plan);
  const selections = resourcesOf(ctx.stacks, 'AWS::Backup::RestoreTestingSelection');
  const drilled = new Set(selections.flatMap((s) => [...referencedIds(prop(s, 'ProtectedResourceArns'))]));
  for (const db of resourcesOf(ctx.stacks, 'AWS::RDS::DBInstance'))
    c.holds(db, 'restore drill', drilled.has(db.logicalId), 'named by a restore testing selection');
  for (const s of selections)
    c.expect(s, 'ValidationWindowHours', (v) => (asNumber(v) ?? 0) > 0, '> 0 (the restored copy is validated)');
  const reported = resourcesOf(ctx.stacks, 'AWS::Events::Rule').find((r) => {
    const pattern = prop(r, 'EventPattern');
    return (
      asArray(get(pattern, 'source')).includes('aws.backup') &&
      asArray(get(pattern, 'detail-type')).includes('Restore Job State Change') &&
      asArray(prop(r, 'Targets')).length > 0
    );
  });
  c.found(
    reported,
    'EventPattern',
    'restore job failures notify a target',
    'no EventBridge rule reports failed restore jobs',
    {
      shown: (pattern) => get(pattern, 'detail'),
    },
  );
  return c.finish(
    'DATA-5',
    'restore drills of the database and the bucket run at least monthly, are validated, and failed restores are reported',
  );
}
