import { assessBackupPlanCopies } from '../checks/data';
import { type SaasRule, verdict } from '../checks/construct';

/** DATA-3: every backup rule copies its recovery points out of the region. */
export const BackupCopyToOtherRegion: SaasRule = {
  control: 'DATA-3',
  info: 'A rule of the backup plan does not copy its recovery points to a vault in another region (DATA-3).',
  explanation:
    'A regional outage or a compromised account region must not take the backups with it. Give every rule a CopyAction whose DestinationBackupVaultArn names another region; the stack needs a literal region.',
  rule: function BackupCopyToOtherRegion(node) {
    return verdict(node, 'AWS::Backup::BackupPlan', assessBackupPlanCopies);
  },
};
