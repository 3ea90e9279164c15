import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import type { AccessLog } from './access-log';
import { type Documents, TenantClosedError } from './documents';
import type { ObjectUrls } from './storage';
import { tenantContext, TenantError, type TenantContext } from './tenant';

export interface AppDeps {
  /** The version this build was packed as (`npm run app:pack -- --version V`). */
  readonly buildVersion: string;
  /** The release record the boot script writes after the checksum matched. */
  readonly releaseFile: string;
  readonly pool: Pool;
  readonly documents: Documents;
  readonly urls: ObjectUrls;
  readonly log: AccessLog;
  /** How long a database probe result is reused, so health checks do not load the database. @default 5000 */
  readonly dbProbeCacheMs?: number;
  readonly now?: () => number;
}

const SHA256 = /^[0-9a-f]{64}$/;
const MAX_BODY = 16 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Whether the release record names this build: the boot script writes it only after the SHA-256 matched. */
export function releaseStatus(file: string, buildVersion: string): { ok: boolean; release: unknown; reason?: string } {
  let release: unknown;
  try {
    release = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, release: null, reason: `cannot read ${file}: ${(e as Error).message}` };
  }
  const r = release as { version?: unknown; sha256?: unknown };
  if (r?.version !== buildVersion) {
    return {
      ok: false,
      release,
      reason: `release file names version ${String(r?.version)}, this build is ${buildVersion}`,
    };
  }
  if (typeof r.sha256 !== 'string' || !SHA256.test(r.sha256)) {
    return { ok: false, release, reason: 'release file has no verified sha256' };
  }
  return { ok: true, release };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'request body must be a JSON object');
  }
}

const CONTENT_TYPE = /^[\w.+-]+\/[\w.+-]+$/;

/** The request handler: health, readiness and the tenant-scoped documents API. */
export function createHandler(deps: AppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const now = deps.now ?? Date.now;
  let probe: { at: number; ok: boolean; error?: string } | undefined;
  const database = async () => {
    const cacheMs = deps.dbProbeCacheMs ?? 5000;
    if (probe && now() - probe.at < cacheMs) return probe;
    try {
      await Promise.race([
        deps.pool.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 2 s')), 2000).unref()),
      ]);
      probe = { at: now(), ok: true };
    } catch (e) {
      probe = { at: now(), ok: false, error: (e as Error).message };
    }
    return probe;
  };

  const route = async (
    req: IncomingMessage,
    ctx: { tenant?: TenantContext; route: string; resource?: string },
  ): Promise<{ status: number; body: unknown }> => {
    const url = new URL(req.url ?? '/', 'https://app.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === '/healthz' && method === 'GET') {
      ctx.route = 'GET /healthz';
      // 200 depends on the release only: a database blip must not fail every node at once.
      const release = releaseStatus(deps.releaseFile, deps.buildVersion);
      const db = await database();
      return {
        status: release.ok ? 200 : 503,
        body: {
          status: release.ok ? 'ok' : 'unverified-release',
          version: deps.buildVersion,
          release: release.release,
          ...(release.reason ? { reason: release.reason } : {}),
          database: db.ok ? 'reachable' : 'unreachable',
        },
      };
    }
    if (url.pathname === '/readyz' && method === 'GET') {
      ctx.route = 'GET /readyz';
      const db = await database();
      return { status: db.ok ? 200 : 503, body: { database: db.ok ? 'reachable' : 'unreachable', error: db.error } };
    }
    const m = /^\/v1\/documents(?:\/([^/]+))?$/.exec(url.pathname);
    if (!m) {
      ctx.route = `${method} (unknown)`;
      throw new HttpError(404, 'not found');
    }
    ctx.route = m[1] === undefined ? `${method} /v1/documents` : `${method} /v1/documents/:id`;
    let tenant: TenantContext;
    try {
      tenant = ctx.tenant = tenantContext(req.headers);
    } catch (e) {
      if (e instanceof TenantError) throw new HttpError(401, e.message);
      throw e;
    }
    if (m[1] === undefined && method === 'POST') {
      const body = await readJson(req);
      const name = body.name;
      const contentType = body.contentType ?? 'application/octet-stream';
      if (typeof name !== 'string' || name.length < 1 || name.length > 255) {
        throw new HttpError(400, 'name must be a string of 1-255 characters');
      }
      if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) {
        throw new HttpError(400, 'contentType must be a MIME type such as text/plain');
      }
      const document = await deps.documents.create(tenant.tenant, tenant.principal, name, contentType);
      ctx.resource = `document/${document.id}`;
      const upload = await deps.urls.upload(tenant.tenant, document.objectKey, contentType);
      return { status: 201, body: { document, upload } };
    }
    if (m[1] === undefined && method === 'GET') {
      ctx.resource = 'documents';
      return { status: 200, body: { documents: await deps.documents.list(tenant.tenant) } };
    }
    if (m[1] !== undefined && method === 'GET') {
      ctx.resource = `document/${m[1]}`;
      const document = await deps.documents.get(tenant.tenant, m[1]);
      // Another tenant's ID looks exactly like a missing one.
      if (!document) throw new HttpError(404, 'no such document');
      const download = await deps.urls.download(tenant.tenant, document.objectKey);
      return { status: 200, body: { document, download } };
    }
    throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    const ctx: { tenant?: TenantContext; route: string; resource?: string } = { route: `${req.method} ?` };
    const finish = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(text);
      deps.log({
        time: new Date(now()).toISOString(),
        tenant: ctx.tenant?.tenant ?? null,
        principal: ctx.tenant?.principal ?? null,
        method: req.method ?? '?',
        route: ctx.route,
        resource: ctx.resource ?? null,
        status,
        latencyMs: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      });
    };
    route(req, ctx).then(
      ({ status, body }) => finish(status, body),
      (e: unknown) => {
        if (e instanceof HttpError) return finish(e.status, { error: e.message });
        if (e instanceof TenantClosedError) return finish(403, { error: e.message });
        finish(500, { error: 'internal error' });
      },
    );
  };
}

/** The HTTPS server: TLS 1.2 or newer only. */
export function createAppServer(deps: AppDeps, tls: { cert: string; key: string }): Server {
  return createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' }, createHandler(deps));
}
