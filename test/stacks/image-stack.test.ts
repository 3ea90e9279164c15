import { type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { COMPONENT_TAG, goldenAmiParameterName, keyAliasName } from '../../lib/config/naming';
import { loadComponents } from '../../lib/images/components';
import { REFRESH_EVENTS } from '../../lib/constructs/rollout';
import { only, props, type Props, resourcesOf, synthConfig, type Synthesized } from '../helpers/app';

const config = loadConfig();
const components = loadComponents();
let synth: Synthesized;
beforeAll(() => {
  synth = synthConfig(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name, e] as const))('immutable compute of %s', (name, env) => {
  let image: Template;
  let app: Template;
  let stage: Synthesized['stages'][number];
  beforeAll(() => {
    stage = synth.stages.find((s) => s.stageName === name)!;
    image = synth.template(stage.image);
    app = synth.template(stage.app);
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
    const drAliases = props(synth.template(stage.dr), 'AWS::KMS::Alias').map((a) => a.AliasName);
    expect(drAliases).toContain(keyAliasName(env.tags.application, env.name, 'images'));
  });

  test('LOG-4: failed builds notify the alarm topic', () => {
    const rule = props(image, 'AWS::Events::Rule').find((r) => r.EventPattern.source[0] === 'aws.imagebuilder')!;
    expect(rule.EventPattern.detail).toEqual({ state: { status: ['FAILED'] } });
    expect(JSON.stringify(rule.Targets)).toMatch(/AlarmTopic/);
  });

  describe('the fleet', () => {
    let lt: Props;
    let asg: Props;
    beforeAll(() => {
      lt = only(app, 'AWS::EC2::LaunchTemplate').LaunchTemplateData;
      asg = only(app, 'AWS::AutoScaling::AutoScalingGroup');
    });

    test('IMM-2: the group names an explicit launch template version; the AMI is resolved to a literal ID at deploy', () => {
      expect(asg.LaunchTemplate.Version).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/LaunchTemplate/), 'LatestVersionNumber'],
      });
      expect(JSON.stringify(asg.LaunchTemplate)).not.toMatch(/\$Latest|\$Default/);
      const paramId = lt.ImageId.Ref as string;
      expect(app.toJSON().Parameters[paramId]).toEqual({
        Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
        Default: amiParameter(),
      });
      expect(JSON.stringify(lt.ImageId)).not.toMatch(/resolve:ssm/);
    });

    test('IMM-2: a deploy that changes the template refreshes launch-before-terminate', () => {
      const [[, group]] = resourcesOf(app, 'AWS::AutoScaling::AutoScalingGroup');
      expect((group.UpdatePolicy as Props).AutoScalingInstanceRefresh).toMatchObject({
        Strategy: 'Rolling',
        Preferences: { MinHealthyPercentage: 100, MaxHealthyPercentage: 200 },
      });
    });

    test('IMM-3: nodes live at most the configured lifetime (1-7 days)', () => {
      expect(asg.MaxInstanceLifetime).toBe(env.fleet.maxInstanceLifetimeDays * 86400);
      expect(asg.MaxInstanceLifetime).toBeGreaterThanOrEqual(86400);
      expect(asg.MaxInstanceLifetime).toBeLessThanOrEqual(7 * 86400);
    });

    test('IMM-6: IMDSv2 with hop limit 1, encrypted root volume under the customer key, no key pair, detailed monitoring, no public IP', () => {
      expect(lt.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
      expect(lt.BlockDeviceMappings[0].Ebs).toMatchObject({
        Encrypted: true,
        KmsKeyId: { 'Fn::ImportValue': expect.stringMatching(/ImagesKey/) },
      });
      expect(lt.KeyName).toBeUndefined();
      expect(lt.Monitoring).toEqual({ Enabled: true });
      expect(lt.NetworkInterfaces[0].AssociatePublicIpAddress).toBe(false);
      // The boot path fetches and checks the release only: no package updates, no configuration drift (IMM-2).
      const boot = JSON.stringify(lt.UserData);
      expect(boot).toContain('sha256sum --check');
      expect(boot).not.toMatch(/\b(dnf|yum|apt-get|rpm|pip)\b|upgrade|update|npm (install|ci)\b/);
    });

    test('IMM-6: the instance role has Session Manager, the CloudWatch agent and named data-bucket actions only', () => {
      const role = props(app, 'AWS::IAM::Role').find((r) => r.Description?.startsWith('App fleet'))!;
      expect(JSON.stringify(role.ManagedPolicyArns)).toMatch(
        /AmazonSSMManagedInstanceCore.*CloudWatchAgentServerPolicy/,
      );
      expect(role.ManagedPolicyArns).toHaveLength(2);
      const [, policy] = resourcesOf(app, 'AWS::IAM::Policy').find(([id]) => id.startsWith('FleetInstanceRole'))!;
      const actions = ((policy.Properties as Props).PolicyDocument.Statement as Props[]).flatMap((s) =>
        [s.Action].flat(),
      );
      for (const a of actions) expect(a).not.toMatch(/\*/);
    });

    test('IMM-7: private subnets of every AZ, ELB health checks, registered in the ALB target group', () => {
      expect(asg.VPCZoneIdentifier).toHaveLength(env.availabilityZones.length);
      expect(JSON.stringify(asg.VPCZoneIdentifier)).toMatch(/PrivateSubnet/);
      expect(asg.HealthCheckType).toBe('ELB');
      expect(JSON.stringify(asg.TargetGroupARNs)).toMatch(/FleetTargets/);
      expect(Number(asg.MinSize)).toBeGreaterThanOrEqual(2);
    });

    test('the fleet is tagged for the operations CLI', () => {
      expect(asg.Tags).toEqual(
        expect.arrayContaining([{ Key: COMPONENT_TAG, Value: 'app-fleet', PropagateAtLaunch: true }]),
      );
    });
  });

  describe('IMM-2/IMM-4: event-driven rollout', () => {
    test('a new image of our pipeline invokes the rollout function', () => {
      const rule = props(app, 'AWS::Events::Rule').find((r) => r.EventPattern.source[0] === 'aws.imagebuilder')!;
      expect(rule.EventPattern.detail).toEqual({ state: { status: ['AVAILABLE'] } });
      expect(JSON.stringify(rule.EventPattern.resources)).toMatch(/image\/acme-saas-/);
      expect(JSON.stringify(rule.Targets)).toMatch(/RolloutFunction/);
    });

    test('the end of every refresh of our group invokes it too (report, deferred rollouts)', () => {
      const rule = props(app, 'AWS::Events::Rule').find((r) => r.EventPattern.source[0] === 'aws.autoscaling')!;
      expect(rule.EventPattern['detail-type']).toEqual([...REFRESH_EVENTS]);
      expect(JSON.stringify(rule.EventPattern.detail)).toMatch(/FleetASG/);
    });

    test('the function runs one at a time, in the VPC, with a dead-letter queue and its settings', () => {
      const fn = only(app, 'AWS::Lambda::Function');
      expect(fn.ReservedConcurrentExecutions).toBe(1);
      expect(fn.VpcConfig.SubnetIds.length).toBe(env.availabilityZones.length);
      expect(fn.DeadLetterConfig.TargetArn).toBeDefined();
      expect(fn.Environment.Variables).toMatchObject({
        AMI_PARAMETER: amiParameter(),
        INSTANCE_WARMUP_SECONDS: String(env.fleet.instanceWarmupSeconds),
      });
    });
  });
});

test('IMM-2: no in-place patching path anywhere: no patch baselines, associations or maintenance windows', () => {
  for (const { template } of synth.all()) {
    for (const type of [
      'AWS::SSM::PatchBaseline',
      'AWS::SSM::Association',
      'AWS::SSM::MaintenanceWindow',
      'AWS::SSM::MaintenanceWindowTask',
    ]) {
      expect(resourcesOf(template, type)).toEqual([]);
    }
  }
});
