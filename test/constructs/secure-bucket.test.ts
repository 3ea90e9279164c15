import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SecureBucket } from '../../lib/constructs/secure-bucket';
import { newTestApp } from '../helpers/app';

function stackWithBuckets(): { t: Template; stack: Stack } {
  const stack = new Stack(newTestApp(), 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const logs = new SecureBucket(stack, 'Logs', {
    isAccessLogBucket: true,
    encryption: { s3ManagedBecause: 'S3 server access logs need SSE-S3' },
  });
  new SecureBucket(stack, 'Data', {
    encryption: { kmsKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) },
    serverAccessLogsBucket: logs.bucket,
    expiration: Duration.days(30),
  });
  return { t: Template.fromStack(stack), stack };
}

describe('SecureBucket (DATA-2)', () => {
  const { t } = stackWithBuckets();
  const dataBucket = () =>
    Object.values(
      t.findResources('AWS::S3::Bucket', { Properties: { LoggingConfiguration: Match.anyValue() } }),
    )[0] as { Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('KMS encryption with a customer key and bucket keys', () => {
    expect(dataBucket().Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() },
      BucketKeyEnabled: true,
    });
  });

  test('SSE-S3 only where a reason is given', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
  });

  test.each(['Data', 'Logs'])('%s: blocks all public access, versioned, owner enforced, retained', (name) => {
    const [r] = Object.entries(t.findResources('AWS::S3::Bucket')).filter(([id]) => id.startsWith(name));
    expect(r[1].Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    expect(r[1].DeletionPolicy).toBe('Retain');
  });

  test('TLS-only bucket policy, and TLS 1.2 at least', () => {
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy')).map((p) => JSON.stringify(p));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(p).toMatch(/"aws:SecureTransport":"false"/);
      expect(p).toMatch(/"s3:TlsVersion":1\.2/);
    }
  });

  test('server access logging to the log bucket, noncurrent versions expire, expiration when asked', () => {
    const data = dataBucket().Properties;
    expect(data.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^Logs/) });
    expect(data.LifecycleConfiguration.Rules[0]).toMatchObject({
      ExpirationInDays: 30,
      NoncurrentVersionExpiration: { NoncurrentDays: 90 },
      Status: 'Enabled',
    });
  });

  test('refuses a bucket without an access-log destination', () => {
    const stack = new Stack(newTestApp(), 'S');
    expect(() => new SecureBucket(stack, 'B', { encryption: { kmsKey: new kms.Key(stack, 'K') } })).toThrow(
      /SecureBucket S\/B: serverAccessLogsBucket is required \(DATA-2\)/,
    );
  });

  test('refuses SSE-S3 without a reason', () => {
    const stack = new Stack(newTestApp(), 'S');
    expect(
      () => new SecureBucket(stack, 'B', { isAccessLogBucket: true, encryption: { s3ManagedBecause: '' } }),
    ).toThrow(/encryption\.s3ManagedBecause must say why SSE-KMS cannot be used/);
  });
});
