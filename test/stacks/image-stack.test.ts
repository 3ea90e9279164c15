import { type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { COMPONENT_TAG, goldenAmiParameterName, keyAliasName } from '../../lib/config/naming';
import { loadComponents } from '../../lib/images/components';
import { only, props, type Props, resourcesOf, synthTemplates, type SynthesizedTemplates } from '../helpers/app';

const config = loadConfig();
const components = loadComponents();
let synth: SynthesizedTemplates;
beforeAll(() => {
  synth = synthTemplates(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name, e] as const))('image stack of %s', (name, env) => {
  let image: Template;
  beforeAll(() => {
    image = synth.template(name, 'Image');
  });
  const amiParameter = () => goldenAmiParameterName(env.tags.application, env.name);

  describe('IMM-1: golden-image pipeline', () => {
    test('the recipe starts from the configured base and runs every document of images/, tests last', () => {
      const recipe = only(image, 'AWS::ImageBuilder::ImageRecipe');
      expect(recipe.ParentImage).toBe(`ssm:${env.image.baseImage.ssmParameter}`);
      const componentIds = resourcesOf(image, 'AWS::ImageBuilder::Component');
      expect(componentIds.map(([, c]) => (c.Properties as Props).Data).sort()).toEqual(
        components.map((c) => c.data).sort(),
      );
      const order = (recipe.Components as Props[]).map(
        (c) => componentIds.find(([id]) => id === c.ComponentArn['Fn::GetAtt'][0])![1].Properties as Props,
      );
      expect(order.map((c) => c.Name).at(-1)).toMatch(/hardening-test$/);
      expect(recipe.BlockDeviceMappings[0].Ebs).toMatchObject({ Encrypted: true, KmsKeyId: expect.anything() });
    });

    test('builds run in a private subnet, IMDSv2 only, no key pair, logs to an encrypted bucket', () => {
      const infra = only(image, 'AWS::ImageBuilder::InfrastructureConfiguration');
      expect(JSON.stringify(infra.SubnetId)).toMatch(/PrivateSubnet/);
      expect(infra.InstanceMetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
      expect(infra.KeyPair).toBeUndefined();
      expect(infra.TerminateInstanceOnFailure).toBe(true);
      expect(infra.Logging.S3Logs.S3BucketName).toEqual({ Ref: expect.stringMatching(/BuildLogs/) });
      const sg = props(image, 'AWS::EC2::SecurityGroup')[0];
      expect(sg.SecurityGroupIngress).toBeUndefined();
    });

    test('image tests and Inspector scanning are on, for the pipeline and the bootstrap image', () => {
      for (const type of ['AWS::ImageBuilder::ImagePipeline', 'AWS::ImageBuilder::Image']) {
        const p = only(image, type);
        expect(p.ImageTestsConfiguration).toMatchObject({ ImageTestsEnabled: true });
        expect(p.ImageScanningConfiguration).toEqual({ ImageScanningEnabled: true });
      }
    });
  });

  test('IMM-4: the pipeline builds every few hours (at least daily), whether or not the base changed', () => {
    expect(env.image.buildIntervalHours).toBeLessThanOrEqual(12);
    const p = only(image, 'AWS::ImageBuilder::ImagePipeline');
    expect(p.Schedule).toEqual({
      ScheduleExpression: `cron(0 ${env.image.buildHourUtc % env.image.buildIntervalHours}/${env.image.buildIntervalHours} * * ? *)`,
      PipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
    });
    expect(p.Status).toBe('ENABLED');
  });

  test('IMM-5: old images and snapshots are deleted, the last N kept', () => {
    const policy = only(image, 'AWS::ImageBuilder::LifecyclePolicy');
    expect(policy.ResourceType).toBe('AMI_IMAGE');
    expect(policy.PolicyDetails).toEqual([
      {
        Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
        Filter: { Type: 'COUNT', Value: env.image.keepImages },
      },
    ]);
    expect(policy.ResourceSelection.TagMap).toEqual({ [COMPONENT_TAG]: 'golden-image' });
    const tagged = only(image, 'AWS::ImageBuilder::ImagePipeline').Tags;
    expect(tagged[COMPONENT_TAG]).toBe('golden-image');
  });

  test("IMM-8: every AMI goes to both regions under each region's key, and its ID to the SSM parameter", () => {
    const dist = only(image, 'AWS::ImageBuilder::DistributionConfiguration').Distributions as Props[];
    expect(dist.map((d) => d.Region)).toEqual([env.region, env.drRegion]);
    for (const d of dist) {
      expect(d.SsmParameterConfigurations).toEqual([{ ParameterName: amiParameter(), DataType: 'aws:ec2:image' }]);
      expect(d.AmiDistributionConfiguration.KmsKeyId).toBeDefined();
    }
    expect(JSON.stringify(dist[1].AmiDistributionConfiguration.KmsKeyId)).toContain(
      `:kms:${env.drRegion}:${env.account}:${keyAliasName(env.tags.application, env.name, 'images')}`,
    );
    const drAliases = props(synth.template(name, 'DisasterRecovery'), 'AWS::KMS::Alias').map((a) => a.AliasName);
    expect(drAliases).toContain(keyAliasName(env.tags.application, env.name, 'images'));
  });

  test('LOG-4: failed builds notify the alarm topic', () => {
    const rule = props(image, 'AWS::Events::Rule').find((r) => r.EventPattern.source[0] === 'aws.imagebuilder')!;
    expect(rule.EventPattern.detail).toEqual({ state: { status: ['FAILED'] } });
    expect(JSON.stringify(rule.Targets)).toMatch(/AlarmTopic/);
  });
});
