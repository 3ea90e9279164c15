import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { GoldenImagePipeline } from '../../lib/constructs/golden-image';
import { loadComponents } from '../../lib/images/components';
import { newTestStack, testKey, testVpc } from '../helpers/construct';

describe('GoldenImagePipeline (IMM-1, IMM-4, IMM-5, IMM-8)', () => {
  const stack = newTestStack();
  const imageKey = testKey(stack, 'ImagesKey');
  const components = loadComponents();
  new GoldenImagePipeline(stack, 'Images', {
    namePrefix: 'test',
    vpc: testVpc(stack),
    parentImage: 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64',
    components,
    buildInstanceTypes: ['t3.medium'],
    buildHourUtc: 2,
    buildIntervalHours: 6,
    keepImages: 5,
    testTimeoutMinutes: 60,
    rootVolumeGiB: 20,
    imageKey,
    drRegion: 'eu-central-1',
    drImageKeyAliasName: 'alias/test/images',
    amiParameterName: '/test/golden-ami',
    accessLogBucket: new s3.Bucket(stack, 'AccessLogs'),
    alarmTopic: new sns.Topic(stack, 'Topic'),
  });
  const t = Template.fromStack(stack);

  test('builds in a private subnet, IMDSv2 only, no key pair, terminated on failure, no way in', () => {
    t.hasResourceProperties('AWS::ImageBuilder::InfrastructureConfiguration', {
      InstanceMetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      KeyPair: Match.absent(),
      TerminateInstanceOnFailure: true,
    });
    for (const sg of Object.values(
      t.findResources('AWS::EC2::SecurityGroup', { Properties: { VpcId: Match.anyValue() } }),
    ))
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the root volume of every image is encrypted with the images key; every component runs, tests last', () => {
    const [recipe] = Object.values(t.findResources('AWS::ImageBuilder::ImageRecipe'));
    expect(recipe.Properties.BlockDeviceMappings[0].Ebs).toMatchObject({
      Encrypted: true,
      KmsKeyId: stack.resolve(imageKey.keyArn),
    });
    expect(recipe.Properties.Components).toHaveLength(components.length);
    t.resourceCountIs('AWS::ImageBuilder::Component', components.length);
  });

  test('tests and Inspector scanning on; built on a schedule whether or not the base changed', () => {
    t.hasResourceProperties('AWS::ImageBuilder::ImagePipeline', {
      ImageTestsConfiguration: Match.objectLike({ ImageTestsEnabled: true }),
      ImageScanningConfiguration: { ImageScanningEnabled: true },
      Schedule: { ScheduleExpression: 'cron(0 2/6 * * ? *)', PipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY' },
      Status: 'ENABLED',
    });
  });

  test("each AMI goes to both regions under each region's images key, and its ID to the parameter", () => {
    const [dist] = Object.values(t.findResources('AWS::ImageBuilder::DistributionConfiguration'));
    const regions = dist.Properties.Distributions as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(regions.map((d) => d.Region)).toEqual(['eu-west-1', 'eu-central-1']);
    for (const d of regions)
      expect(d.SsmParameterConfigurations).toEqual([{ ParameterName: '/test/golden-ami', DataType: 'aws:ec2:image' }]);
    expect(JSON.stringify(regions[1].AmiDistributionConfiguration.KmsKeyId)).toContain(
      ':kms:eu-central-1:111111111111:alias/test/images',
    );
  });

  test('old images and their snapshots are deleted, the last N kept; failed builds notify the topic', () => {
    t.hasResourceProperties('AWS::ImageBuilder::LifecyclePolicy', {
      PolicyDetails: [
        {
          Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
          Filter: { Type: 'COUNT', Value: 5 },
        },
      ],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.imagebuilder'], detail: { state: { status: ['FAILED'] } } }),
    });
  });
});
