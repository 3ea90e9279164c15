import { Match, type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { pipelineArtifactBucketName, pipelineArtifactKeyAliasName, pipelineName } from '../../lib/config/naming';
import { props, type Props, resourcesOf, synthConfig } from '../helpers/app';

const config = loadConfig();
const pipelineConfig = config.pipeline!;
const application = config.environments[0].tags.application;
/** The regions the environments deploy to besides the pipeline's own: each gets an artifact store. */
const remoteRegions = [...new Set(config.environments.flatMap((e) => [e.region, e.drRegion]))].filter(
  (r) => r !== pipelineConfig.region,
);
let stores: { region: string; template: Template }[];
beforeAll(() => {
  // The same assembly as delivery-stack.test.ts (with the nag packs), so a run synthesizes it once.
  const synth = synthConfig(config);
  stores = synth
    .delivery()
    .filter((d) => d.stack.stackName.startsWith(`${pipelineName(application)}-artifacts-`))
    .map((d) => ({ region: d.stack.region, template: d.template }));
});

test('one artifact store per region the pipeline deploys to, other than its own', () => {
  expect(stores.map((s) => s.region).sort()).toEqual([...remoteRegions].sort());
});

describe.each(remoteRegions)('artifact store in %s', (region) => {
  let t: Template;
  beforeAll(() => {
    t = stores.find((s) => s.region === region)!.template;
  });

  test('SDLC-2: the bucket has the name the pipeline writes to, under the aliased, rotating artifacts key', () => {
    const bucket = props(t, 'AWS::S3::Bucket').find(
      (b) => b.BucketName === pipelineArtifactBucketName(application, pipelineConfig.account, region),
    )!;
    const [[keyId, key]] = resourcesOf(t, 'AWS::KMS::Key');
    expect((key.Properties as Props).EnableKeyRotation).toBe(true);
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toMatchObject({
      SSEAlgorithm: 'aws:kms',
    });
    t.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: pipelineArtifactKeyAliasName(application),
      TargetKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });

  test('both buckets refuse plain HTTP and block public access; artifacts expire after a year', () => {
    for (const b of props(t, 'AWS::S3::Bucket')) {
      expect(b.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.LifecycleConfiguration.Rules).toEqual(
        expect.arrayContaining([expect.objectContaining({ ExpirationInDays: 365 })]),
      );
    }
    const policies = props(t, 'AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const p of policies)
      expect(p.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      );
    t.resourceCountIs('AWS::S3::Bucket', 2);
    t.hasResourceProperties('AWS::S3::Bucket', { LoggingConfiguration: Match.objectLike({}) });
  });
});
