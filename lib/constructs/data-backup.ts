import { Duration } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';

/** Every 12 hours, at 00:00 and 12:00 UTC (DATA-3). */
export const TWICE_DAILY_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '0/12' });
/** Daily at 03:00 UTC (DATA-3). */
export const DAILY_SCHEDULE = events.Schedule.cron({ minute: '0', hour: '3' });
/** Restore drills on the 1st of every month at 05:00 UTC (DATA-5; the seed asks yearly). */
export const RESTORE_TEST_SCHEDULE = 'cron(0 5 1 * ? *)';

/** What a restore drill restores and where the restored copy may run. */
export interface RestoreTarget {
  /** The resource type restore testing calls it by (`RDS`, `S3`). */
  readonly resourceType: 'RDS' | 'S3';
  readonly resourceArn: string;
  /** Overrides for the restored copy (e.g. the database subnet group and security group). */
  readonly metadataOverrides?: Record<string, string>;
}

export interface DataBackupProps {
  /** The locked vault in this region. */
  readonly vault: backup.IBackupVault;
  /** ARN of the locked vault in the DR region that receives a copy of every recovery point. */
  readonly drVaultArn: string;
  /** The resources backed up, named one by one (never by a tag someone can forget). */
  readonly resources: readonly { readonly arn: string; readonly restore: RestoreTarget }[];
  readonly twiceDailyRetention: Duration;
  readonly dailyRetention: Duration;
  /** Where failed backup, copy, restore and validation jobs are reported (LOG-4). */
  readonly alarmTopic: sns.ITopic;
}

/**
 * Backups that survive a region (DATA-3) and are proven to restore (DATA-5).
 *
 * A plan with a rule every 12 hours and a daily rule, each copying its
 * recovery point to the DR vault with the same retention; a selection naming
 * the protected resources; a restore-testing plan that restores the latest
 * recovery point of each resource every month and validates it; and
 * EventBridge rules that send every failed backup, copy, restore or
 * validation to the alarm topic.
 */
export class DataBackup extends Construct {
  readonly plan: backup.BackupPlan;
  readonly restoreTestingPlan: backup.CfnRestoreTestingPlan;
  /** The role AWS Backup backs up and restores the selected resources with. */
  readonly backupRole: iam.Role;

  constructor(scope: Construct, id: string, props: DataBackupProps) {
    super(scope, id);
    const drVault = backup.BackupVault.fromBackupVaultArn(this, 'DrVault', props.drVaultArn);

    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: props.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Every12Hours',
          scheduleExpression: TWICE_DAILY_SCHEDULE,
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(6),
          deleteAfter: props.twiceDailyRetention,
          copyActions: [{ destinationBackupVault: drVault, deleteAfter: props.twiceDailyRetention }],
        }),
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: DAILY_SCHEDULE,
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(12),
          deleteAfter: props.dailyRetention,
          copyActions: [{ destinationBackupVault: drVault, deleteAfter: props.dailyRetention }],
        }),
      ],
    });
    const needsS3 = props.resources.some((r) => r.restore.resourceType === 'S3');
    const backupRole = (this.backupRole = new iam.Role(this, 'BackupRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup: backs up and restores the selected resources',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
        ...(needsS3
          ? [
              iam.ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Backup'),
              iam.ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Restore'),
            ]
          : []),
      ],
    }));
    this.acknowledgeManagedPolicies(backupRole, 'backup and restore of the selected resources');
    this.plan.addSelection('Resources', {
      resources: props.resources.map((r) => backup.BackupResource.fromArn(r.arn)),
      role: backupRole,
      disableDefaultBackupPolicy: true,
    });

    const restoreRole = new iam.Role(this, 'RestoreTestingRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup restore testing: restores and deletes test copies',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForRestores'),
        ...(needsS3 ? [iam.ManagedPolicy.fromAwsManagedPolicyName('AWSBackupServiceRolePolicyForS3Restore')] : []),
      ],
    });
    this.acknowledgeManagedPolicies(restoreRole, 'restore drills of the selected resources');

    this.restoreTestingPlan = new backup.CfnRestoreTestingPlan(this, 'RestoreTestingPlan', {
      restoreTestingPlanName: `${this.node.path.replace(/[^A-Za-z0-9]/g, '_')}_drill`.slice(0, 50),
      scheduleExpression: RESTORE_TEST_SCHEDULE,
      scheduleExpressionTimezone: 'Etc/UTC',
      startWindowHours: 24,
      recoveryPointSelection: {
        algorithm: 'LATEST_WITHIN_WINDOW',
        recoveryPointTypes: ['SNAPSHOT'],
        includeVaults: [props.vault.backupVaultArn],
        selectionWindowDays: 7,
      },
    });
    props.resources.forEach((r, i) => {
      new backup.CfnRestoreTestingSelection(this, `RestoreTest${i + 1}`, {
        restoreTestingPlanName: this.restoreTestingPlan.ref,
        restoreTestingSelectionName: `drill_${r.restore.resourceType.toLowerCase()}_${i + 1}`,
        protectedResourceType: r.restore.resourceType,
        protectedResourceArns: [r.arn],
        iamRoleArn: restoreRole.roleArn,
        restoreMetadataOverrides: r.restore.metadataOverrides,
        validationWindowHours: 12,
      });
    });

    new events.Rule(this, 'FailedJobs', {
      description: 'Failed, aborted or expired backup, copy and restore jobs (DATA-3, DATA-5)',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Backup Job State Change', 'Copy Job State Change', 'Restore Job State Change'],
        detail: { state: ['FAILED', 'ABORTED', 'EXPIRED'] },
      },
      targets: [new targets.SnsTopic(props.alarmTopic)],
    });
    new events.Rule(this, 'FailedRestoreValidations', {
      description: 'Restore drills whose validation failed (DATA-5)',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Restore Job State Change'],
        detail: { validationStatus: ['FAILED', 'TIMED_OUT'] },
      },
      targets: [new targets.SnsTopic(props.alarmTopic)],
    });
  }

  private acknowledgeManagedPolicies(role: Construct, what: string): void {
    acknowledge(
      role,
      'IAM-2',
      `AWS Backup's service-role policies are the least-privilege set AWS maintains for ${what}; the role is assumable only by backup.amazonaws.com`,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore]',
    );
  }
}
