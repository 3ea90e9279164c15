import { Match, Template } from 'aws-cdk-lib/assertions';
import { ARTIFACT_RETENTION, ArtifactStore } from '../../lib/constructs/artifact-store';
import { newTestStack } from '../helpers/construct';

describe('ArtifactStore (SDLC-2)', () => {
  const stack = newTestStack();
  new ArtifactStore(stack, 'Store', { bucketName: 'test-artifacts', keyAliasName: 'alias/test/artifacts' });
  const t = Template.fromStack(stack);

  test('the artifact bucket is encrypted with the aliased artifacts key, which rotates', () => {
    const [aliasId] = Object.keys(
      t.findResources('AWS::KMS::Alias', { Properties: { AliasName: 'alias/test/artifacts' } }),
    );
    expect(aliasId).toBeDefined();
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'test-artifacts',
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: aliasId }])]) }),
            },
          }),
        ],
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue() },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  test('both buckets expire objects after the artifact retention, block public access and deny plain HTTP', () => {
    const buckets = Object.values(t.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const b of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ ExpirationInDays: ARTIFACT_RETENTION.toDays() }),
      );
    }
    for (const p of Object.values(t.findResources('AWS::S3::BucketPolicy')))
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
  });
});
