import { Match, type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { STRICT_TLS_POLICIES } from '../../lib/config/schema';
import {
  MANAGED_RULE_GROUPS,
  RATE_LIMIT_RULE,
  UNKNOWN_HOST_LABEL,
  UNKNOWN_HOST_RULE,
} from '../../lib/constructs/web-acl';
import { resourcesOf, synthTemplates, type SynthesizedTemplates } from '../helpers/app';

const config = loadConfig();
let synth: SynthesizedTemplates;
beforeAll(() => {
  synth = synthTemplates(config, { nag: false });
});

type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.each(config.environments.map((e) => [e.name, e] as const))('front door of %s', (name, env) => {
  let t: Template;
  beforeAll(() => {
    t = synth.template(name, 'Ingress');
  });
  const attrs = (type: string): Record<string, string> => {
    const [[, r]] = resourcesOf(t, type);
    const list = (r.Properties!.LoadBalancerAttributes ?? r.Properties!.ListenerAttributes) as {
      Key: string;
      Value: string;
    }[];
    return Object.fromEntries(list.map((a) => [a.Key, a.Value]));
  };
  const listener = (port: number) =>
    resourcesOf(t, 'AWS::ElasticLoadBalancingV2::Listener').find(([, l]) => l.Properties!.Port === port)?.[1]
      .Properties as Props | undefined;

  test('NET-1/NET-2: one internet-facing ALB, in the public subnets', () => {
    const albs = resourcesOf(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(albs).toHaveLength(1);
    expect(albs[0][1].Properties!.Scheme).toBe('internet-facing');
    const subnets = JSON.stringify(albs[0][1].Properties!.Subnets);
    expect(subnets).toMatch(/PublicSubnet/);
    expect(subnets).not.toMatch(/PrivateSubnet|IsolatedSubnet/);
  });

  test('NET-2: the ALB security group admits only 443 (and 80 for the redirect) from the internet', () => {
    const sg = resourcesOf(t, 'AWS::EC2::SecurityGroup').find(([, g]) =>
      String(g.Properties!.GroupDescription).startsWith('Public ALB'),
    )!;
    const ingress = (sg[1].Properties!.SecurityGroupIngress as Props[]).map(
      (r) => `${r.CidrIp ?? r.CidrIpv6}:${r.FromPort}-${r.ToPort}`,
    );
    expect(ingress.sort()).toEqual(
      env.ingress.httpRedirect ? ['0.0.0.0/0:443-443', '0.0.0.0/0:80-80'] : ['0.0.0.0/0:443-443'],
    );
  });

  test('NET-2: the ALB security group is tagged for the operations CLI', () => {
    const sg = resourcesOf(t, 'AWS::EC2::SecurityGroup').find(([, g]) =>
      String(g.Properties!.GroupDescription).startsWith('Public ALB'),
    )!;
    expect(sg[1].Properties!.Tags).toEqual(expect.arrayContaining([{ Key: 'saas:component', Value: 'public-entry' }]));
  });

  test('NET-2: the ALB may only send traffic to the fleet, on the app port', () => {
    const sg = resourcesOf(t, 'AWS::EC2::SecurityGroup').find(([, g]) =>
      String(g.Properties!.GroupDescription).startsWith('Public ALB'),
    )!;
    expect(sg[1].Properties!.SecurityGroupEgress).toBeUndefined(); // no "allow all" default
    const egress = resourcesOf(t, 'AWS::EC2::SecurityGroupEgress').filter(([, r]) =>
      JSON.stringify(r.Properties!.GroupId).includes(sg[0]),
    );
    expect(egress.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        FromPort: env.ingress.appPort,
        ToPort: env.ingress.appPort,
        DestinationSecurityGroupId: expect.anything(),
      }),
    ]);
  });

  test('NET-2: only the ALB security group reaches the fleet', () => {
    const fleet = resourcesOf(t, 'AWS::EC2::SecurityGroup').find(([, g]) =>
      String(g.Properties!.GroupDescription).startsWith('App fleet'),
    )!;
    expect(fleet[1].Properties!.SecurityGroupIngress).toBeUndefined();
    const rules = resourcesOf(t, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) =>
      JSON.stringify(r.Properties!.GroupId).includes(fleet[0]),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0][1].Properties).toMatchObject({
      FromPort: env.ingress.appPort,
      ToPort: env.ingress.appPort,
      SourceSecurityGroupId: expect.anything(),
    });
    expect(rules[0][1].Properties!.CidrIp).toBeUndefined();
  });

  test('NET-3: HTTPS listener with a strict TLS 1.2+ forward-secrecy policy', () => {
    const https = listener(443)!;
    expect(https.Protocol).toBe('HTTPS');
    expect(STRICT_TLS_POLICIES).toContain(https.SslPolicy);
    expect(https.SslPolicy).toBe(env.ingress.tlsPolicy);
  });

  test('NET-3: HSTS of at least a year on every response, set on the listener', () => {
    const hsts = attrs('AWS::ElasticLoadBalancingV2::Listener')[
      'routing.http.response.strict_transport_security.header_value'
    ];
    const maxAge = Number(/max-age=(\d+)/.exec(hsts)?.[1]);
    expect(maxAge).toBeGreaterThanOrEqual(31536000);
    expect(maxAge).toBe(env.ingress.hstsMaxAgeSeconds);
    expect(hsts).toContain('includeSubDomains');
  });

  test('NET-4: the default action is a 404 with no body', () => {
    expect(listener(443)!.DefaultActions).toEqual([
      { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } },
    ]);
  });

  test('NET-4: only configured host/path routes reach the fleet', () => {
    const rules = resourcesOf(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').map(([, r]) => r.Properties as Props);
    const routes = rules.map((r) => ({
      host: r.Conditions.find((c: Props) => c.Field === 'host-header').HostHeaderConfig.Values,
      paths: r.Conditions.find((c: Props) => c.Field === 'path-pattern').PathPatternConfig.Values,
      action: r.Actions.map((a: Props) => a.Type),
    }));
    expect(routes).toEqual(env.ingress.hosts.map((h) => ({ host: [h.hostname], paths: h.paths, action: ['forward'] })));
  });

  test('NET-4: invalid header fields are dropped and desync mitigation is strictest', () => {
    const lb = attrs('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb['routing.http.drop_invalid_header_fields.enabled']).toBe('true');
    expect(lb['routing.http.desync_mitigation_mode']).toBe('strictest');
  });

  test('NET-2: port 80 only answers a permanent redirect to HTTPS 443', () => {
    const http = listener(80);
    if (!env.ingress.httpRedirect) return expect(http).toBeUndefined();
    expect(http!.DefaultActions).toEqual([
      { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
    ]);
    expect(
      resourcesOf(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(([, r]) =>
        JSON.stringify(r.Properties!.ListenerArn).includes('HttpRedirect'),
      ),
    ).toEqual([]);
  });

  test('LOG-2: ALB access logs are delivered to the request-log bucket', () => {
    const lb = attrs('AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(lb['access_logs.s3.enabled']).toBe('true');
    expect(JSON.stringify(lb['access_logs.s3.bucket'])).toMatch(/RequestLogBucket/);
  });

  test('the fleet target group is HTTPS on the app port, health-checked', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'HTTPS',
      Port: env.ingress.appPort,
      HealthCheckProtocol: 'HTTPS',
      HealthCheckPath: env.ingress.healthCheckPath,
      TargetType: 'instance',
    });
  });

  describe('WAF', () => {
    let rules: Props[];
    beforeAll(() => {
      rules = resourcesOf(t, 'AWS::WAFv2::WebACL')[0][1].Properties!.Rules as Props[];
    });

    test('NET-5: the web ACL is regional and attached to the ALB', () => {
      t.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
      const [[albId]] = resourcesOf(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: { Ref: albId } });
    });

    test('NET-4: requests for unknown hosts are blocked and labelled, first', () => {
      const rule = rules.find((r) => r.Name === UNKNOWN_HOST_RULE)!;
      expect(rule.Priority).toBe(Math.min(...rules.map((r) => r.Priority)));
      expect(rule.Action).toEqual({ Block: {} });
      expect(rule.RuleLabels).toEqual([{ Name: UNKNOWN_HOST_LABEL }]);
      const allowed = JSON.stringify(rule.Statement.NotStatement.Statement);
      for (const h of env.ingress.hosts) expect(allowed).toContain(`"SearchString":"${h.hostname}"`);
      expect(allowed.match(/"PositionalConstraint":"EXACTLY"/g)).toHaveLength(env.ingress.hosts.length);
    });

    test('NET-5: AWS managed common, known-bad-inputs and IP reputation groups', () => {
      const managed = rules
        .filter((r) => r.Statement.ManagedRuleGroupStatement)
        .map((r) => r.Statement.ManagedRuleGroupStatement);
      expect(managed.map((m) => `${m.VendorName}/${m.Name}`).sort()).toEqual(
        MANAGED_RULE_GROUPS.map((n) => `AWS/${n}`).sort(),
      );
      for (const r of rules.filter((x) => x.Statement.ManagedRuleGroupStatement))
        expect(r.OverrideAction).toEqual({ None: {} });
    });

    test('NET-5: a per-IP rate-based rule with the configured limit blocks', () => {
      const rule = rules.find((r) => r.Name === RATE_LIMIT_RULE)!;
      expect(rule.Action).toEqual({ Block: {} });
      expect(rule.Statement.RateBasedStatement).toEqual({
        AggregateKeyType: 'IP',
        Limit: env.waf.rateLimit,
        EvaluationWindowSec: env.waf.rateWindowSeconds,
      });
    });

    test('LOG-2/NET-5: WAF logs go to the aws-waf-logs- group, and a saved query reviews unknown-host blocks', () => {
      const [[, logging]] = resourcesOf(t, 'AWS::WAFv2::LoggingConfiguration');
      expect(JSON.stringify(logging.Properties!.LogDestinationConfigs)).toMatch(/log-group:.*WafLogs/);
      t.hasResourceProperties('AWS::Logs::QueryDefinition', {
        QueryString: Match.stringLikeRegexp(`filter terminatingRuleId = '${UNKNOWN_HOST_RULE}'`),
        LogGroupNames: [Match.objectLike({})],
      });
    });
  });
});
