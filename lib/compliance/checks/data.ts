import { SIGNATURE_AGE_MINUTES } from '../../config/schema';
import { Collector } from './collector';
import { accessLogDestinations } from './lookups';
import {
  atLeast,
  atMost,
  customerKey,
  deniesInsecureTransport,
  equals,
  isAllow,
  isDeny,
  isTrue,
  nonEmpty,
  orAbsent,
  refersTo,
} from './predicates';
import { acknowledgedReasons, policyStatementsOf, referrers, resourceKey, targetOf, targetsOf } from './query';
import { asArray, asNumber, conditionValue, get, isRecord, keyValues, prop, resourcesOf, show } from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

/** The database, buckets, keys, retention and tags (DATA-1, DATA-2, DATA-6, DATA-7, DATA-8); backups are in ./backup. */

/** DATA-1's point-in-time recovery floor. */
export const MIN_PITR_DAYS = 7;

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
  const group = targetOf(c.ctx, db, 'DBParameterGroupName');
  if (!group || group.resource.Type !== 'AWS::RDS::DBParameterGroup') {
    return c.expect(
      db,
      'DBParameterGroupName',
      refersTo('AWS::RDS::DBParameterGroup'),
      'a parameter group of this stack with rds.force_ssl=1',
    );
  }
  // The parameter name contains a dot, so it is read by key, not by a dotted path.
  const parameters = prop(group, 'Parameters');
  const forceSsl = isRecord(parameters) ? parameters['rds.force_ssl'] : undefined;
  return c.check(group, 'Properties.Parameters.rds.force_ssl', forceSsl, String(forceSsl) === '1', '1');
}

/** DATA-1: only the app tier reaches the database, on its port, from a security group. */
function assessDbIngress(c: Collector, db: ResourceRef): void {
  const sgs = targetsOf(c.ctx, db, 'VPCSecurityGroups');
  for (const sg of sgs) {
    if (!sg) continue;
    const inline = asArray(prop(sg, 'SecurityGroupIngress')).map((r, i) => ({
      ref: sg,
      path: `Properties.SecurityGroupIngress.${i}`,
      rule: r,
    }));
    const standalone = referrers(c.ctx, 'AWS::EC2::SecurityGroupIngress', 'GroupId', sg).map((r) => ({
      ref: r,
      path: 'Properties',
      rule: r.resource.Properties as unknown,
    }));
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

/** DATA-1: PostgreSQL encrypted with a customer key, TLS enforced, Multi-AZ in production, protected, PITR, managed secret, isolated, logs exported. */
export function checkData1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const db of c.resources('RDS database instance', 'AWS::RDS::DBInstance')) {
    c.expect(db, 'StorageEncrypted', isTrue, 'true');
    c.expect(db, 'KmsKeyId', customerKey, 'a customer-managed KMS key of this environment');
    assessDbForceSsl(c, db);
    c.expect(
      db,
      'MultiAZ',
      (v) => isTrue(v) || !ctx.production,
      ctx.production ? 'true (production)' : 'true in production (not required here)',
    );
    c.expect(db, 'DeletionProtection', isTrue, 'true');
    c.expect(db, 'BackupRetentionPeriod', atLeast(MIN_PITR_DAYS), `>= ${MIN_PITR_DAYS} days of point-in-time recovery`);
    c.expect(
      db,
      'ManageMasterUserPassword',
      (v) => isTrue(v) && prop(db, 'MasterUserPassword') === undefined,
      'true (RDS keeps and rotates the password in Secrets Manager; none in the template)',
    );
    c.expect(db, 'EnableCloudwatchLogsExports', nonEmpty, 'logs exported to CloudWatch Logs', { shown: asArray });
    assessDbIngress(c, db);
  }
  return c.finish(
    'DATA-1',
    'PostgreSQL is encrypted with a customer key, refuses plaintext (rds.force_ssl=1), is deletion-protected with >= 7 days PITR, RDS manages its password, logs are exported, only the app tier reaches its port, Multi-AZ where production',
  );
}

/** DATA-2: SSE-KMS with a customer key, or SSE-S3 with an acknowledged reason. */
function assessBucketEncryption(c: Collector, b: ResourceRef): void {
  const sse = asArray(prop(b, 'BucketEncryption.ServerSideEncryptionConfiguration'))[0];
  const algorithm = get(sse, 'ServerSideEncryptionByDefault.SSEAlgorithm');
  const kms = algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse';
  const reasons = kms ? [] : acknowledgedReasons(c.ctx, b, 'S3DefaultEncryptionKMS');
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
}

/** DATA-2: the bucket policy refuses plaintext and TLS below 1.2 and allows nobody unconditionally. */
function assessBucketPolicy(c: Collector, b: ResourceRef): void {
  const statements = bucketPolicyStatements(c, b);
  c.holds(
    b,
    'BucketPolicy: Deny aws:SecureTransport=false',
    deniesInsecureTransport(statements),
    'a Deny of non-TLS requests',
  );
  const tls12 = statements.some(
    (s) => isDeny(s) && (asNumber(conditionValue(s, 'NumericLessThan', 's3:TlsVersion')) ?? 0) >= 1.2,
  );
  c.holds(b, 'BucketPolicy: Deny s3:TlsVersion < 1.2', tls12, 'a Deny of TLS below 1.2');
  const publicAllow = statements.filter(
    (s) =>
      isAllow(s) &&
      (get(s, 'Principal') === '*' || get(s, 'Principal.AWS') === '*') &&
      get(s, 'Condition') === undefined,
  );
  // Customer data (the replicated bucket) is shared only through short-lived signed URLs.
  if (prop(b, 'ReplicationConfiguration') !== undefined) assessSignedUrls(c, b, statements);
  c.check(
    b,
    'BucketPolicy: Allow to everyone',
    publicAllow.length,
    publicAllow.length === 0,
    'none (objects reach users only through signed URLs)',
  );
}

/**
 * DATA-2, customer data buckets: signed URLs work for minutes. The bucket
 * policy refuses requests signed longer ago than the configured maximum and
 * anything not signed with SigV4, whatever expiry the signer asked for.
 */
function assessSignedUrls(c: Collector, bucket: ResourceRef, statements: readonly unknown[]): void {
  const maxMs = SIGNATURE_AGE_MINUTES.max * 60_000;
  const ages = statements
    .filter(isDeny)
    .map((s) => asNumber(conditionValue(s, 'NumericGreaterThan', 's3:signatureAge')))
    .filter((v): v is number => v !== undefined);
  const age = ages.length > 0 ? Math.min(...ages) : undefined;
  c.check(
    bucket,
    'BucketPolicy: Deny s3:signatureAge >',
    age === undefined ? '(no limit)' : `${age} ms (${age / 60_000} min)`,
    age !== undefined && age <= maxMs,
    `a Deny of requests signed more than ${SIGNATURE_AGE_MINUTES.max} minutes ago (config: dataBucket.maxSignatureAgeMinutes)`,
  );
  const sigv4 = statements.some(
    (s) => isDeny(s) && conditionValue(s, 'StringNotEquals', 's3:signatureversion') === 'AWS4-HMAC-SHA256',
  );
  c.holds(bucket, 'BucketPolicy: Deny s3:signatureversion != AWS4-HMAC-SHA256', sigv4, 'a Deny of anything but SigV4');
}

/** DATA-2: the statements of the bucket's policies. */
function bucketPolicyStatements(c: Collector, bucket: ResourceRef): unknown[] {
  return policyStatementsOf(c.ctx, 'AWS::S3::BucketPolicy', 'Bucket', bucket);
}

const PUBLIC_ACCESS_BLOCKS = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];

/** DATA-2: every bucket encrypted (SSE-S3 only with a recorded reason), private, TLS-only, versioned, owner-enforced, logged. */
export function checkData2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const buckets = c.resources('S3 bucket', 'AWS::S3::Bucket');
  const logDestinations = accessLogDestinations(ctx);
  for (const b of buckets) {
    assessBucketEncryption(c, b);
    c.expect(
      b,
      'PublicAccessBlockConfiguration',
      (pab) => PUBLIC_ACCESS_BLOCKS.every((k) => isTrue(get(pab, k))),
      'all four blocks true',
    );
    c.expect(b, 'VersioningConfiguration.Status', equals('Enabled'), 'Enabled');
    const ownership = (controls: unknown) => get(asArray(get(controls, 'Rules'))[0], 'ObjectOwnership');
    c.expect(b, 'OwnershipControls', (v) => ownership(v) === 'BucketOwnerEnforced', 'BucketOwnerEnforced (no ACLs)', {
      shown: ownership,
    });
    const isDestination = logDestinations.has(resourceKey(b));
    const to = (v: unknown) => get(v, 'DestinationBucketName');
    c.expect(
      b,
      'LoggingConfiguration',
      (v) => to(v) !== undefined || isDestination,
      'server access logs to a log bucket (the log bucket itself excepted)',
      {
        shown: (v) =>
          to(v) !== undefined ? `to ${show(to(v))}` : isDestination ? 'none: it is the access-log destination' : 'none',
      },
    );
    assessBucketPolicy(c, b);
  }
  return c.finish(
    'DATA-2',
    'every bucket is encrypted (SSE-S3 only where acknowledged with a reason), blocks public access, refuses non-TLS and TLS < 1.2, is versioned, owner-enforced and access-logged',
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
  const keys = c.resources('KMS key', 'AWS::KMS::Key');
  const users = keyUsers(c);
  for (const k of keys) assessKey(c, k, [...(users.get(resourceKey(k)) ?? [])]);
  return c.finish(
    'DATA-6',
    'every key is customer-managed and rotates yearly; database, backups and logs each have their own keys; key policies grant kms:* to the account root only',
  );
}

/** DATA-6: the types of stateful resource each customer key encrypts, by `stack/logicalId`; AWS-managed keys fail. */
function keyUsers(c: Collector): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  for (const [type, paths] of Object.entries(KEY_PROPERTIES)) {
    for (const r of resourcesOf(c.ctx.stacks, type)) {
      for (const p of paths) {
        const v = prop(r, p);
        if (typeof v === 'string' && /alias\/aws\//.test(v))
          c.check(r, `Properties.${p}`, v, false, 'a customer-managed key, not an AWS-managed one');
        const key = targetOf(c.ctx, r, p);
        if (key?.resource.Type !== 'AWS::KMS::Key') continue;
        const id = resourceKey(key);
        users.set(id, (users.get(id) ?? new Set()).add(type));
      }
    }
  }
  return users;
}

/** DATA-6: a key rotates yearly, grants kms:* to the account root only and encrypts one class of data. */
function assessKey(c: Collector, k: ResourceRef, types: readonly string[]): void {
  c.expect(k, 'EnableKeyRotation', isTrue, 'true');
  c.expect(k, 'RotationPeriodInDays', orAbsent(atMost(365)), '<= 365 (yearly)', { absent: '(default 365)' });
  const broad = asArray(prop(k, 'KeyPolicy.Statement')).filter(
    (s) =>
      isAllow(s) &&
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
  const exclusive = types.filter((t) => EXCLUSIVE_KEY_USERS.includes(t));
  c.check(
    k,
    'encrypts',
    types.length ? types.join(', ') : '(no stateful resource of this environment)',
    exclusive.length === 0 || types.length === 1,
    'one data class per key (database, backups and logs never share a key)',
  );
}

/** DATA-7: stateful resources retained, the database deletion-protected, production stacks termination-protected. */
export function checkData7(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const stateful = c.resources('stateful resource', ...STATEFUL_TYPES);
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
      c.expect(r, 'DeletionProtection', isTrue, 'true');
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
