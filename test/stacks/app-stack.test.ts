import { type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { COMPONENT_TAG, goldenAmiParameterName } from '../../lib/config/naming';
import { REFRESH_EVENTS } from '../../lib/constructs/rollout';
import { only, props, type Props, resourcesOf, synthConfig, type Synthesized } from '../helpers/app';

const config = loadConfig();
let synth: Synthesized;
beforeAll(() => {
  synth = synthConfig(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name, e] as const))('app stack of %s', (name, env) => {
  let app: Template;
  beforeAll(() => {
    const stage = synth.stages.find((s) => s.stageName === name)!;
    app = synth.template(stage.app);
  });
  const amiParameter = () => goldenAmiParameterName(env.tags.application, env.name);

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
