import { assessVaultLock } from '../checks/backup';
import { saasRule } from '../checks/construct';

/** DATA-3: recovery points cannot be deleted before their time. */
export const BackupVaultLocked = saasRule('BackupVaultLocked', {
  control: 'DATA-3',
  type: 'AWS::Backup::BackupVault',
  assess: assessVaultLock,
  info: 'The backup vault has no Vault Lock (LockConfiguration with MinRetentionDays) (DATA-3).',
  explanation:
    'Without Vault Lock anyone with delete permissions, including an attacker, can remove recovery points early. Compliance mode makes the lock immutable after its grace period.',
});
