import { Client, type ClientConfig } from 'pg';
import { APP_DB_USER } from '../../lib/release/contract';
import { staticPassword } from '../../app/src/credentials';
import { createPool, type DbSettings } from '../../app/src/db';
import { migrate } from '../../app/src/schema';
import type { TestPostgres } from '../helpers/postgres';

export const APP_PASSWORD = 'app-test-password';

/** A superuser connection with verify-full TLS against the test CA. */
export function superuserConfig(pg: TestPostgres, extra: Partial<ClientConfig> = {}): ClientConfig {
  return {
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: pg.superuser,
    password: pg.superuserPassword,
    ssl: { ca: pg.ca, rejectUnauthorized: true, servername: pg.tlsName },
    ...extra,
  };
}

export async function withSuperuser<T>(pg: TestPostgres, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client(superuserConfig(pg));
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** Runs the migration, then gives the app role a password: only the test cluster has one (AWS uses IAM tokens). */
export async function migrateAndSetPassword(pg: TestPostgres): Promise<void> {
  await withSuperuser(pg, async (c) => {
    await migrate(c);
    await c.query(`ALTER ROLE ${APP_DB_USER} PASSWORD '${APP_PASSWORD}'`);
  });
}

export function appDbSettings(pg: TestPostgres, extra: Partial<DbSettings> = {}): DbSettings {
  return {
    host: pg.host,
    port: pg.port,
    database: pg.database,
    user: APP_DB_USER,
    ca: pg.ca,
    servername: pg.tlsName,
    credentials: staticPassword(APP_PASSWORD),
    ...extra,
  };
}

/** The app's pool; idle connections that break when the cluster stops at the end of a file are not errors. */
export function appPool(pg: TestPostgres, extra: Partial<DbSettings> = {}) {
  const pool = createPool(appDbSettings(pg, extra));
  pool.on('error', () => undefined);
  return pool;
}
