import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { sessionTranscriptBucketName } from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import { AccessRoles } from '../constructs/access-roles';
import { AuditTrail } from '../constructs/audit-trail';
import { Detection } from '../constructs/detection';
import { EncryptionKey } from '../constructs/encryption-key';
import { SecurityAlarms } from '../constructs/security-alarms';
import { SessionLogging } from '../constructs/session-logging';

export interface AuditStackProps extends StackProps {
  readonly config: EnvironmentConfig;
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
    const c = props.config;
    const root = new iam.AccountRootPrincipal().arn;

    if (c.audit.accountTrail) {
      this.trail = new AuditTrail(this, 'Trail', {
        lockMode: c.production ? 'compliance' : 'governance',
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
        bucketName: sessionTranscriptBucketName(c.tags.application, c.name, c.account, c.region, c.nameSuffix),
      });
    }

    if (c.audit.manage.length > 0) {
      const postureKey = new EncryptionKey(this, 'PostureKey', {
        dataClass: 'posture',
        description: 'Encrypts AWS Config snapshots and history',
      });
      new Detection(this, 'Detection', {
        manage: c.audit.manage,
        configKey: postureKey.key,
        accessLogBucket: props.accessLogBucket,
        logKey: props.logKey,
      });
    }

    this.access = new AccessRoles(this, 'Access', {
      adminPrincipals: c.access.adminPrincipals ?? [root],
      auditorPrincipals: c.access.auditorPrincipals ?? [root],
      maxSession: Duration.hours(c.access.maxSessionHours),
      auditorReadableKeys: this.trail ? [this.trail.key.key] : [],
    });
  }
}
