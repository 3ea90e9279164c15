import { partitionOf } from '../partition';
import {
  DescribeBackupVaultCommand,
  type BackupClient,
  ListTagsCommand,
  paginateListBackupJobs,
  paginateListBackupVaults,
  paginateListCopyJobs,
  paginateListRestoreJobs,
  paginateListRestoreTestingPlans,
} from '@aws-sdk/client-backup';
import { drBackupVaultName } from '../../config/naming';
import type { CheckResult } from '../verify';
import { absent, attempt, DAY_MS, envTags, HOUR_MS, judge, type LiveContext, liveFamily, orMissing } from './check';

const vaultLock = (name: string, vault: { Locked?: boolean; MinRetentionDays?: number } | undefined, region: string) =>
  judge({
    check: 'backup.vault-lock',
    control: 'DATA-3',
    resource: `${name} (${region})`,
    property: 'Locked, MinRetentionDays',
    found: vault ? `${vault.Locked ?? false}, ${vault.MinRetentionDays ?? '-'}` : 'no such vault',
    required: 'true, set',
    ok: vault?.Locked === true && vault.MinRetentionDays !== undefined,
  });

async function primaryVaults(ctx: LiveContext): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateListBackupVaults({ client: ctx.live.backup }, {})) {
    for (const v of page.BackupVaultList ?? []) {
      if (!v.BackupVaultArn || !v.BackupVaultName) continue;
      const tags = (await ctx.live.backup.send(new ListTagsCommand({ ResourceArn: v.BackupVaultArn }))).Tags ?? {};
      if (Object.entries(envTags(ctx.env)).every(([k, val]) => tags[k] === val)) names.push(v.BackupVaultName);
    }
  }
  return names.sort();
}

async function newestCompleted(backup: BackupClient, vault: string, since: Date): Promise<Date | undefined> {
  let newest: Date | undefined;
  const input = { ByBackupVaultName: vault, ByState: 'COMPLETED' as const, ByCreatedAfter: since };
  for await (const page of paginateListBackupJobs({ client: backup }, input)) {
    for (const j of page.BackupJobs ?? []) {
      const at = j.CompletionDate ?? j.CreationDate;
      if (at && (!newest || at > newest)) newest = at;
    }
  }
  return newest;
}

/** DATA-3: backups completed in the last 12 h and 24 h, copies to the DR vault completed, both vaults locked. */
export const backups = liveFamily('backup.recent', 'DATA-3', 'backup vaults', async (ctx) => {
  const vaults = await primaryVaults(ctx);
  const drName = drBackupVaultName(ctx.env.tags.application, ctx.env.name);
  if (vaults.length === 0)
    return [
      absent(
        'backup.recent',
        'DATA-3',
        `vault tagged ${JSON.stringify(envTags(ctx.env))}`,
        'the environment backup vault',
      ),
    ];
  const rows: CheckResult[] = [];
  const since = new Date(ctx.now.getTime() - 25 * HOUR_MS);
  for (const vault of vaults) {
    // Jobs and the lock through different APIs: one the endpoint lacks (moto has no ListBackupJobs) errs alone.
    rows.push(
      ...(await attempt(
        ctx,
        [
          ['backup.within-12h', 'DATA-3'],
          ['backup.within-24h', 'DATA-3'],
        ],
        vault,
        async () => {
          const newest = await newestCompleted(ctx.live.backup, vault, since);
          const ageHours = newest ? (ctx.now.getTime() - newest.getTime()) / HOUR_MS : undefined;
          return [12, 24].map((hours) =>
            judge({
              check: `backup.within-${hours}h`,
              control: 'DATA-3',
              resource: vault,
              property: 'newest COMPLETED backup job',
              found: newest ? `${newest.toISOString()} (${ageHours!.toFixed(1)} h ago)` : 'none in the last 25 h',
              required: `within the last ${hours} h`,
              ok: ageHours !== undefined && ageHours <= hours,
            }),
          );
        },
      )),
    );
    rows.push(
      vaultLock(
        vault,
        await ctx.live.backup.send(new DescribeBackupVaultCommand({ BackupVaultName: vault })),
        ctx.env.region,
      ),
    );
  }
  const drArn = `arn:${partitionOf(ctx.env.drRegion)}:backup:${ctx.env.drRegion}:${ctx.env.account}:backup-vault:${drName}`;
  rows.push(
    ...(await attempt(ctx, [['backup.dr-copy', 'DATA-3']], drArn, async () => {
      let copied = 0;
      let failed = 0;
      for await (const page of paginateListCopyJobs(
        { client: ctx.live.backup },
        { ByDestinationVaultArn: drArn, ByCreatedAfter: since },
      )) {
        for (const j of page.CopyJobs ?? []) {
          if (j.State === 'COMPLETED') copied++;
          else if (j.State === 'FAILED' || j.State === 'PARTIAL') failed++;
        }
      }
      return [
        judge({
          check: 'backup.dr-copy',
          control: 'DATA-3',
          resource: drArn,
          property: 'copy jobs of the last 25 h (COMPLETED / FAILED)',
          found: `${copied} / ${failed}`,
          required: 'at least 1 COMPLETED, none FAILED',
          ok: copied > 0 && failed === 0,
        }),
      ];
    })),
  );
  const dr = await orMissing(
    () => ctx.dr.backup.send(new DescribeBackupVaultCommand({ BackupVaultName: drName })),
    'ResourceNotFoundException',
  );
  rows.push(vaultLock(drName, dr, ctx.env.drRegion));
  return rows;
});

/** DATA-5: the environment's restore testing plan ran and its restores validated within the last 31 days. */
export const restoreTests = liveFamily('backup.restore-test', 'DATA-5', 'restore testing plans', async (ctx) => {
  const plans = [];
  for await (const page of paginateListRestoreTestingPlans({ client: ctx.live.backup }, {})) {
    plans.push(
      ...(page.RestoreTestingPlans ?? []).filter((p) => p.RestoreTestingPlanName?.startsWith(`${ctx.env.name}_`)),
    );
  }
  if (plans.length === 0)
    return [absent('backup.restore-test', 'DATA-5', `${ctx.env.name}_*`, 'a restore testing plan')];
  const since = new Date(ctx.now.getTime() - 31 * DAY_MS);
  const rows: CheckResult[] = [];
  for (const plan of plans) {
    let ok = 0;
    let bad = 0;
    for await (const page of paginateListRestoreJobs(
      { client: ctx.live.backup },
      { ByRestoreTestingPlanArn: plan.RestoreTestingPlanArn, ByCreatedAfter: since },
    )) {
      for (const j of page.RestoreJobs ?? []) {
        if (j.Status === 'COMPLETED' && (j.ValidationStatus === undefined || j.ValidationStatus === 'SUCCESSFUL')) ok++;
        else if (j.Status === 'FAILED' || j.ValidationStatus === 'FAILED') bad++;
      }
    }
    rows.push(
      judge({
        check: 'backup.restore-test',
        control: 'DATA-5',
        resource: plan.RestoreTestingPlanName!,
        property: 'restore jobs of the last 31 days (succeeded / failed)',
        found: `${ok} / ${bad}`,
        required: 'at least 1 succeeded, none failed',
        ok: ok > 0 && bad === 0,
      }),
    );
  }
  return rows;
});
