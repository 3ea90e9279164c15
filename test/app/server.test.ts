import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from 'node:tls';
import { CreateBucketCommand, GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fileAccessLog } from '../../app/src/access-log';
import { Documents } from '../../app/src/documents';
import { createAppServer } from '../../app/src/server';
import { ObjectUrls } from '../../app/src/storage';
import { useMoto } from '../helpers/moto';
import { describePg, usePostgres } from '../helpers/postgres';
import { appPool, migrateAndSetPassword } from './helpers';

const BUCKET = 'acme-saas-test-data';
const VERSION = '1.4.2';
const SHA = 'a'.repeat(64);

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

describePg('reference app over HTTPS (real PostgreSQL 15, moto S3)', () => {
  const pg = usePostgres();
  const moto = useMoto();
  let dir: string;
  let server: ReturnType<typeof createAppServer>;
  let port: number;
  let pool: ReturnType<typeof appPool>;
  let s3: S3Client;
  let cert: string;
  const releaseFile = () => path.join(dir, 'release.json');
  const logFile = () => path.join(dir, 'log', 'access.log');

  const call = (method: string, p: string, headers: Record<string, string> = {}, body?: unknown) =>
    new Promise<Reply>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method,
          path: p,
          ca: cert,
          servername: 'localhost',
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
          );
        },
      );
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  const as = (tenant: string, principal = `${tenant}-user`) => ({ 'x-tenant-id': tenant, 'x-principal': principal });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'app-test-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'].concat([
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
      ]),
      { cwd: dir, stdio: 'ignore' },
    );
    cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    await migrateAndSetPassword(pg.get());
    pool = appPool(pg.get());
    s3 = new S3Client({ ...moto.get().clientConfig, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    writeFileSync(releaseFile(), JSON.stringify({ version: VERSION, sha256: SHA }));
    server = createAppServer(
      {
        buildVersion: VERSION,
        releaseFile: releaseFile(),
        pool,
        documents: new Documents(pool),
        urls: new ObjectUrls(s3, BUCKET, 60),
        log: fileAccessLog(path.join(dir, 'log')),
        dbProbeCacheMs: 0,
      },
      { cert, key: readFileSync(path.join(dir, 'key.pem'), 'utf8') },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }, 60_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await pool?.end();
    s3?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('/healthz', () => {
    test('200 when the release file names this build, with database reachability in the body', async () => {
      const r = await call('GET', '/healthz');
      expect(r).toEqual({
        status: 200,
        body: { status: 'ok', version: VERSION, release: { version: VERSION, sha256: SHA }, database: 'reachable' },
      });
    });

    test('503 when the release file names another version, is missing or unverified', async () => {
      writeFileSync(releaseFile(), JSON.stringify({ version: '1.4.1', sha256: SHA }));
      expect((await call('GET', '/healthz')).status).toBe(503);
      writeFileSync(releaseFile(), JSON.stringify({ version: VERSION, sha256: '-' }));
      expect((await call('GET', '/healthz')).status).toBe(503);
      rmSync(releaseFile());
      const missing = await call('GET', '/healthz');
      expect(missing.status).toBe(503);
      expect(missing.body.reason).toMatch(/cannot read/);
      writeFileSync(releaseFile(), JSON.stringify({ version: VERSION, sha256: SHA }));
    });

    test('a database outage does not fail /healthz (no fleet replacement during a failover); /readyz reports it', async () => {
      const downPool = appPool(pg.get(), { port: 1, connectionTimeoutMillis: 500 });
      const down = createAppServer(
        {
          buildVersion: VERSION,
          releaseFile: releaseFile(),
          pool: downPool,
          documents: new Documents(downPool),
          urls: new ObjectUrls(s3, BUCKET, 60),
          log: () => undefined,
          dbProbeCacheMs: 0,
        },
        { cert, key: readFileSync(path.join(dir, 'key.pem'), 'utf8') },
      );
      await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
      const saved = port;
      port = (down.address() as AddressInfo).port;
      try {
        expect(await call('GET', '/healthz')).toMatchObject({ status: 200, body: { database: 'unreachable' } });
        expect(await call('GET', '/readyz')).toMatchObject({ status: 503, body: { database: 'unreachable' } });
      } finally {
        port = saved;
        await new Promise((resolve) => down.close(resolve));
        await downPool.end();
      }
    });
  });

  test('TLS below 1.2 is refused', async () => {
    const err = await new Promise<Error>((resolve) => {
      const s = connect({
        host: '127.0.0.1',
        port,
        ca: cert,
        servername: 'localhost',
        maxVersion: 'TLSv1.1',
        minVersion: 'TLSv1',
      });
      s.on('error', resolve);
      s.on('secureConnect', () => {
        s.destroy();
        resolve(new Error('connected'));
      });
    });
    expect(err.message).not.toBe('connected');
  });

  describe('documents: content only through presigned URLs under the tenant prefix', () => {
    let aDoc: { id: string; objectKey: string };
    let bDoc: { id: string; objectKey: string };

    test('create returns a PUT URL for tenants/<tenant>/…; the upload lands there; get returns a GET URL', async () => {
      const created = await call('POST', '/v1/documents', as('tenant-a'), {
        name: 'plan.txt',
        contentType: 'text/plain',
      });
      expect(created.status).toBe(201);
      aDoc = created.body.document as typeof aDoc;
      expect(aDoc.objectKey).toBe(`tenants/tenant-a/documents/${aDoc.id}`);
      const upload = created.body.upload as { url: string; method: string };
      expect(upload.method).toBe('PUT');
      expect(new URL(upload.url).searchParams.get('X-Amz-Expires')).toBe('60');
      const put = await fetch(upload.url, {
        method: 'PUT',
        body: 'hello from A',
        headers: { 'content-type': 'text/plain' },
      });
      expect(put.status).toBe(200);
      const stored = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: aDoc.objectKey }));
      expect(await stored.Body!.transformToString()).toBe('hello from A');

      const got = await call('GET', `/v1/documents/${aDoc.id}`, as('tenant-a'));
      expect(got.status).toBe(200);
      const download = got.body.download as { url: string };
      expect(await (await fetch(download.url)).text()).toBe('hello from A');

      const b = await call('POST', '/v1/documents', as('tenant-b'), { name: 'b.txt', contentType: 'text/plain' });
      bDoc = b.body.document as typeof bDoc;
      await fetch((b.body.upload as { url: string }).url, {
        method: 'PUT',
        body: 'secret of B',
        headers: { 'content-type': 'text/plain' },
      });
    });

    test("tenant A cannot get, list or obtain URLs for B's documents, even with B's ID", async () => {
      expect(await call('GET', `/v1/documents/${bDoc.id}`, as('tenant-a'))).toEqual({
        status: 404,
        body: { error: 'no such document' },
      });
      const list = await call('GET', '/v1/documents', as('tenant-a'));
      expect((list.body.documents as { id: string }[]).map((d) => d.id)).toEqual([aDoc.id]);
      const urls = new ObjectUrls(s3, BUCKET, 60);
      await expect(urls.download('tenant-a', bDoc.objectKey)).rejects.toThrow(/outside the prefix tenants\/tenant-a\//);
      await expect(urls.upload('tenant-a', 'tenants/tenant-a/../tenant-b/x', 'text/plain')).rejects.toThrow(/outside/);
    });

    test('a presigned URL carries its signing time and lifetime, both under the signature', async () => {
      // moto 5.2 does not enforce X-Amz-Expires (its S3 never reads it), so the refusal of an expired URL
      // is S3's; here: the URL says when it was signed and for how long, and changing either breaks it.
      const signedAt = new Date(Date.now() - 10 * 60_000);
      const past = new ObjectUrls(s3, BUCKET, 60, () => signedAt);
      const url = new URL((await past.download('tenant-a', aDoc.objectKey)).url);
      expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
      expect(url.searchParams.get('X-Amz-Date')).toBe(
        signedAt
          .toISOString()
          .replace(/[-:]/g, '')
          .replace(/\.\d{3}/, ''),
      );
      const again = new URL(
        (await new ObjectUrls(s3, BUCKET, 61, () => signedAt).download('tenant-a', aDoc.objectKey)).url,
      );
      expect(again.searchParams.get('X-Amz-Signature')).not.toBe(url.searchParams.get('X-Amz-Signature'));
      expect(new Date((await past.download('tenant-a', aDoc.objectKey)).expiresAt).getTime()).toBe(
        signedAt.getTime() + 60_000,
      );
    });

    test('requests without a well-formed tenant context are refused', async () => {
      expect((await call('GET', '/v1/documents')).status).toBe(401);
      expect((await call('GET', '/v1/documents', { 'x-tenant-id': '../b', 'x-principal': 'x' })).status).toBe(401);
      expect((await call('POST', '/v1/documents', as('tenant-a'), { name: '' })).status).toBe(400);
    });

    test('every request is one JSON access-log line with time, tenant, principal, route, resource, status, latency', () => {
      const lines = readFileSync(logFile(), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const get = lines.find((l) => l.route === 'GET /v1/documents/:id' && l.status === 404);
      expect(get).toEqual({
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        tenant: 'tenant-a',
        principal: 'tenant-a-user',
        method: 'GET',
        route: 'GET /v1/documents/:id',
        resource: `document/${bDoc.id}`,
        status: 404,
        latencyMs: expect.any(Number),
      });
      expect(lines.filter((l) => l.route === 'POST /v1/documents' && l.status === 201)).toHaveLength(2);
    });
  });
});
