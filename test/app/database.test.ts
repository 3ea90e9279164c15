import { Client } from 'pg';
import { APP_DB_USER } from '../../lib/release/contract';
import { createPool, withTenant } from '../../app/src/db';
import { Documents } from '../../app/src/documents';
import { migrate, SCHEMA } from '../../app/src/schema';
import { staticPassword } from '../../app/src/credentials';
import { describePg, usePostgres } from '../helpers/postgres';
import { appDbSettings, appPool, migrateAndSetPassword, superuserConfig, withSuperuser } from './helpers';

describePg('reference app database (real PostgreSQL 15)', () => {
  const pg = usePostgres();
  beforeAll(async () => migrateAndSetPassword(pg.get()), 60_000);

  describe('TLS with verify-full semantics', () => {
    test('the test CA and the certificate name are accepted, the session is TLS 1.2+', async () => {
      const pool = appPool(pg.get());
      try {
        const r = await pool.query<{ ssl: boolean; version: string }>(
          'SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
        );
        expect(r.rows[0]).toEqual({ ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) });
      } finally {
        await pool.end();
      }
    });

    test('a server certificate from another CA is refused', async () => {
      const pool = createPool({ ...appDbSettings(pg.get()), ca: pg.get().wrongCa });
      try {
        await expect(pool.query('SELECT 1')).rejects.toThrow(
          /self[- ]signed certificate|unable to verify|certificate/i,
        );
      } finally {
        await pool.end();
      }
    });

    test('a certificate not issued to the host name is refused (verify-full, not verify-ca)', async () => {
      const pool = createPool({ ...appDbSettings(pg.get()), servername: 'db.wrong.example' });
      try {
        await expect(pool.query('SELECT 1')).rejects.toThrow(/Hostname\/IP does not match|altnames/i);
      } finally {
        await pool.end();
      }
    });

    test('the server refuses plaintext connections (hostssl only, like rds.force_ssl)', async () => {
      const c = new Client(superuserConfig(pg.get(), { ssl: false }));
      await expect(c.connect()).rejects.toThrow(/no pg_hba.conf entry|no encryption/i);
    });
  });

  describe('migration', () => {
    test('is idempotent and safe when several nodes run it at once', async () => {
      const clients = await Promise.all(
        [1, 2, 3, 4].map(async () => {
          const c = new Client(superuserConfig(pg.get()));
          await c.connect();
          return c;
        }),
      );
      try {
        const results = await Promise.all(clients.map((c) => migrate(c)));
        expect(results.every((r) => !r.createdRole)).toBe(true);
      } finally {
        await Promise.all(clients.map((c) => c.end()));
      }
      await withSuperuser(pg.get(), async (c) => {
        const policies = await c.query('SELECT tablename FROM pg_policies WHERE schemaname = $1 ORDER BY 1', [SCHEMA]);
        expect(policies.rows.map((r) => r.tablename)).toEqual(['documents', 'tenants']);
      });
    });

    test('the app role logs in, is no superuser, cannot bypass RLS, owns nothing, has pgaudit off', async () => {
      await withSuperuser(pg.get(), async (c) => {
        const role = await c.query(
          'SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolconfig FROM pg_roles WHERE rolname = $1',
          [APP_DB_USER],
        );
        expect(role.rows[0]).toEqual({
          rolcanlogin: true,
          rolsuper: false,
          rolbypassrls: false,
          rolcreaterole: false,
          rolcreatedb: false,
          rolconfig: ['pgaudit.log=none'],
        });
        const owned = await c.query('SELECT count(*)::int AS n FROM pg_class WHERE pg_get_userbyid(relowner) = $1', [
          APP_DB_USER,
        ]);
        expect(owned.rows[0].n).toBe(0);
        const forced = await c.query(
          `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND relkind = 'r' ORDER BY 1`,
          [SCHEMA],
        );
        expect(forced.rows).toEqual([
          { relname: 'documents', relrowsecurity: true, relforcerowsecurity: true },
          { relname: 'tenants', relrowsecurity: true, relforcerowsecurity: true },
        ]);
      });
    });

    test('grants rds_iam where that role exists (RDS), and refuses an app role that could bypass RLS', async () => {
      await withSuperuser(pg.get(), async (c) => {
        await c.query('CREATE ROLE rds_iam');
        try {
          expect((await migrate(c)).grantedRdsIam).toBe(true);
          const m = await c.query(
            "SELECT 1 FROM pg_auth_members WHERE roleid = 'rds_iam'::regrole AND member = $1::regrole",
            [APP_DB_USER],
          );
          expect(m.rowCount).toBe(1);
          await c.query(`ALTER ROLE ${APP_DB_USER} BYPASSRLS`);
          await expect(migrate(c)).rejects.toThrow(/BYPASSRLS; row-level security would not bind it/);
        } finally {
          await c.query(`ALTER ROLE ${APP_DB_USER} NOBYPASSRLS`);
          await c.query(`REVOKE rds_iam FROM ${APP_DB_USER}`);
          await c.query('DROP ROLE rds_iam');
        }
      });
    });
  });

  describe('tenant isolation below the query code (DATA-9)', () => {
    let pool: ReturnType<typeof appPool>;
    let docs: Documents;
    let bDoc: { id: string };
    beforeAll(async () => {
      pool = appPool(pg.get());
      docs = new Documents(pool);
      await docs.create('tenant-a', 'alice', 'a.txt', 'text/plain');
      bDoc = await docs.create('tenant-b', 'bob', 'b.txt', 'text/plain');
    });
    afterAll(async () => pool.end());

    test("tenant A cannot read B's rows, even with B's ID and no WHERE on tenant", async () => {
      expect(await docs.get('tenant-a', bDoc.id)).toBeUndefined();
      expect(await docs.get('tenant-b', bDoc.id)).toMatchObject({ id: bDoc.id, name: 'b.txt' });
      const all = await withTenant(pool, 'tenant-a', (q) => q.query(`SELECT tenant_id FROM ${SCHEMA}.documents`));
      expect(new Set(all.rows.map((r) => r.tenant_id))).toEqual(new Set(['tenant-a']));
      const tenants = await withTenant(pool, 'tenant-a', (q) => q.query(`SELECT tenant_id FROM ${SCHEMA}.tenants`));
      expect(tenants.rows).toEqual([{ tenant_id: 'tenant-a' }]);
    });

    test("tenant A cannot list B's rows", async () => {
      expect((await docs.list('tenant-a')).map((d) => d.name)).toEqual(['a.txt']);
    });

    test("tenant A cannot overwrite or delete B's rows, nor write rows as B", async () => {
      const upd = await withTenant(pool, 'tenant-a', (q) =>
        q.query(`UPDATE ${SCHEMA}.documents SET name = 'pwned' WHERE id = $1`, [bDoc.id]),
      );
      expect(upd.rowCount).toBe(0);
      const del = await withTenant(pool, 'tenant-a', (q) =>
        q.query(`DELETE FROM ${SCHEMA}.documents WHERE id = $1`, [bDoc.id]),
      );
      expect(del.rowCount).toBe(0);
      await expect(
        withTenant(pool, 'tenant-a', (q) =>
          q.query(
            `INSERT INTO ${SCHEMA}.documents (tenant_id, name, content_type, object_key, created_by)
             VALUES ('tenant-b', 'x', 'text/plain', 'tenants/tenant-b/documents/x', 'alice')`,
          ),
        ),
      ).rejects.toThrow(/row-level security policy/);
      await expect(
        withTenant(pool, 'tenant-a', (q) => q.query(`UPDATE ${SCHEMA}.documents SET tenant_id = 'tenant-b'`)),
      ).rejects.toThrow(/row-level security policy/);
      expect(await docs.get('tenant-b', bDoc.id)).toMatchObject({ name: 'b.txt' });
    });

    test('without a tenant in the transaction the app role sees nothing', async () => {
      const r = await pool.query(`SELECT count(*)::int AS n FROM ${SCHEMA}.documents`);
      expect(r.rows[0].n).toBe(0);
    });

    test('the tenant setting ends with the transaction: a pooled connection does not carry it over', async () => {
      const single = createPool({
        ...appDbSettings(pg.get()),
        max: 1,
        credentials: staticPassword('app-test-password'),
      });
      try {
        await withTenant(single, 'tenant-b', (q) => q.query('SELECT 1'));
        const r = await single.query("SELECT coalesce(current_setting('app.tenant', true), '') AS t");
        expect(r.rows[0].t).toBe('');
      } finally {
        await single.end();
      }
    });

    test('the app role cannot turn row-level security off or take ownership', async () => {
      await expect(pool.query(`ALTER TABLE ${SCHEMA}.documents NO FORCE ROW LEVEL SECURITY`)).rejects.toThrow(
        /must be owner/,
      );
      // row_security=off makes a query that RLS would filter fail instead of bypassing it.
      await expect(
        withTenant(pool, 'tenant-a', (q) => q.query(`SET LOCAL row_security = off; SELECT * FROM ${SCHEMA}.documents`)),
      ).rejects.toThrow(/row-level security/);
    });
  });
});
