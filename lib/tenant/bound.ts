import type { EnvironmentConfig } from '../config/schema';

/**
 * When the last copy of an erased tenant's data is gone (DATA-10). Backups are
 * locked (Vault Lock; compliance mode in production), so erasure cannot
 * delete them: the promise is a date, computed from the backup plan.
 *
 * - A recovery point that can hold the data is created at the latest when the
 *   backup job running at the moment of the erasure completes: the plan's
 *   longest completion window, {@link BACKUP_COMPLETION_HOURS}.
 * - It is deleted `deleteAfter` days after its creation: the longest rule
 *   retention (`backup.twiceDailyRetentionDays`, `backup.dailyRetentionDays`).
 * - Its copy in the DR vault keeps the same retention and is made after the
 *   recovery point completes; {@link COPY_ALLOWANCE_HOURS} is the assumption
 *   for how late a copy job finishes.
 * - RDS automated backups (point-in-time recovery) last `database.backupRetentionDays`.
 */
export const BACKUP_COMPLETION_HOURS = 12;
export const COPY_ALLOWANCE_HOURS = 24;

export interface ErasureBound {
  /** The last locked recovery point in the primary vault (and the last PITR backup) that can hold the data has expired. */
  readonly lastBackupExpires: Date;
  /** The last copy in the DR vault that can hold the data has expired. */
  readonly lastReplicaExpires: Date;
  /** The sentence the CLI prints and the docs quote. */
  readonly explanation: string;
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** Rounded up to the next UTC midnight: a promise by date. */
function endOfDay(d: Date): Date {
  const t = Math.ceil(d.getTime() / DAY) * DAY;
  return new Date(t);
}

export function erasureBound(env: Pick<EnvironmentConfig, 'backup' | 'database'>, erasedAt: Date): ErasureBound {
  const retentionDays = Math.max(env.backup.twiceDailyRetentionDays, env.backup.dailyRetentionDays);
  const created = erasedAt.getTime() + BACKUP_COMPLETION_HOURS * HOUR;
  const vault = created + retentionDays * DAY;
  const pitr = erasedAt.getTime() + env.database.backupRetentionDays * DAY;
  const lastBackupExpires = endOfDay(new Date(Math.max(vault, pitr)));
  const lastReplicaExpires = endOfDay(new Date(vault + COPY_ALLOWANCE_HOURS * HOUR));
  const explanation =
    `backups: ${retentionDays} days retention (backup plan) after the last recovery point, created at most ` +
    `${BACKUP_COMPLETION_HOURS} h after the erasure; PITR ${env.database.backupRetentionDays} days; ` +
    `DR copies: same retention, copied within ${COPY_ALLOWANCE_HOURS} h (assumption)`;
  return { lastBackupExpires, lastReplicaExpires, explanation };
}

/** Days from the erasure to the last replica's expiry, for the docs and the evidence row. */
export function erasureBoundDays(env: Pick<EnvironmentConfig, 'backup' | 'database'>): number {
  const at = new Date(Date.UTC(2026, 0, 1));
  return Math.round((erasureBound(env, at).lastReplicaExpires.getTime() - at.getTime()) / DAY);
}
