import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  type KMSClient,
  paginateListAliases,
} from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand, paginateDescribeDBParameters } from '@aws-sdk/client-rds';
import {
  GetBucketEncryptionCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  dataBucketName,
  dbInstanceIdentifier,
  drReplicaBucketName,
  sessionTranscriptBucketName,
} from '../../config/naming';
import type { CheckResult } from '../verify';
import { absent, judge, mustBeOn, type LiveContext, liveFamily, orMissing } from './check';

const customerKey = async (kms: KMSClient, keyId: string) =>
  (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;

/** DATA-1 (and NET-1, DATA-7 for the database): the PostgreSQL instance as RDS reports it. */
const dbId = (ctx: LiveContext) => dbInstanceIdentifier(ctx.env.tags.application, ctx.env.name);

export const database = liveFamily('rds.exists', 'DATA-1', dbId, async (ctx, id) => {
  const db = (
    await orMissing(
      () => ctx.live.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id })),
      'DBInstanceNotFoundFault',
      'DBInstanceNotFound',
    )
  )?.DBInstances?.[0];
  if (!db) return [absent('rds.exists', 'DATA-1', id, 'the environment database')];
  const key = db.KmsKeyId ? await customerKey(ctx.live.kms, db.KmsKeyId) : undefined;
  const rows: CheckResult[] = [
    judge({
      check: 'rds.encrypted-cmk',
      control: 'DATA-1',
      resource: id,
      property: 'StorageEncrypted, KmsKeyId (KeyManager)',
      found: `${db.StorageEncrypted ?? false}, ${db.KmsKeyId ?? '-'} (${key?.KeyManager ?? '?'})`,
      required: 'true, a customer-managed key',
      ok: db.StorageEncrypted === true && key?.KeyManager === 'CUSTOMER',
    }),
    judge({
      check: 'rds.multi-az',
      control: 'DATA-1',
      resource: id,
      property: 'MultiAZ',
      found: db.MultiAZ ?? false,
      required: `${ctx.env.database.multiAz} (database.multiAz of the configuration)`,
      ok: (db.MultiAZ ?? false) === ctx.env.database.multiAz,
    }),
    mustBeOn('rds.deletion-protection', 'DATA-7', id, 'DeletionProtection', db.DeletionProtection),
    judge({
      check: 'rds.pitr-window',
      control: 'DATA-1',
      resource: id,
      property: 'BackupRetentionPeriod (days)',
      found: db.BackupRetentionPeriod ?? 0,
      required: '>= 7',
      ok: (db.BackupRetentionPeriod ?? 0) >= 7,
    }),
    judge({
      check: 'rds.not-public',
      control: 'NET-1',
      resource: id,
      property: 'PubliclyAccessible',
      found: db.PubliclyAccessible ?? false,
      required: 'false',
      ok: db.PubliclyAccessible !== true,
    }),
  ];
  const group = db.DBParameterGroups?.[0]?.DBParameterGroupName;
  let forceSsl: string | undefined;
  if (group) {
    for await (const page of paginateDescribeDBParameters({ client: ctx.live.rds }, { DBParameterGroupName: group })) {
      forceSsl = page.Parameters?.find((p) => p.ParameterName === 'rds.force_ssl')?.ParameterValue ?? forceSsl;
    }
  }
  rows.push(
    judge({
      check: 'rds.force-ssl',
      control: 'DATA-1',
      resource: `${id} (parameter group ${group ?? '-'})`,
      property: 'rds.force_ssl',
      found: forceSsl,
      required: '1',
      ok: forceSsl === '1',
    }),
  );
  return rows;
});

/** The environment's buckets: named `<application>-<environment>-...` or `<environment>-<stack>...` (CDK's generated names). */
async function environmentBuckets(ctx: LiveContext): Promise<string[]> {
  const app = ctx.env.tags.application.toLowerCase();
  const env = ctx.env.name.toLowerCase();
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.live.s3.send(new ListBucketsCommand({ ContinuationToken: token }));
    names.push(...(page.Buckets ?? []).flatMap((b) => (b.Name ? [b.Name] : [])));
    token = page.ContinuationToken;
  } while (token);
  return names.filter((n) => n.startsWith(`${app}-${env}-`) || n.startsWith(`${env}-`)).sort();
}

const secureTransportDenied = (policy: string | undefined) => {
  if (!policy) return false;
  const statements = (JSON.parse(policy) as { Statement?: unknown }).Statement;
  return ([] as Record<string, unknown>[]).concat((statements ?? []) as Record<string, unknown>[]).some((s) => {
    const cond = JSON.stringify(s.Condition ?? {});
    return s.Effect === 'Deny' && /"aws:SecureTransport":"false"/.test(cond);
  });
};

async function bucketRows(s3: S3Client, bucket: string, kmsRequired: boolean): Promise<CheckResult[]> {
  const enc = await orMissing(
    () => s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })),
    'ServerSideEncryptionConfigurationNotFoundError',
  );
  const algorithm =
    enc?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  const block = (
    await orMissing(
      () => s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
      'NoSuchPublicAccessBlockConfiguration',
    )
  )?.PublicAccessBlockConfiguration;
  const policy = (await orMissing(() => s3.send(new GetBucketPolicyCommand({ Bucket: bucket })), 'NoSuchBucketPolicy'))
    ?.Policy;
  const versioning = (await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
  const allBlocked =
    block?.BlockPublicAcls && block.BlockPublicPolicy && block.IgnorePublicAcls && block.RestrictPublicBuckets;
  return [
    judge({
      check: 's3.encryption',
      control: 'DATA-2',
      resource: bucket,
      property: 'SSEAlgorithm',
      found: algorithm,
      required: kmsRequired ? 'aws:kms' : 'aws:kms (AES256 only where the service requires it, e.g. ALB logs)',
      ok: algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse' || (!kmsRequired && algorithm === 'AES256'),
    }),
    judge({
      check: 's3.public-access-block',
      control: 'DATA-2',
      resource: bucket,
      property: 'PublicAccessBlockConfiguration',
      found: block,
      required: 'all four settings true',
      ok: allBlocked === true,
    }),
    judge({
      check: 's3.tls-only',
      control: 'DATA-2',
      resource: bucket,
      property: 'Policy (Deny when aws:SecureTransport=false)',
      found: policy
        ? secureTransportDenied(policy)
          ? 'denies non-TLS requests'
          : 'no such Deny statement'
        : 'no bucket policy',
      required: 'a Deny statement on aws:SecureTransport=false',
      ok: secureTransportDenied(policy),
    }),
    judge({
      check: 's3.versioning',
      control: 'DATA-2',
      resource: bucket,
      property: 'Versioning Status',
      found: versioning,
      required: 'Enabled',
      ok: versioning === 'Enabled',
    }),
  ];
}

/** DATA-2 for every bucket of the environment, DATA-4 for the data bucket's replication. */
export const buckets = liveFamily('s3.exists', 'DATA-2', 'buckets', async (ctx) => {
  const { application: app } = ctx.env.tags;
  const data = dataBucketName(app, ctx.env.name, ctx.env.account, ctx.env.region);
  const replica = drReplicaBucketName(app, ctx.env.name, ctx.env.account);
  const kmsBuckets = new Set([
    data,
    replica,
    sessionTranscriptBucketName(app, ctx.env.name, ctx.env.account, ctx.env.region),
  ]);
  const names = await environmentBuckets(ctx);
  const rows: CheckResult[] = [];
  if (!names.includes(data)) rows.push(absent('s3.exists', 'DATA-2', data, 'the customer data bucket'));
  for (const name of names)
    rows.push(...(await bucketRows(name === replica ? ctx.dr.s3 : ctx.live.s3, name, kmsBuckets.has(name))));
  if (names.includes(data)) {
    const config = (
      await orMissing(
        () => ctx.live.s3.send(new GetBucketReplicationCommand({ Bucket: data })),
        'ReplicationConfigurationNotFoundError',
      )
    )?.ReplicationConfiguration;
    const rule = config?.Rules?.find((r) => r.Status === 'Enabled' && r.Destination?.Bucket?.endsWith(`:::${replica}`));
    rows.push(
      judge({
        check: 's3.replication',
        control: 'DATA-4',
        resource: data,
        property: 'ReplicationConfiguration.Rules[Status, Destination, ReplicaKmsKeyID]',
        found: (config?.Rules ?? []).map(
          (r) =>
            `${r.Status} ${r.Destination?.Bucket} ${r.Destination?.EncryptionConfiguration?.ReplicaKmsKeyID ?? 'no replica key'}`,
        ),
        required: `an Enabled rule to ${replica} under a DR-region key`,
        ok: rule !== undefined && !!rule.Destination?.EncryptionConfiguration?.ReplicaKmsKeyID,
      }),
    );
  }
  return rows;
});

async function keyRows(kms: KMSClient, prefix: string, region: string): Promise<CheckResult[]> {
  const rows: CheckResult[] = [];
  for await (const page of paginateListAliases({ client: kms }, {})) {
    for (const alias of page.Aliases ?? []) {
      if (!alias.AliasName?.startsWith(prefix) || !alias.TargetKeyId) continue;
      const meta = await customerKey(kms, alias.TargetKeyId);
      const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: alias.TargetKeyId }));
      rows.push(
        judge({
          check: 'kms.rotation',
          control: 'DATA-6',
          resource: `${alias.AliasName} (${region})`,
          property: 'KeyManager, KeyRotationEnabled, RotationPeriodInDays',
          found: `${meta?.KeyManager}, ${rotation.KeyRotationEnabled ?? false}, ${rotation.RotationPeriodInDays ?? 365}`,
          required: 'CUSTOMER, true, <= 365',
          ok:
            meta?.KeyManager === 'CUSTOMER' &&
            rotation.KeyRotationEnabled === true &&
            (rotation.RotationPeriodInDays ?? 365) <= 365,
        }),
      );
    }
  }
  return rows;
}

/** DATA-6: every key alias of the environment, in both regions, names a customer key that rotates yearly. */
export const keys = liveFamily(
  'kms.rotation',
  'DATA-6',
  (ctx) => `alias/${ctx.env.tags.application}/${ctx.env.name}/*`,
  async (ctx) => {
    const prefix = `alias/${ctx.env.tags.application}/${ctx.env.name}/`;
    const rows = [
      ...(await keyRows(ctx.live.kms, prefix, ctx.env.region)),
      ...(await keyRows(ctx.dr.kms, prefix, ctx.env.drRegion)),
    ];
    return rows.length ? rows : [absent('kms.rotation', 'DATA-6', `${prefix}*`, 'the per-data-class key aliases')];
  },
);
