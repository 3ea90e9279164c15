import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { AccessConfig, AuditConfig } from '../config/schema';
import { AccessRoles } from '../constructs/access-roles';
import { AuditTrail } from '../constructs/audit-trail';
import type { VaultLockMode } from '../constructs/backup-vault';
import { Detection } from '../constructs/detection';
import { EncryptionKey } from '../constructs/encryption-key';
import { SecurityAlarms } from '../constructs/security-alarms';
import { SessionLogging } from '../constructs/session-logging';

export interface AuditStackProps extends StackProps {
  /**
   * The account-level parts this environment creates, when it owns them in its
   * account (config `audit.accountTrail`): the trail and its alarms, and the
   * Session Manager preferences writing to the named transcript bucket.
   * @default - none: another environment of the account owns them
   */
  readonly accountTrail?: { readonly lockMode: VaultLockMode; readonly sessionTranscriptBucketName: string };
  /** The detection services this environment creates (LOG-5); may be empty. */
  readonly manage: AuditConfig['manage'];
  /** Who may assume the administrator and auditor roles, and for how long (IAM-1). */
  readonly access: AccessConfig;
  readonly accessLogBucket: s3.IBucket;
  readonly logKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  /** The project's buckets whose object-level events the trail records. */
  readonly dataEventBuckets: readonly s3.IBucket[];
}

/**
 * Audit, detection and access (LOG-1, LOG-4, LOG-5, LOG-6, IAM-1). The
 * account-level parts (the trail and its alarms, Session Manager preferences,
 * and the detection services config says this app owns) are created only by
 * the environment that owns them in its account; the access roles by every
 * environment.
 */
export class AuditStack extends Stack {
  readonly trail?: AuditTrail;
  readonly sessionLogging?: SessionLogging;
  readonly access: AccessRoles;

  constructor(scope: Construct, id: string, props: AuditStackProps) {
    super(scope, id, props);
    const root = new iam.AccountRootPrincipal().arn;

    if (props.accountTrail) {
      this.trail = new AuditTrail(this, 'Trail', {
        lockMode: props.accountTrail.lockMode,
        dataEventBuckets: props.dataEventBuckets,
        accessLogBucket: props.accessLogBucket,
        logKey: props.logKey,
      });
      new SecurityAlarms(this, 'SecurityAlarms', {
        trailLogGroup: this.trail.logGroup.logGroup,
        alarmTopic: props.alarmTopic,
      });
      const sessionKey = new EncryptionKey(this, 'SessionKey', {
        dataClass: 'sessions',
        description: 'Encrypts Session Manager sessions and their transcripts',
      });
      this.sessionLogging = new SessionLogging(this, 'SessionLogging', {
        key: sessionKey.key,
        logKey: props.logKey,
        accessLogBucket: props.accessLogBucket,
        bucketName: props.accountTrail.sessionTranscriptBucketName,
      });
    }

    if (props.manage.length > 0) {
      const postureKey = new EncryptionKey(this, 'PostureKey', {
        dataClass: 'posture',
        description: 'Encrypts AWS Config snapshots and history',
      });
      new Detection(this, 'Detection', {
        manage: props.manage,
        configKey: postureKey.key,
        accessLogBucket: props.accessLogBucket,
        logKey: props.logKey,
      });
    }

    this.access = new AccessRoles(this, 'Access', {
      adminPrincipals: props.access.adminPrincipals ?? [root],
      auditorPrincipals: props.access.auditorPrincipals ?? [root],
      maxSession: Duration.hours(props.access.maxSessionHours),
      auditorReadableKeys: this.trail ? [this.trail.key.key] : [],
    });
  }
}
