import { type FixtureEditor } from '../fixture';
import { failsExactly, changed } from './harness';

/** The checks of lib/compliance/checks/network.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'a subnet maps public IPs on launch',
    { 'NET-1': 'FAIL' },
    (e) => (e.find('Network', 'Privb').Properties.MapPublicIpOnLaunch = true),
  ],
  [
    'the database sits in private subnets',
    { 'NET-1': 'FAIL' },
    (e) => (e.find('Data', 'DbSubnets').Properties.SubnetIds = [{ 'Fn::ImportValue': 'prod-Network:Priva' }]),
  ],
  ['the default security group keeps its rules', { 'NET-1': 'FAIL' }, (e) => e.remove('Network', 'RestrictDefaultSg')],
  [
    'the private subnets route through the internet gateway',
    { 'NET-1': 'FAIL' },
    (e) => (e.find('Network', 'RoutePriv').Properties = { RouteTableId: { Ref: 'RtPriv' }, GatewayId: { Ref: 'Igw' } }),
  ],
  [
    'SSH is allowed from inside the VPC',
    { 'NET-2': 'FAIL' },
    (e) =>
      (e.find('Network', 'EndpointSg').Properties.SecurityGroupIngress = [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, CidrIp: '10.0.0.0/16' },
      ]),
  ],
  [
    'the app port is open to the internet',
    { 'NET-2': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'FleetFromAlb').Properties = {
        GroupId: { 'Fn::GetAtt': ['FleetSg', 'GroupId'] },
        IpProtocol: 'tcp',
        FromPort: 8443,
        ToPort: 8443,
        CidrIp: '0.0.0.0/0',
      }),
  ],
  [
    'port 80 forwards instead of redirecting',
    { 'NET-2': 'FAIL' },
    (e) => (e.find('Ingress', 'Http').Properties.DefaultActions = [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }]),
  ],
  [
    'flow logs of rejected traffic only',
    { 'NET-6': 'FAIL' },
    (e) => (e.find('Network', 'FlowLog').Properties.TrafficType = 'REJECT'),
  ],
  ['no STS endpoint', { 'NET-6': 'FAIL' }, (e) => e.remove('Network', 'Epsts')],
]);

describe('optional controls', () => {
  test('NET-7 is checked once a CDN exists', () => {
    const cdn = (version: string) => (e: FixtureEditor) =>
      e.add('Ingress', 'Cdn', {
        Type: 'AWS::CloudFront::Distribution',
        Properties: {
          DistributionConfig: {
            ViewerCertificate: { MinimumProtocolVersion: version },
            Origins: [{ S3OriginConfig: {}, OriginAccessControlId: 'oac' }],
          },
        },
      });
    expect(changed(cdn('TLSv1.2_2021'))).toEqual({ 'NET-7': 'PASS' });
    expect(changed(cdn('TLSv1'))).toEqual({ 'NET-7': 'FAIL' });
  });
});
