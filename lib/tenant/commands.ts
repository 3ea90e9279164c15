import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CreateLogStreamCommand,
  type CloudWatchLogsClient,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from 'pg';
import { dataBucketName, drReplicaBucketName, erasureLogGroupName, TENANT_OBJECT_PREFIX } from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import { OperationError, UsageError } from '../ops/errors';
import { erasureBound } from './bound';
import {
  APP_SCHEMA,
  deleteVersions,
  inTenant,
  listAllVersions,
  listCurrentObjects,
  readObject,
  requireTenant,
  TENANT_TABLES,
  tenantRows,
} from './data';

export interface TenantTargets {
  readonly db: Client;
  readonly s3: S3Client;
  readonly drS3: S3Client;
  readonly logs: CloudWatchLogsClient;
}

export interface RunInfo {
  readonly env: EnvironmentConfig;
  readonly tenant: string;
  /** The caller's ARN (STS), the "who" of manifests and erasure records. */
  readonly who: string;
  readonly now: () => Date;
  readonly log: (line: string) => void;
}

export const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export function buckets(env: EnvironmentConfig) {
  const app = env.tags.application;
  return {
    primary: dataBucketName(app, env.name, env.account, env.region),
    dr: drReplicaBucketName(app, env.name, env.account),
  };
}

interface ManifestFile {
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Writes the tenant's rows (JSON lines, one file per table), its current
 * objects and a manifest with the SHA-256 of every file into `out`, which
 * must be empty or absent (nothing is overwritten).
 */
export async function exportTenant(
  t: TenantTargets,
  run: RunInfo,
  out: string,
): Promise<{ manifest: string; files: number; rows: number; objects: number }> {
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new UsageError(`--out ${out} is not empty; give a new or empty directory (nothing is overwritten)`);
  }
  await requireTenant(t.db, run.tenant, false);
  const files: ManifestFile[] = [];
  const write = (rel: string, content: Buffer) => {
    const file = path.join(out, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    files.push({ path: rel, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') });
  };
  const rows = await tenantRows(t.db, run.tenant);
  let rowCount = 0;
  for (const table of TENANT_TABLES) {
    const lines = rows[table]!.map((r) => JSON.stringify(r));
    rowCount += lines.length;
    write(`rows/${table}.jsonl`, Buffer.from(lines.length ? `${lines.join('\n')}\n` : ''));
  }
  const { primary } = buckets(run.env);
  const prefix = `${TENANT_OBJECT_PREFIX}${run.tenant}/`;
  const keys = await listCurrentObjects(t.s3, primary, prefix);
  for (const key of keys) {
    const rel = key.slice(prefix.length);
    if (rel.split('/').some((part) => part === '..' || part === '')) {
      throw new OperationError(`object key ${key} cannot be written safely to disk`);
    }
    write(`objects/${rel}`, await readObject(t.s3, primary, key));
  }
  const manifest = {
    tenant: run.tenant,
    environment: run.env.name,
    account: run.env.account,
    exportedAt: run.now().toISOString(),
    exportedBy: run.who,
    source: { database: `${APP_SCHEMA}.{${TENANT_TABLES.join(',')}}`, bucket: `s3://${primary}/${prefix}` },
    counts: { rows: Object.fromEntries(TENANT_TABLES.map((tb) => [tb, rows[tb]!.length])), objects: keys.length },
    files,
  };
  const manifestFile = path.join(out, 'manifest.json');
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  run.log(
    `exported tenant ${run.tenant} of ${run.env.name}: ${rowCount} rows, ${keys.length} objects, ${files.length} files`,
  );
  run.log(`manifest: ${manifestFile} (SHA-256 of every file)`);
  return { manifest: manifestFile, files: files.length, rows: rowCount, objects: keys.length };
}

export interface ErasureCounts {
  readonly rows: Record<string, number>;
  readonly primary: { readonly versions: number; readonly deleteMarkers: number };
  readonly dr: { readonly versions: number; readonly deleteMarkers: number };
}

export interface ErasureResult {
  readonly dryRun: boolean;
  readonly counts: ErasureCounts;
  readonly lastBackupExpires: string;
  readonly lastReplicaExpires: string;
  readonly record?: { readonly logGroup: string; readonly logStream: string };
}

const STEPS = [
  'mark the tenant erasing',
  'delete object versions (primary)',
  'delete object versions (DR)',
  'delete rows',
  'write the erasure record',
  'mark the tenant erased',
] as const;

/**
 * Erases one tenant (DATA-10): its rows, every object version and delete
 * marker under its prefix in the primary and the DR bucket, then writes an
 * erasure record to the erasure log group and marks the tenant erased (a
 * tombstone row, so a second erasure is a clear error). The tenant is marked
 * `erasing` first (the app refuses its requests from then on); every step is
 * idempotent, so running the command again after a failure resumes.
 */
export async function eraseTenant(t: TenantTargets, run: RunInfo, dryRun: boolean): Promise<ErasureResult> {
  const state = await requireTenant(t.db, run.tenant, true);
  const b = buckets(run.env);
  const prefix = `${TENANT_OBJECT_PREFIX}${run.tenant}/`;
  const rowCounts = async () =>
    inTenant(t.db, run.tenant, async () => {
      const out: Record<string, number> = {};
      for (const table of TENANT_TABLES.filter((tb) => tb !== 'tenants')) {
        const r = await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${APP_SCHEMA}.${table} WHERE tenant_id = $1`,
          [run.tenant],
        );
        out[table] = r.rows[0]!.n;
      }
      return out;
    });
  const primary = await listAllVersions(t.s3, b.primary, prefix);
  const dr = await listAllVersions(t.drS3, b.dr, prefix);
  const counts: ErasureCounts = {
    rows: await rowCounts(),
    primary: { versions: primary.versions.length, deleteMarkers: primary.deleteMarkers.length },
    dr: { versions: dr.versions.length, deleteMarkers: dr.deleteMarkers.length },
  };
  const bound = erasureBound(run.env, run.now());
  const day = (d: Date) => d.toISOString().slice(0, 10);
  run.log(
    `${dryRun ? 'dry run: would erase' : 'erasing'} tenant ${run.tenant} of ${run.env.name} (account ${run.env.account}) as ${run.who}${state.state === 'erasing' ? ' (resuming an erasure that stopped half way)' : ''}`,
  );
  run.log(
    `  rows:     ${Object.entries(counts.rows)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} (the tenants row stays as a tombstone: state erased)`,
  );
  run.log(
    `  primary:  s3://${b.primary}/${prefix}: ${counts.primary.versions} object versions, ${counts.primary.deleteMarkers} delete markers`,
  );
  run.log(
    `  DR:       s3://${b.dr}/${prefix}: ${counts.dr.versions} object versions, ${counts.dr.deleteMarkers} delete markers`,
  );
  const result = {
    dryRun,
    counts,
    lastBackupExpires: day(bound.lastBackupExpires),
    lastReplicaExpires: day(bound.lastReplicaExpires),
  };
  const printBound = () => {
    run.log(`the last locked backup holding this tenant's data expires by ${result.lastBackupExpires}`);
    run.log(`the last DR replica (backup copy) holding it expires by ${result.lastReplicaExpires}`);
    run.log(`  (${bound.explanation})`);
  };
  if (dryRun) {
    printBound();
    run.log('dry run: nothing was changed');
    return result;
  }
  let step = 0;
  try {
    await inTenant(t.db, run.tenant, () =>
      t.db.query(`UPDATE ${APP_SCHEMA}.tenants SET state = 'erasing' WHERE tenant_id = $1 AND state <> 'erased'`, [
        run.tenant,
      ]),
    );
    step++;
    await deleteVersions(t.s3, b.primary, [...primary.versions, ...primary.deleteMarkers]);
    step++;
    await deleteVersions(t.drS3, b.dr, [...dr.versions, ...dr.deleteMarkers]);
    step++;
    await inTenant(t.db, run.tenant, async () => {
      for (const table of [...TENANT_TABLES].reverse().filter((tb) => tb !== 'tenants')) {
        await t.db.query(`DELETE FROM ${APP_SCHEMA}.${table} WHERE tenant_id = $1`, [run.tenant]);
      }
    });
    step++;
    const logGroup = erasureLogGroupName(run.env.tags.application, run.env.name);
    const erasedAt = run.now();
    const logStream = `erasure-${run.tenant}-${erasedAt.toISOString().replace(/[:.]/g, '-')}`;
    const record = {
      type: 'tenant-erasure',
      tenant: run.tenant,
      environment: run.env.name,
      account: run.env.account,
      who: run.who,
      when: erasedAt.toISOString(),
      what: {
        rows: counts.rows,
        objects: { [`s3://${b.primary}/${prefix}`]: counts.primary, [`s3://${b.dr}/${prefix}`]: counts.dr },
      },
      lastBackupExpires: result.lastBackupExpires,
      lastReplicaExpires: result.lastReplicaExpires,
      resumed: state.state === 'erasing',
    };
    await t.logs.send(new CreateLogStreamCommand({ logGroupName: logGroup, logStreamName: logStream }));
    await t.logs.send(
      new PutLogEventsCommand({
        logGroupName: logGroup,
        logStreamName: logStream,
        logEvents: [{ timestamp: erasedAt.getTime(), message: JSON.stringify(record) }],
      }),
    );
    step++;
    await inTenant(t.db, run.tenant, () =>
      t.db.query(`UPDATE ${APP_SCHEMA}.tenants SET state = 'erased', erased_at = $2 WHERE tenant_id = $1`, [
        run.tenant,
        erasedAt,
      ]),
    );
    run.log(`erased tenant ${run.tenant}; erasure record in ${logGroup} stream ${logStream}`);
    printBound();
    return { ...result, record: { logGroup, logStream } };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new OperationError(
      `erasure of tenant ${run.tenant} stopped at "${STEPS[step]}": ${message}\n` +
        `  done: ${STEPS.slice(0, step).join(', ') || 'nothing'}\n` +
        `  left: ${STEPS.slice(step).join(', ')}\n` +
        '  run the same command again to resume (every step is idempotent)',
    );
  }
}
