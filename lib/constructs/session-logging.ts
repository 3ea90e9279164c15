import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { SecureBucket } from './secure-bucket';
import { SecureLogGroup } from './secure-log-group';

/** The document Session Manager reads its account-wide preferences from; its name is fixed by AWS. */
export const SESSION_PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';

export interface SessionLoggingProps {
  /** Key of the session transcripts, in S3 and CloudWatch Logs, and of the sessions themselves. */
  readonly key: kms.IKey;
  readonly logKey: kms.IKey;
  readonly accessLogBucket: s3.IBucket;
  /** Fixed name of the transcript bucket, so node roles can be granted exactly its objects. */
  readonly bucketName: string;
}

/**
 * Session Manager preferences of the account (LOG-6): every session is
 * encrypted with a customer key and its transcript is written, encrypted, to
 * CloudWatch Logs and S3. Session Manager is the only shell access: images have
 * no SSH daemon and instances no key pair (IMM-6).
 */
export class SessionLogging extends Construct {
  readonly bucket: SecureBucket;
  readonly logGroup: SecureLogGroup;
  readonly bucketName: string;
  readonly key: kms.IKey;

  constructor(scope: Construct, id: string, props: SessionLoggingProps) {
    super(scope, id);
    this.bucketName = props.bucketName;
    this.key = props.key;
    this.bucket = new SecureBucket(this, 'Transcripts', {
      bucketName: props.bucketName,
      encryption: { kmsKey: props.key },
      serverAccessLogsBucket: props.accessLogBucket,
      expiration: Duration.days(1827),
    });
    acknowledge(
      this.bucket.bucket,
      'LOG-6',
      'session transcripts are kept in two services already (S3 and CloudWatch Logs) and are audit evidence, not customer data',
      'compliance:S3BucketReplicationEnabled',
    );
    this.logGroup = new SecureLogGroup(this, 'Logs', { encryptionKey: props.logKey });

    new ssm.CfnDocument(this, 'Preferences', {
      name: SESSION_PREFERENCES_DOCUMENT,
      documentType: 'Session',
      updateMethod: 'NewVersion',
      content: {
        schemaVersion: '1.0',
        description: 'Session Manager preferences: encrypted sessions, every transcript logged',
        sessionType: 'Standard_Stream',
        inputs: {
          s3BucketName: this.bucket.bucket.bucketName,
          s3KeyPrefix: 'sessions',
          s3EncryptionEnabled: true,
          cloudWatchLogGroupName: this.logGroup.logGroup.logGroupName,
          cloudWatchEncryptionEnabled: true,
          cloudWatchStreamingEnabled: true,
          kmsKeyId: props.key.keyId,
          runAsEnabled: false,
          idleSessionTimeout: '20',
          maxSessionDuration: '60',
          shellProfile: { linux: 'exec bash -l' },
        },
      },
    });
  }
}
