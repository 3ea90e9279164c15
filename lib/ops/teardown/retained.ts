import {
  DeleteBackupVaultAccessPolicyCommand,
  DeleteBackupVaultCommand,
  DeleteBackupVaultLockConfigurationCommand,
  DeleteRecoveryPointCommand,
  DescribeBackupVaultCommand,
  paginateListRecoveryPointsByBackupVault,
  type RecoveryPointByBackupVault,
} from '@aws-sdk/client-backup';
import { DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteAliasCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { DeleteDBSubnetGroupCommand } from '@aws-sdk/client-rds';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeleteParameterCommand } from '@aws-sdk/client-ssm';
import { OperationError } from '../errors';
import { ignoreNotFound, isNotFound, sleep, type TeardownRegionClients } from './clients';
import { KMS_MIN_PENDING_DAYS, type PlannedResource } from './plan';

/** How long teardown waits for what AWS deletes in the background, and how often it looks. */
export interface Waits {
  /** Upper bound of one wait (a stack, the database, a vault's recovery points), in seconds. */
  readonly maxWaitSeconds: number;
  /** Seconds between two looks at recovery points being deleted. */
  readonly pollSeconds: number;
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<number> {
  let removed = 0;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    let page: ListObjectVersionsCommandOutput;
    try {
      page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
      );
    } catch (e) {
      if (isNotFound(e, 'NoSuchBucket')) return removed;
      throw e;
    }
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }));
    if (objects.length > 0) {
      const out = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          // Governance-mode Object Lock (the trail bucket outside production) yields to this; compliance mode does not.
          BypassGovernanceRetention: true,
          Delete: { Objects: objects, Quiet: true },
        }),
      );
      if (out.Errors && out.Errors.length > 0) {
        const e = out.Errors[0];
        throw new OperationError(
          `could not delete ${out.Errors.length} object version(s) of bucket ${bucket}, e.g. ${e.Key} (${e.Code}: ${e.Message})`,
        );
      }
      removed += objects.length;
    }
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  await ignoreNotFound(() => s3.send(new DeleteBucketCommand({ Bucket: bucket })), 'NoSuchBucket');
  return removed;
}

async function recoveryPoints(c: TeardownRegionClients, vault: string): Promise<RecoveryPointByBackupVault[]> {
  const points: RecoveryPointByBackupVault[] = [];
  const pages = paginateListRecoveryPointsByBackupVault({ client: c.backup }, { BackupVaultName: vault });
  for await (const page of pages) points.push(...(page.RecoveryPoints ?? []));
  return points;
}

/**
 * A vault can only be deleted empty, and its recovery points only once
 * nothing protects them: the lock (governance mode outside production; a
 * compliance-mode lock past its grace period cannot be removed, by anyone)
 * and the access policy that denies backup:DeleteRecoveryPoint to everyone
 * (DATA-3). Recovery points are deleted in the background, so this waits
 * until the vault lists none.
 */
async function deleteVault(c: TeardownRegionClients, vault: string, waits: Waits): Promise<number | undefined> {
  let described;
  try {
    described = await c.backup.send(new DescribeBackupVaultCommand({ BackupVaultName: vault }));
  } catch (e) {
    if (isNotFound(e, 'ResourceNotFoundException')) return undefined;
    throw e;
  }
  const immutableSince =
    described.LockDate && described.LockDate.getTime() <= Date.now() ? described.LockDate : undefined;
  if (described.Locked && immutableSince) {
    const n = described.NumberOfRecoveryPoints ?? 0;
    throw new OperationError(
      `vault ${vault} is under a compliance-mode Vault Lock, immutable since ${immutableSince.toISOString()}: nobody can remove it; its ${n} recovery point(s) stay until their retention (at least ${described.MinRetentionDays ?? '?'} days) ends, then delete the vault`,
    );
  }
  if (described.Locked) {
    await c.backup.send(new DeleteBackupVaultLockConfigurationCommand({ BackupVaultName: vault }));
  }
  await ignoreNotFound(
    () => c.backup.send(new DeleteBackupVaultAccessPolicyCommand({ BackupVaultName: vault })),
    'ResourceNotFoundException',
  );
  const deadline = Date.now() + waits.maxWaitSeconds * 1000;
  const requested = new Set<string>();
  for (;;) {
    const points = await recoveryPoints(c, vault);
    if (points.length === 0) break;
    for (const p of points) {
      const arn = p.RecoveryPointArn;
      if (!arn || p.Status === 'DELETING' || requested.has(arn)) continue;
      try {
        await c.backup.send(new DeleteRecoveryPointCommand({ BackupVaultName: vault, RecoveryPointArn: arn }));
      } catch (e) {
        throw new OperationError(`could not delete recovery point ${arn} of vault ${vault}: ${(e as Error).message}`);
      }
      requested.add(arn);
    }
    if (Date.now() >= deadline) {
      throw new OperationError(
        `vault ${vault} still lists ${points.length} recovery point(s) after ${waits.maxWaitSeconds} s (AWS Backup deletes them in the background); run teardown again later`,
      );
    }
    await sleep(waits.pollSeconds);
  }
  await ignoreNotFound(
    () => c.backup.send(new DeleteBackupVaultCommand({ BackupVaultName: vault })),
    'ResourceNotFoundException',
  );
  return requested.size;
}

/** Deletes one retained resource (or parameter written outside CloudFormation); returns what was done. */
export async function deleteRetained(c: TeardownRegionClients, r: PlannedResource, waits: Waits): Promise<string> {
  switch (r.type) {
    case 'AWS::S3::Bucket': {
      const n = await emptyAndDeleteBucket(c.s3, r.physicalId);
      return `deleted bucket ${r.physicalId} (${n} object versions)`;
    }
    case 'AWS::Logs::LogGroup':
      await ignoreNotFound(
        () => c.logs.send(new DeleteLogGroupCommand({ logGroupName: r.physicalId })),
        'ResourceNotFoundException',
      );
      return `deleted log group ${r.physicalId}`;
    case 'AWS::KMS::Alias':
      await ignoreNotFound(() => c.kms.send(new DeleteAliasCommand({ AliasName: r.physicalId })), 'NotFoundException');
      return `deleted key alias ${r.physicalId}`;
    case 'AWS::Backup::BackupVault': {
      const n = await deleteVault(c, r.physicalId, waits);
      return n === undefined
        ? `vault ${r.physicalId} already gone`
        : `deleted vault ${r.physicalId} (${n} recovery points)`;
    }
    case 'AWS::RDS::DBSubnetGroup':
      await ignoreNotFound(
        () => c.rds.send(new DeleteDBSubnetGroupCommand({ DBSubnetGroupName: r.physicalId })),
        'DBSubnetGroupNotFoundFault',
      );
      return `deleted database subnet group ${r.physicalId}`;
    case 'AWS::SSM::Parameter':
      await ignoreNotFound(() => c.ssm.send(new DeleteParameterCommand({ Name: r.physicalId })), 'ParameterNotFound');
      return `deleted parameter ${r.physicalId} (${r.region})`;
    case 'AWS::KMS::Key': {
      // No DescribeKey first: a second run finds the key pending deletion and KMS says so.
      try {
        const out = await c.kms.send(
          new ScheduleKeyDeletionCommand({ KeyId: r.physicalId, PendingWindowInDays: KMS_MIN_PENDING_DAYS }),
        );
        return `key ${r.physicalId} scheduled for deletion on ${out.DeletionDate?.toISOString() ?? `+${KMS_MIN_PENDING_DAYS} days`}`;
      } catch (e) {
        if (/pending deletion|PendingDeletion/i.test((e as Error).message ?? '')) {
          return `key ${r.physicalId} already pending deletion`;
        }
        throw e;
      }
    }
    default:
      throw new OperationError(`teardown does not delete ${r.type}`);
  }
}
