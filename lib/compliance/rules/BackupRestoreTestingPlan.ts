import { assessRestoreTesting } from '../checks/data';
import { type SaasRule, verdict } from '../checks/construct';

/** DATA-5: backups that are never restored are not known to work. */
export const BackupRestoreTestingPlan: SaasRule = {
  control: 'DATA-5',
  info: 'The stack has a backup plan but no restore testing plan that runs at least monthly and selects resources (DATA-5).',
  explanation:
    'Restore drills prove that recovery points can be restored. Add an AWS::Backup::RestoreTestingPlan (at least monthly) with a RestoreTestingSelection beside the plan.',
  rule: function BackupRestoreTestingPlan(node) {
    return verdict(node, 'AWS::Backup::BackupPlan', assessRestoreTesting, { whole: true });
  },
};
