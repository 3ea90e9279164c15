import { acknowledgmentsFor } from './nag-report';
import { Collector } from './collector';
import { checkShortLivedSignatures } from './signed-urls';
import {
  arnRegion,
  asArray,
  asNumber,
  conditionValue,
  constructPath,
  get,
  hoursBetweenRuns,
  isRecord,
  isTrue,
  keyValues,
  localTarget,
  prop,
  referencedIds,
  resolveTarget,
  resourcesOf,
  runsAtLeastMonthly,
  show,
} from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

/** DATA-1's point-in-time recovery floor, DATA-3's longest retention. */
export const MIN_PITR_DAYS = 7;
export const MAX_BACKUP_RETENTION_DAYS = 365;

/** DATA-8: the tags every taggable resource carries. */
export const REQUIRED_TAGS = ['application', 'environment', 'owner', 'data-classification'] as const;

/** DATA-7: resource types that hold data or keep it readable. */
export const STATEFUL_TYPES = [
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::Backup::BackupVault',
  'AWS::DynamoDB::Table',
  'AWS::EFS::FileSystem',
] as const;

const RETAIN = new Set(['Retain', 'RetainExceptOnCreate']);

/** DATA-1: the server refuses plaintext connections (`rds.force_ssl=1` in its parameter group). */
export function assessDbForceSsl(c: Collector, db: ResourceRef): boolean {
  const group = resolveTarget(c.ctx, db.stack, prop(db, 'DBParameterGroupName'));
  if (!group || group.resource.Type !== 'AWS::RDS::DBParameterGroup') {
    return c.check(
      db,
      'Properties.DBParameterGroupName',
      prop(db, 'DBParameterGroupName'),
      false,
      'a parameter group of this stack with rds.force_ssl=1',
    );
  }
  // The parameter name contains a dot, so it is read by key, not by a dotted path.
  const parameters = prop(group, 'Parameters');
  const forceSsl = isRecord(parameters) ? parameters['rds.force_ssl'] : undefined;
  return c.check(group, 'Properties.Parameters.rds.force_ssl', forceSsl, String(forceSsl) === '1', '1');
}

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
  if (rules.length === 0) c.check(plan, 'Properties.BackupPlan.BackupPlanRule', rules, false, 'at least one rule');
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
  const lock = prop(vault, 'LockConfiguration');
  const min = asNumber(get(lock, 'MinRetentionDays'));
  return c.check(
    vault,
    'Properties.LockConfiguration',
    lock,
    min !== undefined && min >= 1,
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
    const schedule = prop(p, 'ScheduleExpression');
    ok = c.check(p, 'Properties.ScheduleExpression', schedule, runsAtLeastMonthly(schedule), 'at least monthly') && ok;
    const name = prop(p, 'RestoreTestingPlanName');
    const selections = resourcesOf(c.ctx.stacks, 'AWS::Backup::RestoreTestingSelection').filter((s) => {
      const planRef = prop(s, 'RestoreTestingPlanName');
      return localTarget(planRef) === p.logicalId || (typeof planRef === 'string' && planRef === name);
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

/** DATA-1: PostgreSQL encrypted with a customer key, TLS enforced, Multi-AZ in production, protected, PITR, managed secret, isolated, logs exported. */
export function checkData1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const dbs = resourcesOf(ctx.stacks, 'AWS::RDS::DBInstance');
  c.requireSome(dbs, 'RDS database instance');
  for (const db of dbs) {
    c.check(
      db,
      'Properties.StorageEncrypted',
      prop(db, 'StorageEncrypted'),
      isTrue(prop(db, 'StorageEncrypted')),
      'true',
    );
    const key = resolveTarget(ctx, db.stack, prop(db, 'KmsKeyId'));
    c.check(
      db,
      'Properties.KmsKeyId',
      prop(db, 'KmsKeyId'),
      key?.resource.Type === 'AWS::KMS::Key',
      'a customer-managed KMS key of this environment',
    );
    assessDbForceSsl(c, db);
    const multiAz = isTrue(prop(db, 'MultiAZ'));
    c.check(
      db,
      'Properties.MultiAZ',
      prop(db, 'MultiAZ'),
      multiAz || !ctx.production,
      ctx.production ? 'true (production)' : 'true in production (not required here)',
    );
    c.check(
      db,
      'Properties.DeletionProtection',
      prop(db, 'DeletionProtection'),
      isTrue(prop(db, 'DeletionProtection')),
      'true',
    );
    const pitr = asNumber(prop(db, 'BackupRetentionPeriod'));
    c.check(
      db,
      'Properties.BackupRetentionPeriod',
      prop(db, 'BackupRetentionPeriod'),
      pitr !== undefined && pitr >= MIN_PITR_DAYS,
      `>= ${MIN_PITR_DAYS} days of point-in-time recovery`,
    );
    c.check(
      db,
      'Properties.ManageMasterUserPassword',
      prop(db, 'ManageMasterUserPassword'),
      isTrue(prop(db, 'ManageMasterUserPassword')) && prop(db, 'MasterUserPassword') === undefined,
      'true (RDS keeps and rotates the password in Secrets Manager; none in the template)',
    );
    const exports = asArray(prop(db, 'EnableCloudwatchLogsExports'));
    c.check(
      db,
      'Properties.EnableCloudwatchLogsExports',
      exports,
      exports.length > 0,
      'logs exported to CloudWatch Logs',
    );
    const sgs = asArray(prop(db, 'VPCSecurityGroups')).map((g) => resolveTarget(ctx, db.stack, g));
    for (const sg of sgs) {
      if (!sg) continue;
      const inline = asArray(prop(sg, 'SecurityGroupIngress')).map((r, i) => ({
        ref: sg,
        path: `Properties.SecurityGroupIngress.${i}`,
        rule: r,
      }));
      const standalone = resourcesOf(ctx.stacks, 'AWS::EC2::SecurityGroupIngress')
        .filter(
          (r) => resolveTarget(ctx, r.stack, prop(r, 'GroupId'))?.logicalId === sg.logicalId && r.stack === sg.stack,
        )
        .map((r) => ({ ref: r, path: 'Properties', rule: r.resource.Properties as unknown }));
      const rules = [...inline, ...standalone];
      c.check(sg, 'ingress rules', rules.length, rules.length > 0, 'at least one client (the app tier)');
      for (const { ref, path, rule } of rules) {
        const port = prop(db, 'Port') ?? prop(db, 'Endpoint.Port');
        const fromGroup = get(rule, 'SourceSecurityGroupId') !== undefined;
        const samePort = String(get(rule, 'FromPort')) === String(port) && String(get(rule, 'ToPort')) === String(port);
        c.check(
          ref,
          path,
          `${show(get(rule, 'FromPort'))}-${show(get(rule, 'ToPort'))} from ${show(get(rule, 'SourceSecurityGroupId') ?? get(rule, 'CidrIp'))}`,
          fromGroup && samePort,
          `the database port (${show(port)}) from a security group only`,
        );
      }
    }
  }
  return c.finish(
    'DATA-1',
    'PostgreSQL is encrypted with a customer key, refuses plaintext (rds.force_ssl=1), is deletion-protected with >= 7 days PITR, RDS manages its password, logs are exported, only the app tier reaches its port, Multi-AZ where production',
  );
}

function bucketPolicyStatements(bucket: ResourceRef): unknown[] {
  return resourcesOf([bucket.stack], 'AWS::S3::BucketPolicy')
    .filter((p) => localTarget(prop(p, 'Bucket')) === bucket.logicalId)
    .flatMap((p) => asArray(prop(p, 'PolicyDocument.Statement')));
}

/** Buckets that receive other buckets' server access logs (they cannot log to themselves). */
export function accessLogDestinations(ctx: CheckContext): Set<string> {
  const out = new Set<string>();
  for (const b of resourcesOf(ctx.stacks, 'AWS::S3::Bucket')) {
    const dest = resolveTarget(ctx, b.stack, prop(b, 'LoggingConfiguration.DestinationBucketName'));
    if (dest) out.add(`${dest.stack.stackName}/${dest.logicalId}`);
  }
  return out;
}

const isDeny = (s: unknown) => get(s, 'Effect') === 'Deny';

/** DATA-2: every bucket encrypted (SSE-S3 only with a recorded reason), private, TLS-only, versioned, owner-enforced, logged. */
export function checkData2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const buckets = resourcesOf(ctx.stacks, 'AWS::S3::Bucket');
  c.requireSome(buckets, 'S3 bucket');
  const logDestinations = accessLogDestinations(ctx);
  for (const b of buckets) {
    const sse = asArray(prop(b, 'BucketEncryption.ServerSideEncryptionConfiguration'))[0];
    const algorithm = get(sse, 'ServerSideEncryptionByDefault.SSEAlgorithm');
    const kms = algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse';
    const reasons = kms
      ? []
      : acknowledgmentsFor(ctx.nag, constructPath(b), 'S3DefaultEncryptionKMS').map((f) => f.reason);
    c.check(
      b,
      'Properties.BucketEncryption',
      kms
        ? `${algorithm} key ${show(get(sse, 'ServerSideEncryptionByDefault.KMSMasterKeyID'))}`
        : `${show(algorithm)}${reasons.length ? ` (acknowledged: ${reasons[0]})` : ''}`,
      (kms && get(sse, 'ServerSideEncryptionByDefault.KMSMasterKeyID') !== undefined) ||
        (algorithm === 'AES256' && reasons.length > 0),
      'SSE-KMS with a customer key, or SSE-S3 with an acknowledged reason',
    );
    const pab = prop(b, 'PublicAccessBlockConfiguration');
    c.check(
      b,
      'Properties.PublicAccessBlockConfiguration',
      pab,
      ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].every((k) =>
        isTrue(get(pab, k)),
      ),
      'all four blocks true',
    );
    c.check(
      b,
      'Properties.VersioningConfiguration.Status',
      prop(b, 'VersioningConfiguration.Status'),
      prop(b, 'VersioningConfiguration.Status') === 'Enabled',
      'Enabled',
    );
    const ownership = get(asArray(prop(b, 'OwnershipControls.Rules'))[0], 'ObjectOwnership');
    c.check(
      b,
      'Properties.OwnershipControls',
      ownership,
      ownership === 'BucketOwnerEnforced',
      'BucketOwnerEnforced (no ACLs)',
    );
    const logging = prop(b, 'LoggingConfiguration.DestinationBucketName');
    const isDestination = logDestinations.has(`${b.stack.stackName}/${b.logicalId}`);
    c.check(
      b,
      'Properties.LoggingConfiguration',
      logging !== undefined ? `to ${show(logging)}` : isDestination ? 'none: it is the access-log destination' : 'none',
      logging !== undefined || isDestination,
      'server access logs to a log bucket (the log bucket itself excepted)',
    );
    const statements = bucketPolicyStatements(b);
    const tlsOnly = statements.some(
      (s) => isDeny(s) && String(conditionValue(s, 'Bool', 'aws:SecureTransport')) === 'false',
    );
    c.check(b, 'BucketPolicy: Deny aws:SecureTransport=false', tlsOnly, tlsOnly, 'a Deny of non-TLS requests');
    const tls12 = statements.some(
      (s) => isDeny(s) && (asNumber(conditionValue(s, 'NumericLessThan', 's3:TlsVersion')) ?? 0) >= 1.2,
    );
    c.check(b, 'BucketPolicy: Deny s3:TlsVersion < 1.2', tls12, tls12, 'a Deny of TLS below 1.2');
    const publicAllow = statements.filter(
      (s) =>
        get(s, 'Effect') === 'Allow' &&
        (get(s, 'Principal') === '*' || get(s, 'Principal.AWS') === '*') &&
        get(s, 'Condition') === undefined,
    );
    // Customer data (the replicated bucket) is shared only through short-lived signed URLs.
    if (prop(b, 'ReplicationConfiguration') !== undefined) checkShortLivedSignatures(c, b, statements);
    c.check(
      b,
      'BucketPolicy: Allow to everyone',
      publicAllow.length,
      publicAllow.length === 0,
      'none (objects reach users only through signed URLs)',
    );
  }
  return c.finish(
    'DATA-2',
    'every bucket is encrypted (SSE-S3 only where acknowledged with a reason), blocks public access, refuses non-TLS and TLS < 1.2, is versioned, owner-enforced and access-logged',
  );
}

/** DATA-3: 12-hourly and daily backups kept up to a year, copied to a locked vault in another region under its own key. */
export function checkData3(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const plans = resourcesOf(ctx.stacks, 'AWS::Backup::BackupPlan');
  c.requireSome(plans, 'backup plan');
  const vaults = resourcesOf(ctx.stacks, 'AWS::Backup::BackupVault');
  c.requireSome(vaults, 'backup vault');
  for (const plan of plans) {
    const rules = asArray(prop(plan, 'BackupPlan.BackupPlanRule'));
    const intervals = rules.map((r) => hoursBetweenRuns(get(r, 'ScheduleExpression')));
    c.check(
      plan,
      'Properties.BackupPlan.BackupPlanRule[].ScheduleExpression',
      rules.map((r) => get(r, 'ScheduleExpression')),
      intervals.some((h) => h !== undefined && h <= 12) && intervals.some((h) => h === 24),
      'a rule every 12 hours (e.g. cron(0 0/12 * * ? *)) and a daily rule',
    );
    rules.forEach((r, i) => {
      const keep = asNumber(get(r, 'Lifecycle.DeleteAfterDays'));
      c.check(
        plan,
        `Properties.BackupPlan.BackupPlanRule.${i}.Lifecycle.DeleteAfterDays`,
        get(r, 'Lifecycle.DeleteAfterDays'),
        keep !== undefined && keep <= MAX_BACKUP_RETENTION_DAYS,
        `<= ${MAX_BACKUP_RETENTION_DAYS} days`,
      );
      asArray(get(r, 'CopyActions')).forEach((a, j) => {
        const copyKeep = asNumber(get(a, 'Lifecycle.DeleteAfterDays'));
        c.check(
          plan,
          `Properties.BackupPlan.BackupPlanRule.${i}.CopyActions.${j}.Lifecycle.DeleteAfterDays`,
          get(a, 'Lifecycle.DeleteAfterDays'),
          copyKeep !== undefined && copyKeep <= MAX_BACKUP_RETENTION_DAYS,
          `<= ${MAX_BACKUP_RETENTION_DAYS} days`,
        );
        const { region, name } = vaultArnParts(get(a, 'DestinationBackupVaultArn'));
        const dest = vaults.find(
          (v) => v.stack.region === region && region !== undefined && prop(v, 'BackupVaultName') === name,
        );
        const key = dest ? resolveTarget(ctx, dest.stack, prop(dest, 'EncryptionKeyArn')) : undefined;
        c.check(
          plan,
          `Properties.BackupPlan.BackupPlanRule.${i}.CopyActions.${j}.DestinationBackupVaultArn`,
          dest
            ? `${show(get(a, 'DestinationBackupVaultArn'))} = ${dest.stack.stackName}/${dest.logicalId}, key ${key ? key.logicalId : '(not found)'}`
            : get(a, 'DestinationBackupVaultArn'),
          dest !== undefined && key?.resource.Type === 'AWS::KMS::Key',
          "a vault of this environment in that region, encrypted with that region's own key",
        );
      });
    });
    assessBackupPlanCopies(c, plan);
    for (const r of rules) {
      const target = resolveTarget(ctx, plan.stack, get(r, 'TargetBackupVault'));
      if (!target)
        c.problem(
          `${plan.stack.stackName}/${plan.logicalId} rule ${show(get(r, 'RuleName'))} backs up into a vault outside the templates`,
        );
    }
    const selections = resourcesOf(ctx.stacks, 'AWS::Backup::BackupSelection').filter(
      (s) => resolveTarget(ctx, s.stack, prop(s, 'BackupPlanId'))?.logicalId === plan.logicalId,
    );
    c.check(
      plan,
      'backup selections',
      selections.map((s) => s.logicalId),
      selections.length > 0,
      'a selection naming the protected resources',
    );
    const selected = new Set(selections.flatMap((s) => [...referencedIds(prop(s, 'BackupSelection.Resources'))]));
    for (const db of resourcesOf([plan.stack], 'AWS::RDS::DBInstance')) {
      c.check(
        db,
        'in backup selection',
        selected.has(db.logicalId),
        selected.has(db.logicalId),
        'named in the backup selection',
      );
    }
  }
  for (const v of vaults) {
    assessVaultLock(c, v);
    const deniesDelete = asArray(prop(v, 'AccessPolicy.Statement')).some(
      (s) => isDeny(s) && asArray(get(s, 'Action')).includes('backup:DeleteRecoveryPoint'),
    );
    c.check(
      v,
      'Properties.AccessPolicy',
      deniesDelete ? 'denies backup:DeleteRecoveryPoint' : 'no such deny',
      deniesDelete,
      'a Deny of backup:DeleteRecoveryPoint',
    );
    const key = resolveTarget(ctx, v.stack, prop(v, 'EncryptionKeyArn'));
    c.check(
      v,
      'Properties.EncryptionKeyArn',
      prop(v, 'EncryptionKeyArn'),
      key?.resource.Type === 'AWS::KMS::Key' && key.stack === v.stack,
      "a customer key of the vault's own stack and region",
    );
  }
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
      const path = `Properties.ReplicationConfiguration.Rules.${i}`;
      c.check(b, `${path}.Status`, get(rule, 'Status'), get(rule, 'Status') === 'Enabled', 'Enabled');
      const destArn = get(rule, 'Destination.Bucket');
      const destName = typeof destArn === 'string' ? destArn.replace(/^arn:[^:]+:s3:::/, '') : undefined;
      const dest = buckets.find((x) => destName !== undefined && prop(x, 'BucketName') === destName);
      if (dest) destinations.add(`${dest.stack.stackName}/${dest.logicalId}`);
      const otherRegion = dest !== undefined && dest.stack.region !== undefined && dest.stack.region !== b.stack.region;
      c.check(
        b,
        `${path}.Destination.Bucket`,
        dest ? `${show(destArn)} = ${dest.stack.stackName}/${dest.logicalId} (${dest.stack.region})` : destArn,
        otherRegion,
        'a bucket of this environment in another region',
      );
      const replicaKey = get(rule, 'Destination.EncryptionConfiguration.ReplicaKmsKeyID');
      c.check(
        b,
        `${path}.Destination.EncryptionConfiguration.ReplicaKmsKeyID`,
        replicaKey,
        dest !== undefined && arnRegion(replicaKey) === dest.stack.region,
        "a key of the destination's region",
      );
      const sseKms = get(rule, 'SourceSelectionCriteria.SseKmsEncryptedObjects.Status');
      c.check(
        b,
        `${path}.SourceSelectionCriteria.SseKmsEncryptedObjects.Status`,
        sseKms,
        sseKms === 'Enabled',
        'Enabled (KMS-encrypted objects replicate)',
      );
    });
  }
  for (const b of buckets.filter((x) => !replicating.includes(x))) {
    const isReplica = destinations.has(`${b.stack.stackName}/${b.logicalId}`);
    const reasons = acknowledgmentsFor(ctx.nag, constructPath(b), 'S3BucketReplicationEnabled').map((f) => f.reason);
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
  const plans = resourcesOf(ctx.stacks, 'AWS::Backup::BackupPlan');
  c.requireSome(plans, 'backup plan');
  for (const plan of plans) assessRestoreTesting(c, plan);
  const selections = resourcesOf(ctx.stacks, 'AWS::Backup::RestoreTestingSelection');
  const drilled = new Set(selections.flatMap((s) => [...referencedIds(prop(s, 'ProtectedResourceArns'))]));
  for (const db of resourcesOf(ctx.stacks, 'AWS::RDS::DBInstance')) {
    c.check(
      db,
      'restore drill',
      drilled.has(db.logicalId),
      drilled.has(db.logicalId),
      'named by a restore testing selection',
    );
  }
  for (const s of selections) {
    const hours = asNumber(prop(s, 'ValidationWindowHours'));
    c.check(
      s,
      'Properties.ValidationWindowHours',
      prop(s, 'ValidationWindowHours'),
      hours !== undefined && hours > 0,
      '> 0 (the restored copy is validated)',
    );
  }
  const reported = resourcesOf(ctx.stacks, 'AWS::Events::Rule').find((r) => {
    const pattern = prop(r, 'EventPattern');
    return (
      asArray(get(pattern, 'source')).includes('aws.backup') &&
      asArray(get(pattern, 'detail-type')).includes('Restore Job State Change') &&
      asArray(prop(r, 'Targets')).length > 0
    );
  });
  if (reported)
    c.check(
      reported,
      'Properties.EventPattern',
      prop(reported, 'EventPattern.detail'),
      true,
      'restore job failures notify a target',
    );
  else c.problem('no EventBridge rule reports failed restore jobs');
  return c.finish(
    'DATA-5',
    'restore drills of the database and the bucket run at least monthly, are validated, and failed restores are reported',
  );
}

/** The encryption-key properties of stateful resources, by type (for DATA-6's one-class-per-key check). */
const KEY_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'AWS::RDS::DBInstance': ['KmsKeyId', 'PerformanceInsightsKMSKeyId', 'MasterUserSecret.KmsKeyId'],
  'AWS::Backup::BackupVault': ['EncryptionKeyArn'],
  'AWS::Logs::LogGroup': ['KmsKeyId'],
  'AWS::S3::Bucket': [
    'BucketEncryption.ServerSideEncryptionConfiguration.0.ServerSideEncryptionByDefault.KMSMasterKeyID',
  ],
  'AWS::SNS::Topic': ['KmsMasterKeyId'],
  'AWS::CloudTrail::Trail': ['KMSKeyId'],
};

/** Data classes that must never share a key with anything else. */
const EXCLUSIVE_KEY_USERS = ['AWS::RDS::DBInstance', 'AWS::Backup::BackupVault', 'AWS::Logs::LogGroup'];

const isAccountRoot = (principal: unknown) => /:root["}\]]*$|:root$/.test(JSON.stringify(get(principal, 'AWS') ?? ''));

/** DATA-6: customer keys, yearly rotation, one class of data per key, least-privilege key policies. */
export function checkData6(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const keys = resourcesOf(ctx.stacks, 'AWS::KMS::Key');
  c.requireSome(keys, 'KMS key');
  const users = new Map<string, Set<string>>();
  for (const [type, paths] of Object.entries(KEY_PROPERTIES)) {
    for (const r of resourcesOf(ctx.stacks, type)) {
      for (const p of paths) {
        const v = prop(r, p);
        if (typeof v === 'string' && /alias\/aws\//.test(v))
          c.check(r, `Properties.${p}`, v, false, 'a customer-managed key, not an AWS-managed one');
        const key = resolveTarget(ctx, r.stack, v);
        if (key?.resource.Type !== 'AWS::KMS::Key') continue;
        const id = `${key.stack.stackName}/${key.logicalId}`;
        users.set(id, (users.get(id) ?? new Set()).add(type));
      }
    }
  }
  for (const k of keys) {
    c.check(
      k,
      'Properties.EnableKeyRotation',
      prop(k, 'EnableKeyRotation'),
      isTrue(prop(k, 'EnableKeyRotation')),
      'true',
    );
    const period = asNumber(prop(k, 'RotationPeriodInDays'));
    c.check(
      k,
      'Properties.RotationPeriodInDays',
      prop(k, 'RotationPeriodInDays') ?? '(default 365)',
      period === undefined || period <= 365,
      '<= 365 (yearly)',
    );
    const broad = asArray(prop(k, 'KeyPolicy.Statement')).filter(
      (s) =>
        get(s, 'Effect') === 'Allow' &&
        asArray(get(s, 'Action')).some((a) => a === '*' || a === 'kms:*') &&
        !isAccountRoot(get(s, 'Principal')),
    );
    c.check(
      k,
      'Properties.KeyPolicy',
      broad.length ? `kms:* to ${show(get(broad[0], 'Principal'))}` : 'kms:* only to the account root (IAM decides)',
      broad.length === 0,
      'no kms:* for anyone but the account root',
    );
    const types = [...(users.get(`${k.stack.stackName}/${k.logicalId}`) ?? [])];
    const exclusive = types.filter((t) => EXCLUSIVE_KEY_USERS.includes(t));
    c.check(
      k,
      'encrypts',
      types.length ? types.join(', ') : '(no stateful resource of this environment)',
      exclusive.length === 0 || types.length === 1,
      'one data class per key (database, backups and logs never share a key)',
    );
  }
  return c.finish(
    'DATA-6',
    'every key is customer-managed and rotates yearly; database, backups and logs each have their own keys; key policies grant kms:* to the account root only',
  );
}

/** DATA-7: stateful resources retained, the database deletion-protected, production stacks termination-protected. */
export function checkData7(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const stateful = resourcesOf(ctx.stacks, ...STATEFUL_TYPES);
  c.requireSome(stateful, 'stateful resource');
  for (const r of stateful) {
    const snapshotOk = r.resource.Type.startsWith('AWS::RDS::') ? ['Snapshot'] : [];
    const okPolicy = (p: string | undefined) => p !== undefined && (RETAIN.has(p) || snapshotOk.includes(p));
    c.check(
      r,
      'DeletionPolicy/UpdateReplacePolicy',
      `${r.resource.DeletionPolicy ?? '(Delete)'}/${r.resource.UpdateReplacePolicy ?? '(Delete)'}`,
      okPolicy(r.resource.DeletionPolicy) && okPolicy(r.resource.UpdateReplacePolicy),
      'Retain/Retain (Snapshot for databases)',
    );
    if (r.resource.Type === 'AWS::RDS::DBInstance' || r.resource.Type === 'AWS::RDS::DBCluster') {
      c.check(
        r,
        'Properties.DeletionProtection',
        prop(r, 'DeletionProtection'),
        isTrue(prop(r, 'DeletionProtection')),
        'true',
      );
    }
  }
  for (const s of ctx.stacks) {
    c.fact({
      stack: s.stackName,
      logicalId: '(stack)',
      type: 'manifest',
      path: 'properties.terminationProtection',
      value: s.terminationProtection ?? '(absent)',
      ok: !ctx.production || s.terminationProtection === true,
      expected: ctx.production ? 'true (production)' : 'true in production (not required here)',
    });
  }
  return c.finish(
    'DATA-7',
    `keys, buckets, log groups, databases and vaults are retained on deletion and replacement; databases are deletion-protected${ctx.production ? '; every stack is termination-protected' : ''}`,
  );
}

/** DATA-8: every taggable resource carries the four tags, with this environment's name. */
export function checkData8(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  let tagged = 0;
  for (const stack of ctx.stacks) {
    const seen = new Map<string, Set<string>>();
    let count = 0;
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const raw =
        resource.Properties?.Tags ?? resource.Properties?.BackupVaultTags ?? resource.Properties?.BackupPlanTags;
      if (raw === undefined) continue;
      count++;
      const tags = keyValues(raw);
      const ref = { stack, logicalId, resource };
      const missing = REQUIRED_TAGS.filter((k) => typeof tags[k] !== 'string' || tags[k] === '');
      if (missing.length)
        c.check(ref, 'Tags', `missing ${missing.join(', ')}`, false, `tags ${REQUIRED_TAGS.join(', ')}`);
      if (tags.environment !== undefined && tags.environment !== ctx.environment)
        c.check(ref, 'Tags.environment', tags.environment, false, ctx.environment);
      for (const k of REQUIRED_TAGS)
        if (typeof tags[k] === 'string') seen.set(k, (seen.get(k) ?? new Set()).add(String(tags[k])));
    }
    tagged += count;
    if (count > 0) {
      c.fact({
        stack: stack.stackName,
        logicalId: '(all tagged resources)',
        type: 'Tags',
        path: REQUIRED_TAGS.join(', '),
        value: `${count} resources: ${REQUIRED_TAGS.map((k) => `${k}=${[...(seen.get(k) ?? [])].join('|') || '?'}`).join(', ')}`,
        ok: true,
        expected: 'all four tags on every tagged resource',
      });
    }
  }
  c.requireSome(tagged > 0 ? [tagged] : [], 'tagged resource');
  return c.finish(
    'DATA-8',
    `every tagged resource carries ${REQUIRED_TAGS.join(', ')}, with environment=${ctx.environment}`,
  );
}
