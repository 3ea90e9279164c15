import { RELEASE_BLOCK_BEGIN } from '../../release/contract';
import { BACKUP_COMPLETION_HOURS, COPY_ALLOWANCE_HOURS } from '../../tenant/bound';
import { Collector } from './collector';
import { atMost, isDeny, notTrue, present, retainedAtLeast } from './predicates';
import { policyStatementsOf, targetOf } from './query';
import { asArray, asNumber, flat, get, isRecord, prop, resourcesOf, show } from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

/** The data bucket: named `<app>-<env>-<account>-<region>-data` (lib/config/naming.ts). */
function dataBuckets(ctx: CheckContext): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::S3::Bucket').filter((b) => /-data$/.test(String(prop(b, 'BucketName') ?? '')));
}

const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject'];

/** pgaudit loaded and logging, from the instance's parameter group; the `postgresql` log exported (DATA-9). */
function assessPgaudit(c: Collector, db: ResourceRef): void {
  const group = targetOf(c.ctx, db, 'DBParameterGroupName');
  const parameters = group ? prop(group, 'Parameters') : undefined;
  const p = isRecord(parameters) ? parameters : {};
  const preload = String(p['shared_preload_libraries'] ?? '');
  const ref = group ?? db;
  c.check(
    ref,
    'Properties.Parameters.shared_preload_libraries',
    preload || undefined,
    preload
      .split(',')
      .map((s) => s.trim())
      .includes('pgaudit'),
    'includes pgaudit',
  );
  const log = String(p['pgaudit.log'] ?? '');
  c.check(
    ref,
    'Properties.Parameters.pgaudit.log',
    log || undefined,
    log !== '' && !/^\s*none\s*$/i.test(log),
    'statement classes to log (not none); the migration turns it off for the app role only',
  );
  const exports = (v: unknown) => asArray(v).map(String);
  c.expect(
    db,
    'EnableCloudwatchLogsExports',
    (v) => exports(v).includes('postgresql'),
    'includes postgresql (pgaudit lines reach CloudWatch Logs)',
    { shown: exports },
  );
}

/**
 * DATA-9: tenant isolation below the application's query code, and human
 * access to customer data logged. From the templates: pgaudit in the database
 * parameter group with the `postgresql` log exported; the data bucket denies
 * the app's role (and so every URL it signs) any object outside `tenants/*`;
 * where the fleet boots a release, the boot script runs the release's
 * migrate.js, which creates the row-level security policies and the app role
 * (tested against a real PostgreSQL in test/app/).
 */
export function checkData9(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const db of c.resources('database instance', 'AWS::RDS::DBInstance')) assessPgaudit(c, db);

  const buckets = dataBuckets(ctx);
  c.requireSome(buckets, 'customer data bucket (*-data)');
  for (const b of buckets) {
    const scoped = policyStatementsOf(ctx, 'AWS::S3::BucketPolicy', 'Bucket', b).filter((s) => {
      if (!isDeny(s)) return false;
      const actions = asArray(get(s, 'Action')).map(String);
      const notResource = asArray(get(s, 'NotResource')).map(flat);
      const principal = flat(get(s, 'Condition.ArnLike'));
      return (
        OBJECT_ACTIONS.every((a) => actions.includes(a)) &&
        notResource.length > 0 &&
        notResource.every((r) => r.endsWith('/tenants/*')) &&
        /fleet-node/.test(principal)
      );
    });
    c.check(
      b,
      'BucketPolicy: Deny the app role objects outside tenants/*',
      scoped.length ? `${scoped.length} statement(s)` : 'none',
      scoped.length > 0,
      'a Deny of s3:GetObject and s3:PutObject with NotResource <bucket>/tenants/* for the fleet role',
    );
  }

  const templates = resourcesOf(ctx.stacks, 'AWS::EC2::LaunchTemplate');
  const booting = templates.filter((t) => flat(prop(t, 'LaunchTemplateData.UserData')).includes(RELEASE_BLOCK_BEGIN));
  // Tenant data is served by the release the boot script fetches; without one nothing sets up RLS.
  c.requireSome(booting, 'launch template that boots a release (and runs its migration)');
  const migrates = (userData: unknown) => flat(userData).includes('migrate.js');
  for (const t of booting) {
    c.expect(
      t,
      'LaunchTemplateData.UserData',
      migrates,
      "the boot script runs the release's migrate.js (row-level security, app role NOBYPASSRLS)",
      { shown: (v) => (migrates(v) ? 'runs migrate.js before the service' : 'no migrate.js step') },
    );
  }
  return c.finish(
    'DATA-9',
    "pgaudit logs every role but the app's to the exported postgresql log; the data bucket denies the app role any object outside tenants/*; row-level security and the confined app role come with the release's migration",
  );
}

/** DATA-10: the longest a recovery point or copy is kept, and the longest a backup job may take, in the plans. */
function assessBackupExpiry(
  c: Collector,
  plans: readonly ResourceRef[],
): { retention: number; completionHours: number } {
  let retention = 0;
  let completionHours = 0;
  for (const plan of plans) {
    asArray(prop(plan, 'BackupPlan.BackupPlanRule')).forEach((r, i) => {
      const rule = `BackupPlan.BackupPlanRule.${i}`;
      c.expect(plan, `${rule}.Lifecycle.DeleteAfterDays`, isNumber, 'a number of days (every recovery point expires)');
      retention = Math.max(retention, asNumber(get(r, 'Lifecycle.DeleteAfterDays')) ?? 0);
      completionHours = Math.max(completionHours, (asNumber(get(r, 'CompletionWindowMinutes')) ?? 0) / 60);
      asArray(get(r, 'CopyActions')).forEach((a, j) => {
        c.expect(
          plan,
          `${rule}.CopyActions.${j}.Lifecycle.DeleteAfterDays`,
          isNumber,
          'a number of days (every copy expires)',
        );
        retention = Math.max(retention, asNumber(get(a, 'Lifecycle.DeleteAfterDays')) ?? 0);
      });
    });
  }
  c.check(
    plans[0] ?? { stack: c.ctx.stacks[0]!, logicalId: '(none)', resource: { Type: 'AWS::Backup::BackupPlan' } },
    'Properties.BackupPlan.BackupPlanRule[].CompletionWindowMinutes',
    `${completionHours} h`,
    completionHours > 0 && completionHours <= BACKUP_COMPLETION_HOURS,
    `<= ${BACKUP_COMPLETION_HOURS} h (the erasure bound assumes it)`,
  );
  return { retention, completionHours };
}

const isNumber = (v: unknown) => asNumber(v) !== undefined;

/** DATA-10: nothing holds a tenant's data past the bound: vault locks cap recovery points, data objects are deletable, erasure records outlive the bound. */
function assessErasureHolds(c: Collector, retention: number, boundDays: number): void {
  for (const v of c.resources('backup vault', 'AWS::Backup::BackupVault')) {
    c.expect(
      v,
      'LockConfiguration.MaxRetentionDays',
      atMost(retention),
      `set and <= ${retention} days (no recovery point, manual ones included, outlives the plan)`,
    );
  }
  for (const b of dataBuckets(c.ctx)) {
    c.expect(b, 'ObjectLockEnabled', notTrue, 'false: every object version of a tenant can be deleted', {
      shown: (lock) => lock ?? false,
    });
  }
  const logs = resourcesOf(c.ctx.stacks, 'AWS::Logs::LogGroup').filter((g) =>
    String(prop(g, 'LogGroupName') ?? '').endsWith('/data/erasures'),
  );
  c.requireSome(logs, 'erasure log group (*/data/erasures)');
  for (const g of logs) {
    c.expect(
      g,
      'RetentionInDays',
      retainedAtLeast(boundDays),
      `>= ${boundDays} days (erasure records outlive the last backup)`,
    );
    c.expect(g, 'KmsKeyId', present, 'a customer key');
  }
}

/**
 * DATA-10: a tenant's data can be erased on request and the date by which the
 * last backup holding it expires is bounded by the templates: every backup
 * rule and copy expires, the vault lock caps any recovery point, the data
 * bucket has no Object Lock (object versions can be deleted), and the erasure
 * log group keeps the erasure records longer than the bound.
 */
export function checkData10(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const plans = c.resources('backup plan', 'AWS::Backup::BackupPlan');
  const { retention } = assessBackupExpiry(c, plans);
  const boundDays = Math.ceil(retention + (BACKUP_COMPLETION_HOURS + COPY_ALLOWANCE_HOURS) / 24);
  assessErasureHolds(c, retention, boundDays);
  if (!c.failed) {
    const db = resourcesOf(ctx.stacks, 'AWS::RDS::DBInstance')[0];
    c.fact({
      stack: plans[0]!.stack.stackName,
      logicalId: plans[0]!.logicalId,
      type: 'AWS::Backup::BackupPlan',
      path: 'erasure bound (computed)',
      value: `last backup copy holding an erased tenant expires <= ${boundDays} days after the erasure${db ? ` (PITR ${show(prop(db, 'BackupRetentionPeriod'))} days)` : ''}`,
      ok: true,
      expected: `max retention ${retention} d + completion ${BACKUP_COMPLETION_HOURS} h + copy ${COPY_ALLOWANCE_HOURS} h`,
    });
  }
  return c.finish(
    'DATA-10',
    `tenant erasure is bounded: every backup and copy expires within ${retention} days, the vault lock caps recovery points, data objects are deletable, erasure records are kept >= ${boundDays} days`,
  );
}
