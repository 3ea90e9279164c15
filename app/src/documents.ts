import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { type Queryable, withTenant } from './db';
import { SCHEMA } from './schema';
import { tenantPrefix } from './tenant';

export interface Document {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly objectKey: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

interface Row {
  id: string;
  name: string;
  content_type: string;
  object_key: string;
  created_by: string;
  created_at: Date;
}

const COLUMNS = 'id, name, content_type, object_key, created_by, created_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const toDocument = (r: Row): Document => ({
  id: r.id,
  name: r.name,
  contentType: r.content_type,
  objectKey: r.object_key,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
});

/** The tenant is being erased or was erased: its data is gone or going, requests are refused. */
export class TenantClosedError extends Error {}

/** The tenant's row, created on first use; refuses tenants that are being or were erased. */
async function ensureTenant(q: Queryable, tenant: string): Promise<void> {
  await q.query(`INSERT INTO ${SCHEMA}.tenants (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING`, [tenant]);
  const r = await q.query<{ state: string }>(`SELECT state FROM ${SCHEMA}.tenants WHERE tenant_id = $1`, [tenant]);
  if (r.rows[0]?.state !== 'active')
    throw new TenantClosedError(`tenant ${tenant} is ${r.rows[0]?.state ?? 'unknown'}`);
}

/** Object key of a document: always under the tenant's prefix (DATA-9). */
export function documentObjectKey(tenant: string, id: string): string {
  return `${tenantPrefix(tenant)}documents/${id}`;
}

/**
 * Documents of one tenant. Every query runs through {@link withTenant}, so
 * row-level security decides which rows exist; the WHERE clauses on tenant_id
 * are for the index, not for isolation.
 */
export class Documents {
  constructor(private readonly pool: Pool) {}

  create(tenant: string, principal: string, name: string, contentType: string): Promise<Document> {
    return withTenant(this.pool, tenant, async (q) => {
      await ensureTenant(q, tenant);
      const id = randomUUID();
      const r = await q.query<Row>(
        `INSERT INTO ${SCHEMA}.documents (id, tenant_id, name, content_type, object_key, created_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
        [id, tenant, name, contentType, documentObjectKey(tenant, id), principal],
      );
      return toDocument(r.rows[0]!);
    });
  }

  list(tenant: string, limit = 100): Promise<Document[]> {
    return withTenant(this.pool, tenant, async (q) => {
      const r = await q.query<Row>(
        `SELECT ${COLUMNS} FROM ${SCHEMA}.documents WHERE tenant_id = $1 ORDER BY created_at, id LIMIT $2`,
        [tenant, limit],
      );
      return r.rows.map(toDocument);
    });
  }

  /** The document, or undefined when this tenant has none with that ID (another tenant's ID included). */
  get(tenant: string, id: string): Promise<Document | undefined> {
    if (!UUID.test(id)) return Promise.resolve(undefined);
    return withTenant(this.pool, tenant, async (q) => {
      const r = await q.query<Row>(`SELECT ${COLUMNS} FROM ${SCHEMA}.documents WHERE id = $1`, [id]);
      return r.rows[0] ? toDocument(r.rows[0]) : undefined;
    });
  }
}
