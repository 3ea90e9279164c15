import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Client } from 'pg';
import { OperationError } from '../ops/errors';

/** The app's schema and customer tables (app/src/schema.ts); every one has tenant_id. */
export const APP_SCHEMA = 'app';
export const TENANT_TABLES = ['tenants', 'documents'] as const;

export interface TenantRow {
  readonly state: 'active' | 'erasing' | 'erased';
  readonly erased_at: Date | null;
}

/** Runs `fn` in one transaction with `app.tenant` set, so row-level security scopes the operator too. */
export async function inTenant<T>(db: Client, tenant: string, fn: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    await db.query("SELECT set_config('app.tenant', $1, true)", [tenant]);
    const r = await fn();
    await db.query('COMMIT');
    return r;
  } catch (e) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}

/** The tenant's row; unknown and erased tenants are clear errors. */
export async function requireTenant(db: Client, tenant: string, allowErasing: boolean): Promise<TenantRow> {
  const r = await inTenant(db, tenant, () =>
    db.query<TenantRow>(`SELECT state, erased_at FROM ${APP_SCHEMA}.tenants WHERE tenant_id = $1`, [tenant]),
  );
  const row = r.rows[0];
  if (!row) throw new OperationError(`unknown tenant "${tenant}": no such tenant in ${APP_SCHEMA}.tenants`);
  if (row.state === 'erased') {
    throw new OperationError(
      `tenant "${tenant}" was already erased on ${row.erased_at?.toISOString() ?? '?'}; nothing to do`,
    );
  }
  if (row.state === 'erasing' && !allowErasing) {
    throw new OperationError(
      `tenant "${tenant}" is being erased (an erasure stopped half way); finish it with tenant:erase`,
    );
  }
  return row;
}

/** The tenant's rows of every customer table. */
export async function tenantRows(db: Client, tenant: string): Promise<Record<string, Record<string, unknown>[]>> {
  return inTenant(db, tenant, async () => {
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const table of TENANT_TABLES) {
      const order = table === 'tenants' ? 'tenant_id' : 'created_at, id';
      const r = await db.query(`SELECT * FROM ${APP_SCHEMA}.${table} WHERE tenant_id = $1 ORDER BY ${order}`, [tenant]);
      out[table] = r.rows as Record<string, unknown>[];
    }
    return out;
  });
}

export async function listCurrentObjects(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function readObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

export interface ObjectVersion {
  readonly Key: string;
  readonly VersionId: string;
}

/** Every version and delete marker under the prefix (replication does not carry deletes of versions). */
export async function listAllVersions(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ versions: ObjectVersion[]; deleteMarkers: ObjectVersion[] }> {
  const versions: ObjectVersion[] = [];
  const deleteMarkers: ObjectVersion[] = [];
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const r = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionMarker,
      }),
    );
    for (const v of r.Versions ?? []) if (v.Key && v.VersionId) versions.push({ Key: v.Key, VersionId: v.VersionId });
    for (const d of r.DeleteMarkers ?? [])
      if (d.Key && d.VersionId) deleteMarkers.push({ Key: d.Key, VersionId: d.VersionId });
    if (!r.IsTruncated) break;
    keyMarker = r.NextKeyMarker;
    versionMarker = r.NextVersionIdMarker;
  }
  return { versions, deleteMarkers };
}

/** Deletes the given versions, 1000 per request; any error stops with what is left. */
export async function deleteVersions(s3: S3Client, bucket: string, items: readonly ObjectVersion[]): Promise<number> {
  let deleted = 0;
  for (let i = 0; i < items.length; i += 1000) {
    const batch = items.slice(i, i + 1000);
    const r = await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: batch.map((o) => ({ Key: o.Key, VersionId: o.VersionId })), Quiet: true },
      }),
    );
    if (r.Errors?.length) {
      const e = r.Errors[0]!;
      throw new OperationError(
        `s3://${bucket}: ${r.Errors.length} versions not deleted (first: ${e.Key} ${e.VersionId}: ${e.Code} ${e.Message})`,
      );
    }
    deleted += batch.length;
  }
  return deleted;
}
