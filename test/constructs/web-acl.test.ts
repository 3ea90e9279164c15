import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { MANAGED_RULE_GROUPS, RATE_LIMIT_RULE, UNKNOWN_HOST_RULE, WebAcl } from '../../lib/constructs/web-acl';
import { newTestStack } from '../helpers/construct';

const ALB_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:loadbalancer/app/test/0123456789abcdef';

function webAcl(logGroupName = 'aws-waf-logs-test', allowedHosts = ['app.example.com']) {
  const stack = newTestStack();
  const logGroup = logs.LogGroup.fromLogGroupName(stack, 'WafLogs', logGroupName);
  new WebAcl(stack, 'Waf', { resourceArn: ALB_ARN, allowedHosts, rateLimit: 500, rateWindowSeconds: 300, logGroup });
  return Template.fromStack(stack);
}

describe('WebAcl (NET-4, NET-5)', () => {
  const t = webAcl();

  test('regional, attached to the resource given, logging to the WAF log group', () => {
    t.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: ALB_ARN });
    const [logging] = Object.values(t.findResources('AWS::WAFv2::LoggingConfiguration'));
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).toMatch(/:log-group:aws-waf-logs-test"/);
  });

  test('unknown hosts are blocked first; the managed groups and a per-IP rate limit follow', () => {
    const [acl] = Object.values(t.findResources('AWS::WAFv2::WebACL'));
    const rules = acl.Properties.Rules as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(rules.map((r) => r.Name)).toEqual([UNKNOWN_HOST_RULE, ...MANAGED_RULE_GROUPS, RATE_LIMIT_RULE]);
    expect(rules[0]).toMatchObject({ Priority: 0, Action: { Block: {} } });
    expect(rules[0].Statement.NotStatement.Statement.ByteMatchStatement).toMatchObject({
      SearchString: 'app.example.com',
      PositionalConstraint: 'EXACTLY',
    });
    expect(rules.at(-1)).toMatchObject({
      Action: { Block: {} },
      Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 500, EvaluationWindowSec: 300 } },
    });
    for (const r of rules.slice(1, -1)) expect(r.OverrideAction).toEqual({ None: {} });
  });

  test('refuses a log group WAF cannot write to, and an empty host list, naming the prop', () => {
    expect(() => webAcl('/waf/logs')).toThrow(/logGroup name must start with "aws-waf-logs-" \(got "\/waf\/logs"\)/);
    expect(() => webAcl(undefined, [])).toThrow(/allowedHosts must list at least one hostname/);
  });
});
