import { Match, Template } from 'aws-cdk-lib/assertions';
import { INTERFACE_ENDPOINTS, Network } from '../../lib/constructs/network';
import { newTestStack, TEST_ENV, testKey } from '../helpers/construct';

describe('Network (NET-1, NET-6)', () => {
  const stack = newTestStack();
  const logKey = testKey(stack, 'LogKey');
  new Network(stack, 'Network', {
    cidr: '10.20.0.0/16',
    availabilityZones: [`${TEST_ENV.region}a`, `${TEST_ENV.region}b`],
    natGateways: 1,
    logKey,
  });
  const t = Template.fromStack(stack);

  test('three tiers per AZ from the CIDR given; no subnet hands out public IPs', () => {
    t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/16' });
    t.resourceCountIs('AWS::EC2::Subnet', 6);
    for (const s of Object.values(t.findResources('AWS::EC2::Subnet')))
      expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
    t.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  test('the default security group is stripped of its rules', () => {
    t.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
  });

  test('flow logs record ALL traffic into a log group under the log key', () => {
    t.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: stack.resolve(logKey.keyArn) });
  });

  test('interface endpoints with private DNS, reachable on HTTPS from inside the VPC only', () => {
    t.resourceCountIs('AWS::EC2::VPCEndpoint', Object.keys(INTERFACE_ENDPOINTS).length + 1);
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    for (const e of Object.values(
      t.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    ))
      expect(e.Properties.PrivateDnsEnabled).toBe(true);
    t.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^VPC interface endpoints'),
      SecurityGroupIngress: [
        { CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: Match.anyValue() },
      ],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });
});
