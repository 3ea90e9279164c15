import { assessBackupPlanCopies } from '../checks/backup';
import { saasRule } from '../checks/construct';

/** DATA-3: every backup rule copies its recovery points out of the region. */
export const BackupCopyToOtherRegion = saasRule('BackupCopyToOtherRegion', {
  control: 'DATA-3',
  type: 'AWS::Backup::BackupPlan',
  assess: assessBackupPlanCopies,
  info: 'A rule of the backup plan does not copy its recovery points to a vault in another region (DATA-3).',
  explanation:
    'A regional outage or a compromised account region must not take the backups with it. Give every rule a CopyAction whose DestinationBackupVaultArn names another region; the stack needs a literal region.',
});
