import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SESSION_PREFERENCES_DOCUMENT, SessionLogging } from '../../lib/constructs/session-logging';
import { newTestStack, testKey } from '../helpers/construct';

describe('SessionLogging (LOG-6)', () => {
  const stack = newTestStack();
  const key = testKey(stack, 'SessionKey');
  const logKey = testKey(stack, 'LogKey');
  new SessionLogging(stack, 'Sessions', {
    key,
    logKey,
    accessLogBucket: new s3.Bucket(stack, 'AccessLogs'),
    bucketName: 'test-session-transcripts',
  });
  const t = Template.fromStack(stack);

  test('every session is encrypted and its transcript streamed, encrypted, to S3 and CloudWatch Logs', () => {
    const [doc] = Object.values(
      t.findResources('AWS::SSM::Document', { Properties: { Name: SESSION_PREFERENCES_DOCUMENT } }),
    );
    expect(doc.Properties.DocumentType).toBe('Session');
    expect(doc.Properties.Content.inputs).toMatchObject({
      s3EncryptionEnabled: true,
      cloudWatchEncryptionEnabled: true,
      cloudWatchStreamingEnabled: true,
      kmsKeyId: stack.resolve(key.keyId),
      runAsEnabled: false,
    });
  });

  test('the transcript bucket is under the session key and kept five years; the log group under the log key', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'test-session-transcripts',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: stack.resolve(key.keyArn) },
            BucketKeyEnabled: true,
          },
        ],
      },
    });
    const [bucket] = Object.values(
      t.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'test-session-transcripts' } }),
    );
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 1827 }),
    );
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve(logKey.keyArn) });
  });
});
