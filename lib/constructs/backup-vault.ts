import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/**
 * How a vault lock behaves. `governance`: users with special IAM permissions
 * can still remove the lock. `compliance`: after the grace period nobody, not
 * even the root user or AWS, can shorten retention or delete the lock.
 */
export type VaultLockMode = 'governance' | 'compliance';

/** Grace period before a compliance-mode lock becomes immutable (AWS Backup's minimum). */
export const COMPLIANCE_LOCK_GRACE = Duration.days(3);

export interface LockedBackupVaultProps {
  /** The customer-managed backup key of this region (DATA-6). */
  readonly encryptionKey: kms.IKey;
  /** Lock mode: compliance in production, governance elsewhere. */
  readonly lockMode: VaultLockMode;
  /** Recovery points cannot be deleted before this age (the shortest rule retention). */
  readonly minRetention: Duration;
  /** Jobs asking for longer retention than this fail. */
  readonly maxRetention: Duration;
  /**
   * A fixed name, only for a vault another region refers to (copy destination).
   * @default - CloudFormation generates the name
   */
  readonly backupVaultName?: string;
}

/** How a vault is locked: its mode and the retention bounds every recovery point must keep to. */
export type VaultLock = Pick<LockedBackupVaultProps, 'lockMode' | 'minRetention' | 'maxRetention'>;

/**
 * An AWS Backup vault encrypted with a customer key, with Vault Lock so that
 * recovery points cannot be deleted early (DATA-3), a policy that refuses
 * manual deletion of recovery points, and retained with its stack (DATA-7).
 */
export class LockedBackupVault extends Construct {
  readonly vault: backup.BackupVault;

  constructor(scope: Construct, id: string, props: LockedBackupVaultProps) {
    super(scope, id);
    this.vault = new backup.BackupVault(this, 'Resource', {
      backupVaultName: props.backupVaultName,
      encryptionKey: props.encryptionKey,
      blockRecoveryPointDeletion: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lockConfiguration: {
        minRetention: props.minRetention,
        maxRetention: props.maxRetention,
        changeableFor: props.lockMode === 'compliance' ? COMPLIANCE_LOCK_GRACE : undefined,
      },
    });
  }
}
