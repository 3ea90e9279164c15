import { assessVaultLock } from '../checks/data';
import { type SaasRule, verdict } from '../checks/construct';

/** DATA-3: recovery points cannot be deleted before their time. */
export const BackupVaultLocked: SaasRule = {
  control: 'DATA-3',
  info: 'The backup vault has no Vault Lock (LockConfiguration with MinRetentionDays) (DATA-3).',
  explanation:
    'Without Vault Lock anyone with delete permissions, including an attacker, can remove recovery points early. Compliance mode makes the lock immutable after its grace period.',
  rule: function BackupVaultLocked(node) {
    return verdict(node, 'AWS::Backup::BackupVault', assessVaultLock);
  },
};
