import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
  DescribeLogStreamsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { Documents, TenantClosedError } from '../../app/src/documents';
import { erasureLogGroupName } from '../../lib/config/naming';
import { buckets } from '../../lib/tenant/commands';
import { listAllVersions } from '../../lib/tenant/data';
import { runTenantCli, type TenantClients } from '../../lib/tenant/cli';
import { MOTO_ACCOUNT, useMoto } from '../helpers/moto';
import { describePg, usePostgres } from '../helpers/postgres';
import { testEnvironment, writeTestConfig } from '../ops/config';
import { appPool, migrateAndSetPassword, withSuperuser } from '../app/helpers';

const NOW = new Date('2026-12-01T12:00:00Z');

describePg('tenant export and erase (real PostgreSQL 15, moto S3 and CloudWatch Logs)', () => {
  const pg = usePostgres();
  const moto = useMoto();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tenant-cli-'));
  const env = testEnvironment('dev', MOTO_ACCOUNT);
  const b = buckets(env);
  let config: string;
  let pool: ReturnType<typeof appPool>;
  let docs: Documents;
  let failDrDeletes = false;

  const clients = (): TenantClients => {
    const c = { ...moto.get().clientConfig };
    const drS3 = new S3Client({ ...c, region: env.drRegion, forcePathStyle: true });
    const send = drS3.send.bind(drS3) as (cmd: unknown) => Promise<unknown>;
    (drS3 as unknown as { send: (cmd: unknown) => Promise<unknown> }).send = (cmd: unknown) =>
      failDrDeletes && cmd instanceof DeleteObjectsCommand
        ? Promise.reject(new Error('simulated: DR region unreachable'))
        : send(cmd);
    return {
      sts: new STSClient(c),
      s3: new S3Client({ ...c, region: env.region, forcePathStyle: true }),
      drS3,
      logs: new CloudWatchLogsClient({ ...c, region: env.region }),
      secrets: new SecretsManagerClient(c),
    };
  };
  const run = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runTenantCli(
      [
        ...argv,
        '--env',
        'dev',
        '--config',
        config,
        '--db-url',
        `postgres://postgres@localhost:${pg.get().port}/postgres`,
        '--db-auth',
        'pgpassword',
        '--db-ca',
        pg.get().caFile,
      ],
      {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        env: { PGPASSWORD: pg.get().superuserPassword },
        createClients: clients,
        now: () => NOW,
      },
    );
    return { code, stdout, stderr };
  };
  const s3 = (region: string) => new S3Client({ ...moto.get().clientConfig, region, forcePathStyle: true });

  beforeAll(async () => {
    config = writeTestConfig(dir, MOTO_ACCOUNT);
    await migrateAndSetPassword(pg.get());
    pool = appPool(pg.get());
    docs = new Documents(pool);
    const primary = s3(env.region);
    const dr = s3(env.drRegion);
    for (const [client, bucket, region] of [
      [primary, b.primary, env.region],
      [dr, b.dr, env.drRegion],
    ] as const) {
      await client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' },
        }),
      );
      await client.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
    for (const tenant of ['tenant-a', 'tenant-b']) {
      const d = await docs.create(tenant, `${tenant}-user`, 'notes.txt', 'text/plain');
      for (const client of [primary, dr]) {
        const bucket = client === primary ? b.primary : b.dr;
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: d.objectKey, Body: `v1 of ${tenant}` }));
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: d.objectKey, Body: `v2 of ${tenant}` }));
      }
    }
    // A deleted object: a delete marker over an old version.
    await primary.send(new PutObjectCommand({ Bucket: b.primary, Key: 'tenants/tenant-a/documents/old', Body: 'old' }));
    await primary.send(new DeleteObjectCommand({ Bucket: b.primary, Key: 'tenants/tenant-a/documents/old' }));
    primary.destroy();
    dr.destroy();
    const logs = new CloudWatchLogsClient({ ...moto.get().clientConfig, region: env.region });
    await logs.send(new CreateLogGroupCommand({ logGroupName: erasureLogGroupName(env.tags.application, env.name) }));
    logs.destroy();
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  test('export writes the rows as JSON lines, the objects and a manifest whose checksums match; nothing of another tenant', async () => {
    const out = path.join(dir, 'export-a');
    const r = await run('export', '--tenant', 'tenant-a', '--out', out);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/exported tenant tenant-a of dev: 2 rows, 1 objects, 3 files/);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      tenant: 'tenant-a',
      environment: 'dev',
      exportedBy: expect.stringContaining(MOTO_ACCOUNT),
      counts: { rows: { tenants: 1, documents: 1 }, objects: 1 },
    });
    for (const f of manifest.files as { path: string; sha256: string; bytes: number }[]) {
      const content = readFileSync(path.join(out, f.path));
      expect(createHash('sha256').update(content).digest('hex')).toBe(f.sha256);
      expect(content.toString()).not.toMatch(/tenant-b/);
    }
    const rows = readFileSync(path.join(out, 'rows/documents.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual([expect.objectContaining({ tenant_id: 'tenant-a', name: 'notes.txt' })]);
    const objectFile = manifest.files.find((f: { path: string }) => f.path.startsWith('objects/documents/')).path;
    expect(readFileSync(path.join(out, objectFile), 'utf8')).toBe('v2 of tenant-a');
    expect(await run('export', '--tenant', 'tenant-a', '--out', out)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/is not empty/),
    });
  });

  test('unknown tenants and bad flags are clear errors', async () => {
    expect(await run('erase', '--tenant', 'tenant-zzz')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/unknown tenant "tenant-zzz"/),
    });
    expect(await run('erase', '--tenant', 'Tenant A')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/not a tenant ID/),
    });
    const withPassword = await runTenantCli(
      [
        'erase',
        '--env',
        'dev',
        '--config',
        config,
        '--tenant',
        'tenant-a',
        '--db-url',
        'postgres://u:secret@h/db',
        '--db-ca',
        pg.get().caFile,
      ],
      {
        stdout: () => undefined,
        stderr: (t) => expect(t).toMatch(/must not contain a password/),
        env: {},
        createClients: clients,
      },
    );
    expect(withPassword).toBe(2);
  });

  test('--dry-run shows the counts and the bound and changes nothing', async () => {
    const r = await run('erase', '--tenant', 'tenant-a', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/rows: +documents 1/);
    expect(r.stdout).toMatch(/primary: .*3 object versions, 1 delete markers/);
    expect(r.stdout).toMatch(/DR: .*2 object versions, 0 delete markers/);
    expect(r.stdout).toMatch(/last locked backup holding this tenant's data expires by 2027-03-02/);
    expect(r.stdout).toMatch(/dry run: nothing was changed/);
    const v = await listAllVersions(s3(env.region), b.primary, 'tenants/tenant-a/');
    expect(v.versions).toHaveLength(3);
    expect(await docs.list('tenant-a')).toHaveLength(1);
  });

  test('a failure half way says what is done and left; running again resumes; the record is written once done', async () => {
    failDrDeletes = true;
    const failed = await run('erase', '--tenant', 'tenant-a');
    failDrDeletes = false;
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/stopped at "delete object versions \(DR\)": simulated: DR region unreachable/);
    expect(failed.stderr).toMatch(/done: mark the tenant erasing, delete object versions \(primary\)/);
    expect(failed.stderr).toMatch(/run the same command again to resume/);
    expect((await listAllVersions(s3(env.region), b.primary, 'tenants/tenant-a/')).versions).toHaveLength(0);
    // From the first step on, the app refuses the tenant.
    await expect(docs.create('tenant-a', 'x', 'y', 'text/plain')).rejects.toThrow(TenantClosedError);
    await expect(run('export', '--tenant', 'tenant-a', '--out', path.join(dir, 'x'))).resolves.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is being erased/),
    });

    const resumed = await run('erase', '--tenant', 'tenant-a');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/resuming an erasure that stopped half way/);
    expect(resumed.stdout).toMatch(/erased tenant tenant-a; erasure record in \/acme-saas\/dev\/data\/erasures/);
    for (const [region, bucket] of [
      [env.region, b.primary],
      [env.drRegion, b.dr],
    ]) {
      const a = await listAllVersions(s3(region!), bucket!, 'tenants/tenant-a/');
      expect(a.versions.length + a.deleteMarkers.length).toBe(0);
      expect((await listAllVersions(s3(region!), bucket!, 'tenants/tenant-b/')).versions).toHaveLength(2);
    }
    await withSuperuser(pg.get(), async (c) => {
      expect(
        (await c.query("SELECT count(*)::int AS n FROM app.documents WHERE tenant_id = 'tenant-a'")).rows[0].n,
      ).toBe(0);
      expect(
        (await c.query("SELECT count(*)::int AS n FROM app.documents WHERE tenant_id = 'tenant-b'")).rows[0].n,
      ).toBe(1);
      expect((await c.query("SELECT state FROM app.tenants WHERE tenant_id = 'tenant-a'")).rows[0].state).toBe(
        'erased',
      );
    });
    const logs = new CloudWatchLogsClient({ ...moto.get().clientConfig, region: env.region });
    const logGroupName = erasureLogGroupName(env.tags.application, env.name);
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName }));
    expect(streams.logStreams).toHaveLength(1);
    const events = await logs.send(
      new GetLogEventsCommand({ logGroupName, logStreamName: streams.logStreams![0]!.logStreamName! }),
    );
    logs.destroy();
    expect(JSON.parse(events.events![0]!.message!)).toMatchObject({
      type: 'tenant-erasure',
      tenant: 'tenant-a',
      who: expect.stringContaining(MOTO_ACCOUNT),
      when: NOW.toISOString(),
      what: { rows: { documents: 1 } },
      lastBackupExpires: '2027-03-02',
      resumed: true,
    });
  });

  test('erasing or exporting an erased tenant is a clear error', async () => {
    expect(await run('erase', '--tenant', 'tenant-a')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/already erased on 2026-12-01T12:00:00/),
    });
    expect(await run('export', '--tenant', 'tenant-a', '--out', path.join(dir, 'y'))).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/already erased/),
    });
  });
});
