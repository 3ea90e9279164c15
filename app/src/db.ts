import { Pool, type PoolClient } from 'pg';
import type { CredentialProvider } from './credentials';
import { validTenantId } from './tenant';

export interface DbSettings {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** PEM CA bundle the server certificate must chain to (the RDS CA bundle in AWS). */
  readonly ca: string;
  /** Name the server certificate must be issued to; defaults to `host` (verify-full). */
  readonly servername?: string;
  readonly credentials: CredentialProvider;
  readonly max?: number;
  readonly connectionTimeoutMillis?: number;
}

/**
 * TLS options with `sslmode=verify-full` semantics: the chain must lead to
 * `ca` and the certificate must name the host. Nothing falls back to
 * unverified or plaintext connections.
 */
export function tlsOptions(s: Pick<DbSettings, 'host' | 'ca' | 'servername'>) {
  return { ca: s.ca, rejectUnauthorized: true, servername: s.servername ?? s.host, minVersion: 'TLSv1.2' as const };
}

/** A connection pool; every new connection gets a fresh password from the credential provider. */
export function createPool(s: DbSettings): Pool {
  return new Pool({
    host: s.host,
    port: s.port,
    database: s.database,
    user: s.user,
    password: () => s.credentials.password(),
    ssl: tlsOptions(s),
    max: s.max ?? 10,
    connectionTimeoutMillis: s.connectionTimeoutMillis ?? 5_000,
    idleTimeoutMillis: 30_000,
    // A statement never hangs a request forever.
    statement_timeout: 10_000,
  });
}

export type Queryable = Pick<PoolClient, 'query'>;

/**
 * Runs `fn` in a transaction whose tenant is `tenant` (DATA-9): row-level
 * security policies compare every row's tenant_id with `app.tenant`, set here
 * with `set_config(..., true)` so it ends with the transaction and a pooled
 * connection never carries one tenant's context into another's request.
 */
export async function withTenant<T>(pool: Pool, tenant: string, fn: (q: Queryable) => Promise<T>): Promise<T> {
  if (!validTenantId(tenant)) throw new Error(`not a tenant ID: "${tenant}"`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}
