import { assessRestoreTesting } from '../checks/backup';
import { saasRule } from '../checks/construct';

/** DATA-5: backups that are never restored are not known to work. */
export const BackupRestoreTestingPlan = saasRule('BackupRestoreTestingPlan', {
  control: 'DATA-5',
  type: 'AWS::Backup::BackupPlan',
  assess: assessRestoreTesting,
  whole: true,
  info: 'The stack has a backup plan but no restore testing plan that runs at least monthly and selects resources (DATA-5).',
  explanation:
    'Restore drills prove that recovery points can be restored. Add an AWS::Backup::RestoreTestingPlan (at least monthly) with a RestoreTestingSelection beside the plan.',
});
