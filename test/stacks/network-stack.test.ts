import { Match, type Template } from 'aws-cdk-lib/assertions';
import { INTERFACE_ENDPOINTS } from '../../lib/constructs/network';
import { resourcesOf, synthConfig, type Synthesized } from '../helpers/app';

let synth: Synthesized;
beforeAll(() => {
  synth = synthConfig(undefined, { nag: false });
});

const networkOf = (env: string): Template => synth.template(synth.stages.find((s) => s.stageName === env)!.network);

describe.each(['dev', 'staging', 'prod'])('network of %s', (env) => {
  let t: Template;
  let azCount: number;
  beforeAll(() => {
    t = networkOf(env);
    azCount = resourcesOf(t, 'AWS::EC2::Subnet').length / 3;
  });

  test('NET-1: three tiers in every configured AZ, from the configured CIDR', () => {
    const stage = synth.stages.find((s) => s.stageName === env)!;
    const config = stage.network.availabilityZones;
    expect(azCount).toBe(config.length);
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: Match.stringLikeRegexp('^10\\.\\d+\\.0\\.0/16$') });
    const azs = resourcesOf(t, 'AWS::EC2::Subnet').map(([, r]) => r.Properties!.AvailabilityZone);
    expect(new Set(azs)).toEqual(new Set(config));
  });

  test('NET-1: no subnet assigns public IPs on launch', () => {
    for (const [id, subnet] of resourcesOf(t, 'AWS::EC2::Subnet')) {
      expect([id, subnet.Properties!.MapPublicIpOnLaunch]).toEqual([id, false]);
    }
  });

  test('NET-1: isolated (database) subnets have no route out; private subnets only via NAT', () => {
    const routes = resourcesOf(t, 'AWS::EC2::Route');
    const isolatedTables = resourcesOf(t, 'AWS::EC2::RouteTable')
      .filter(([id]) => id.includes('Isolated'))
      .map(([id]) => id);
    expect(isolatedTables).toHaveLength(azCount);
    for (const table of isolatedTables) {
      expect(routes.filter(([, r]) => (r.Properties!.RouteTableId as { Ref: string }).Ref === table)).toEqual([]);
    }
    for (const [id, r] of routes.filter(([rid]) => rid.includes('Private'))) {
      expect([id, Object.keys(r.Properties!)]).toEqual([id, expect.arrayContaining(['NatGatewayId'])]);
      expect(r.Properties!.GatewayId).toBeUndefined();
    }
  });

  test('NET-1: NAT gateways sit in public subnets only', () => {
    for (const [, nat] of resourcesOf(t, 'AWS::EC2::NatGateway')) {
      expect((nat.Properties!.SubnetId as { Ref: string }).Ref).toMatch(/PublicSubnet/);
    }
  });

  test('NET-1: the default security group is stripped of all rules', () => {
    t.hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: Match.anyValue() });
  });

  test('NET-6: flow logs record ALL traffic into a KMS-encrypted log group kept 365 days', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', {
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      ResourceType: 'VPC',
    });
    const groups = resourcesOf(t, 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(1);
    const [, group] = groups[0];
    expect(group.Properties!.RetentionInDays).toBe(365);
    expect(group.Properties!.KmsKeyId).toBeDefined();
    expect(group.DeletionPolicy).toBe('Retain');
  });

  test('NET-6: private hosts reach AWS APIs through endpoints (S3 gateway + interface endpoints)', () => {
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('\\.s3$')])]),
      }),
    });
    const names = resourcesOf(t, 'AWS::EC2::VPCEndpoint')
      .filter(([, e]) => e.Properties!.VpcEndpointType === 'Interface')
      .map(([, e]) => JSON.stringify(e.Properties!.ServiceName));
    expect(names).toHaveLength(Object.keys(INTERFACE_ENDPOINTS).length);
    for (const svc of ['ssm', 'ssmmessages', 'ec2messages', 'logs', 'monitoring', 'kms', 'secretsmanager', 'sts']) {
      expect(names.some((n) => n.includes(`.${svc}`))).toBe(true);
    }
    for (const [, e] of resourcesOf(t, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties!.VpcEndpointType === 'Interface',
    )) {
      expect(e.Properties!.PrivateDnsEnabled).toBe(true);
    }
  });

  test('NET-2: endpoints accept HTTPS from inside the VPC only', () => {
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('interface endpoints'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: Match.stringLikeRegexp('^10\\.'), FromPort: 443, ToPort: 443 }),
      ],
    });
  });
});

test('NAT gateways: one per AZ in production, as configured elsewhere', () => {
  expect(resourcesOf(networkOf('prod'), 'AWS::EC2::NatGateway')).toHaveLength(3);
  expect(resourcesOf(networkOf('dev'), 'AWS::EC2::NatGateway')).toHaveLength(1);
});
