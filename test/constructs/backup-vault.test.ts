import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { COMPLIANCE_LOCK_GRACE, LockedBackupVault, type VaultLockMode } from '../../lib/constructs/backup-vault';
import { newTestStack, testKey } from '../helpers/construct';

function vault(lockMode: VaultLockMode) {
  const stack = newTestStack();
  const key = testKey(stack);
  new LockedBackupVault(stack, 'Vault', {
    encryptionKey: key,
    lockMode,
    minRetention: Duration.days(7),
    maxRetention: Duration.days(35),
    backupVaultName: 'test-vault',
  });
  return { t: Template.fromStack(stack), keyArn: stack.resolve(key.keyArn) };
}

describe('LockedBackupVault (DATA-3)', () => {
  test.each(['governance', 'compliance'] as const)(
    '%s: under the customer key, locked to the retention range, recovery points cannot be deleted',
    (mode) => {
      const { t, keyArn } = vault(mode);
      t.hasResourceProperties('AWS::Backup::BackupVault', {
        BackupVaultName: 'test-vault',
        EncryptionKeyArn: keyArn,
        LockConfiguration: {
          MinRetentionDays: 7,
          MaxRetentionDays: 35,
          ChangeableForDays: mode === 'compliance' ? COMPLIANCE_LOCK_GRACE.toDays() : Match.absent(),
        },
        AccessPolicy: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: Match.arrayWith(['backup:DeleteRecoveryPoint']),
            }),
          ],
        },
      });
      t.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    },
  );
});
