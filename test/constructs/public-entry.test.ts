import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { hstsHeaderValue, PublicEntry } from '../../lib/constructs/public-entry';
import { newTestStack, testVpc } from '../helpers/construct';

const SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06';

describe('PublicEntry (NET-2, NET-3, NET-4)', () => {
  const stack = newTestStack();
  const vpc = testVpc(stack);
  const entry = new PublicEntry(stack, 'Entry', {
    vpc,
    routes: [{ hostname: 'app.example.com', paths: ['/api/*'] }],
    certificate: { arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc' },
    sslPolicy: SSL_POLICY,
    hstsMaxAgeSeconds: 31536000,
    httpRedirect: true,
    appPort: 8443,
    healthCheckPath: '/healthz',
    accessLogsBucket: new s3.Bucket(stack, 'AccessLogs'),
  });
  const t = Template.fromStack(stack);
  const listener = (port: number) =>
    Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener', { Properties: { Port: port } }))[0]
      .Properties;

  test('internet-facing, invalid headers dropped, strictest desync mitigation, deletion protection, access logs', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'deletion_protection.enabled', Value: 'true' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'routing.http.desync_mitigation_mode', Value: 'strictest' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
  });

  test('HTTPS with the TLS policy given, HSTS on every response, 404 by default, only the routes reach the fleet', () => {
    expect(listener(443)).toMatchObject({
      Protocol: 'HTTPS',
      SslPolicy: SSL_POLICY,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    });
    expect(listener(443).ListenerAttributes).toContainEqual({
      Key: 'routing.http.response.strict_transport_security.header_value',
      Value: hstsHeaderValue(31536000),
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: Match.arrayWith([
        { Field: 'host-header', HostHeaderConfig: { Values: ['app.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
      ]),
    });
  });

  test('port 80 only redirects, permanently, to HTTPS 443', () => {
    expect(listener(80).DefaultActions).toEqual([
      { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
    ]);
  });

  test('the ALB admits 443 and 80 from the internet and sends only to the fleet on the app port', () => {
    const sg = Object.values(
      t.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('^Public ALB') },
      }),
    )[0].Properties;
    expect(
      sg.SecurityGroupIngress.map((r: { CidrIp: string; FromPort: number }) => [r.CidrIp, r.FromPort]).sort(),
    ).toEqual([
      ['0.0.0.0/0', 443],
      ['0.0.0.0/0', 80],
    ]);
    t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: stack.resolve(entry.securityGroup.securityGroupId),
      DestinationSecurityGroupId: stack.resolve(entry.fleetSecurityGroup.securityGroupId),
      FromPort: 8443,
      ToPort: 8443,
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: stack.resolve(entry.fleetSecurityGroup.securityGroupId),
      SourceSecurityGroupId: stack.resolve(entry.securityGroup.securityGroupId),
      FromPort: 8443,
    });
  });

  test('the fleet target group speaks HTTPS on the app port and checks the health path', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'HTTPS',
      Port: 8443,
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: '/healthz',
    });
  });
});
