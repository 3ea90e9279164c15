import type { ClientBase } from 'pg';
import { APP_DB_USER } from '../../lib/release/contract';

/** Several nodes boot at once; they take turns on this advisory lock (any 64-bit number unique to the app). */
export const MIGRATION_LOCK_ID = 7_017_013;
export const SCHEMA = 'app';

/**
 * The schema (idempotent). Every customer table carries tenant_id and has
 * row-level security FORCEd, so even the owner is filtered; the policies
 * compare with the transaction's `app.tenant` setting (missing: NULL, no rows).
 */
export const SCHEMA_SQL = `
CREATE SCHEMA IF NOT EXISTS ${SCHEMA};
REVOKE ALL ON SCHEMA ${SCHEMA} FROM PUBLIC;
CREATE TABLE IF NOT EXISTS ${SCHEMA}.tenants (
  tenant_id text PRIMARY KEY CHECK (tenant_id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- active: serves requests; erasing: an erasure started (requests refused); erased: tombstone, no data left.
  state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'erasing', 'erased')),
  erased_at timestamptz
);
CREATE TABLE IF NOT EXISTS ${SCHEMA}.documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text NOT NULL REFERENCES ${SCHEMA}.tenants (tenant_id),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  content_type text NOT NULL,
  object_key text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (object_key LIKE 'tenants/' || tenant_id || '/%')
);
CREATE INDEX IF NOT EXISTS documents_tenant_created ON ${SCHEMA}.documents (tenant_id, created_at);
`;

/** The customer tables: each has tenant_id, RLS enabled and forced, one policy. */
export const TENANT_TABLES = ['tenants', 'documents'] as const;

function policySql(table: string): string {
  const t = `${SCHEMA}.${table}`;
  return `
ALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;
ALTER TABLE ${t} FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON ${t};
CREATE POLICY tenant_isolation ON ${t}
  USING (tenant_id = current_setting('app.tenant', true))
  WITH CHECK (tenant_id = current_setting('app.tenant', true));`;
}

export interface MigrationResult {
  readonly createdRole: boolean;
  readonly grantedRdsIam: boolean;
}

/**
 * Creates the schema and the app role on a connection of the master user.
 * Idempotent and safe when several nodes run it at once (advisory lock, one
 * transaction). The app role logs in (with RDS IAM tokens where `rds_iam`
 * exists), is no superuser, cannot bypass RLS, owns nothing, and gets only
 * the table privileges the app needs. pgaudit logs every other role's
 * statements (the parameter group); the app's own access is in its access log,
 * so the migration turns pgaudit off for the app role (DATA-9).
 */
export async function migrate(client: ClientBase, appUser: string = APP_DB_USER): Promise<MigrationResult> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(appUser)) throw new Error(`bad role name "${appUser}"`);
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
  try {
    await client.query('BEGIN');
    try {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appUser]);
      const createdRole = exists.rowCount === 0;
      if (createdRole) {
        await client.query(
          `CREATE ROLE ${appUser} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE CONNECTION LIMIT 200`,
        );
      }
      await client.query(SCHEMA_SQL);
      for (const table of TENANT_TABLES) await client.query(policySql(table));
      await client.query(`GRANT USAGE ON SCHEMA ${SCHEMA} TO ${appUser}`);
      await client.query(`GRANT SELECT, INSERT ON ${SCHEMA}.tenants TO ${appUser}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${SCHEMA}.documents TO ${appUser}`);
      const rdsIam = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
      const grantedRdsIam = (rdsIam.rowCount ?? 0) > 0;
      if (grantedRdsIam) await client.query(`GRANT rds_iam TO ${appUser}`);
      // pgaudit (loaded by the parameter group) audits every other role; RDS wants the extension created once.
      const pgaudit = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'pgaudit'");
      if (pgaudit.rowCount) await client.query('CREATE EXTENSION IF NOT EXISTS pgaudit');
      await client.query(`ALTER ROLE ${appUser} SET pgaudit.log = 'none'`);
      await assertAppRoleConfined(client, appUser);
      await client.query('COMMIT');
      return { createdRole, grantedRdsIam };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
  }
}

/** Refuses to finish the migration when the app role could get around row-level security. */
async function assertAppRoleConfined(client: ClientBase, appUser: string): Promise<void> {
  const role = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
    'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1',
    [appUser],
  );
  const r = role.rows[0];
  if (!r || r.rolsuper || r.rolbypassrls) {
    throw new Error(`role ${appUser} is SUPERUSER or BYPASSRLS; row-level security would not bind it`);
  }
  const owned = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND pg_get_userbyid(c.relowner) = $2`,
    [SCHEMA, appUser],
  );
  if (owned.rowCount) {
    throw new Error(
      `role ${appUser} owns ${owned.rows.map((o) => o.relname).join(', ')}; the app role must own nothing`,
    );
  }
  const weak = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' AND NOT (c.relrowsecurity AND c.relforcerowsecurity)`,
    [SCHEMA],
  );
  if (weak.rowCount) {
    throw new Error(`tables without forced row-level security: ${weak.rows.map((w) => w.relname).join(', ')}`);
  }
}
