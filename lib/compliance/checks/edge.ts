import { MIN_HSTS_MAX_AGE_SECONDS, STRICT_TLS_POLICIES } from '../../config/schema';
import { LOG_RETENTION_DAYS } from '../../config/retention';
import { Collector } from './collector';
import {
  HSTS_ATTRIBUTE,
  LISTENER,
  hstsMaxAge,
  internetFacingAlbs,
  isHttpsListener,
  listenerRulesOf,
  listenersOf,
  wafLoggingOf,
  webAclsOf,
} from './lookups';
import { equals, isTrue, logsKept, oneOf } from './predicates';
import { resourceKey } from './query';
import { asArray, get, isRecord, keyValues, prop, resolveAll, resourcesOf, show } from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

/** The edge of the network (NET-3, NET-4, NET-5): the internet-facing load balancer, its listeners and its WAF. */

export const REQUIRED_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;

/** NET-3: the listener negotiates TLS 1.2+ with forward-secret suites only. */
export function assessListenerTls(c: Collector, listener: ResourceRef): boolean {
  return c.expect(
    listener,
    'SslPolicy',
    oneOf(STRICT_TLS_POLICIES),
    'one of the strict TLS 1.2+/PFS policies (config/schema.ts STRICT_TLS_POLICIES)',
  );
}

/** NET-3: every response carries HSTS for at least a year. */
export function assessListenerHsts(c: Collector, listener: ResourceRef): boolean {
  const { header, maxAge } = hstsMaxAge(listener);
  return c.check(
    listener,
    `Properties.ListenerAttributes[${HSTS_ATTRIBUTE}]`,
    header,
    maxAge !== undefined && maxAge >= MIN_HSTS_MAX_AGE_SECONDS,
    `max-age >= ${MIN_HSTS_MAX_AGE_SECONDS} (1 year)`,
  );
}

/** NET-4: what the listener answers when no route matches: a bare 404. */
export function assessListenerDefault404(c: Collector, listener: ResourceRef): boolean {
  const bare404 = (actions: unknown) => {
    const list = asArray(actions);
    const [only] = list;
    return (
      list.length === 1 &&
      isRecord(only) &&
      only.Type === 'fixed-response' &&
      String(get(only, 'FixedResponseConfig.StatusCode')) === '404' &&
      get(only, 'FixedResponseConfig.MessageBody') === undefined
    );
  };
  return c.expect(listener, 'DefaultActions', bare404, 'one fixed-response 404 with no body', { shown: asArray });
}

/** NET-3: strict TLS policy and HSTS >= 1 year on every HTTPS listener. */
export function checkNet3(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const listeners = resourcesOf(ctx.stacks, LISTENER).filter(isHttpsListener);
  c.requireSome(listeners, 'HTTPS listener');
  for (const l of listeners) {
    assessListenerTls(c, l);
    assessListenerHsts(c, l);
  }
  return c.finish('NET-3', 'every HTTPS listener uses a strict TLS 1.2+/PFS policy and sends HSTS for at least a year');
}

const ruleName = (r: unknown) => String(get(r, 'Name'));

/** The WAF rule that blocks and labels requests for hosts the ALB does not serve. */
function unknownHostRule(acl: ResourceRef): Record<string, unknown> | undefined {
  return asArray(prop(acl, 'Rules')).find(
    (r): r is Record<string, unknown> =>
      isRecord(r) &&
      get(r, 'Action.Block') !== undefined &&
      isRecord(get(r, 'Statement.NotStatement')) &&
      /"SingleHeader":\{"Name":"host"\}/i.test(JSON.stringify(get(r, 'Statement.NotStatement'))),
  );
}

/** NET-4: the ALB drops invalid headers and mitigates desync in the strictest mode. */
function assessHeaderHygiene(c: Collector, lb: ResourceRef): void {
  const attrs = keyValues(prop(lb, 'LoadBalancerAttributes'));
  for (const [attribute, predicate, expected] of [
    ['routing.http.drop_invalid_header_fields.enabled', isTrue, 'true'],
    ['routing.http.desync_mitigation_mode', equals('strictest'), 'strictest'],
  ] as const) {
    const v = attrs[attribute];
    c.check(lb, `Properties.LoadBalancerAttributes[${attribute}]`, v, predicate(v, { ctx: c.ctx, ref: lb }), expected);
  }
}

/** NET-4: a listener rule forwards only a named host (no wildcard). */
function assessRouteHost(c: Collector, r: ResourceRef): void {
  const values = (conditions: unknown, field: string, config: string) => {
    const condition = asArray(conditions).find((x) => get(x, 'Field') === field);
    return get(condition, `${config}.Values`) ?? get(condition, 'Values');
  };
  const hosts = (v: unknown) => values(v, 'host-header', 'HostHeaderConfig');
  const namedHosts = (h: unknown) =>
    Array.isArray(h) && h.length > 0 && h.every((x) => typeof x === 'string' && !x.includes('*'));
  c.expect(
    r,
    'Conditions',
    (v) => namedHosts(hosts(v)),
    'a named host (no wildcard): only configured routes reach targets',
    {
      shown: (v) => `host ${show(hosts(v))} path ${show(values(v, 'path-pattern', 'PathPatternConfig'))}`,
    },
  );
}

/** NET-4: the web ACL blocks and labels unknown hosts, logs them, and a saved query reviews them. */
function assessUnknownHosts(c: Collector, acl: ResourceRef): void {
  const rule = unknownHostRule(acl);
  c.check(
    acl,
    'Properties.Rules (unknown-host rule)',
    rule ? `${ruleName(rule)}: block, labels ${show(get(rule, 'RuleLabels'))}` : 'none',
    rule !== undefined && asArray(get(rule, 'RuleLabels')).length > 0,
    'a rule that blocks and labels requests whose Host is not a configured hostname',
  );
  const logging = wafLoggingOf(c.ctx, acl);
  c.check(acl, 'logging configuration', logging?.logicalId, logging !== undefined, 'WAF logging configured');
  const query = rule
    ? resourcesOf(c.ctx.stacks, 'AWS::Logs::QueryDefinition').find((q) =>
        String(prop(q, 'QueryString')).includes(ruleName(rule)),
      )
    : undefined;
  c.found(
    query,
    'QueryString',
    `filters on ${rule ? ruleName(rule) : ''}`,
    `no saved Logs Insights query reviews the unknown-host blocks of ${resourceKey(acl)}`,
  );
}

/** NET-4: known URLs only; 404 default; header hygiene; unknown hosts blocked, logged and reviewed. */
export function checkNet4(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const albs = internetFacingAlbs(ctx);
  c.requireSome(albs, 'internet-facing load balancer');
  for (const lb of albs) {
    assessHeaderHygiene(c, lb);
    const https = listenersOf(ctx, lb).filter(isHttpsListener);
    c.requireSome(https, `HTTPS listener on ${lb.logicalId}`);
    for (const l of https) {
      assessListenerDefault404(c, l);
      for (const r of listenerRulesOf(ctx, l)) assessRouteHost(c, r);
    }
    const acls = webAclsOf(ctx, lb);
    c.requireSome(acls, `web ACL associated with ${lb.logicalId}`);
    for (const acl of acls) assessUnknownHosts(c, acl);
  }
  return c.finish(
    'NET-4',
    'the HTTPS listener answers 404 by default and forwards only named hosts; invalid headers dropped, desync strictest; unknown hosts blocked, labelled, logged and a review query saved',
  );
}

/** NET-5: the managed rule groups enforce, a rate rule blocks. */
function assessWafRules(c: Collector, acl: ResourceRef): void {
  const rules = asArray(prop(acl, 'Rules'));
  for (const name of REQUIRED_MANAGED_RULE_GROUPS) {
    const r = rules.find((x) => get(x, 'Statement.ManagedRuleGroupStatement.Name') === name);
    c.check(
      acl,
      `Properties.Rules[${name}]`,
      r ? `OverrideAction ${show(get(r, 'OverrideAction'))}` : 'absent',
      r !== undefined &&
        get(r, 'Statement.ManagedRuleGroupStatement.VendorName') === 'AWS' &&
        get(r, 'OverrideAction.Count') === undefined,
      'present, enforcing (OverrideAction None, not Count)',
    );
  }
  const rate = rules.find((x) => get(x, 'Statement.RateBasedStatement') !== undefined);
  c.check(
    acl,
    'Properties.Rules[rate-based]',
    rate
      ? `${ruleName(rate)}: limit ${show(get(rate, 'Statement.RateBasedStatement.Limit'))} per ${show(get(rate, 'Statement.RateBasedStatement.AggregateKeyType'))}`
      : 'absent',
    rate !== undefined && get(rate, 'Action.Block') !== undefined,
    'a rate-based rule that blocks',
  );
}

/** NET-5: WAF logs are delivered to a log group of this environment kept a year. */
function assessWafLogs(c: Collector, acl: ResourceRef): void {
  const logging = wafLoggingOf(c.ctx, acl);
  const dest = logging ? resolveAll(c.ctx, logging.stack, prop(logging, 'LogDestinationConfigs')) : [];
  c.check(acl, 'logging configuration', logging?.logicalId, logging !== undefined, 'WAF logs delivered');
  for (const d of dest.filter((x) => x.resource.Type === 'AWS::Logs::LogGroup')) {
    c.expect(d, 'RetentionInDays', logsKept, `>= ${LOG_RETENTION_DAYS} (WAF logs kept a year)`);
  }
  if (logging && dest.length === 0)
    c.problem(`the WAF log destination of ${acl.logicalId} is not in the templates of ${c.ctx.environment}`);
}

/** NET-5: WAF with the AWS managed groups and a blocking rate rule in front of every internet-facing ALB; logs kept. */
export function checkNet5(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const albs = internetFacingAlbs(ctx);
  c.requireSome(albs, 'internet-facing load balancer');
  for (const lb of albs) {
    const acls = webAclsOf(ctx, lb);
    c.check(
      lb,
      'WAFv2 web ACL association',
      acls.map((a) => a.logicalId),
      acls.length > 0,
      'a web ACL in front of the ALB',
    );
    for (const acl of acls) {
      assessWafRules(c, acl);
      assessWafLogs(c, acl);
    }
  }
  return c.finish(
    'NET-5',
    'every internet-facing ALB is behind a web ACL with the AWS common, known-bad-inputs and IP-reputation groups and a blocking rate rule; WAF logs kept a year',
  );
}
