import { MIN_HSTS_MAX_AGE_SECONDS, STRICT_TLS_POLICIES } from '../../config/schema';
import { Collector, notFromTemplates } from './collector';
import {
  asArray,
  asNumber,
  flat,
  get,
  isRecord,
  isTrue,
  keyValues,
  localResource,
  localTarget,
  prop,
  resolveAll,
  resolveTarget,
  resourcesOf,
  show,
} from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

export const HSTS_ATTRIBUTE = 'routing.http.response.strict_transport_security.header_value';

/** AWS APIs private hosts must reach without the internet (NET-6): the services the fleet and its agents call. */
export const REQUIRED_INTERFACE_ENDPOINTS = [
  'ssm',
  'ssmmessages',
  'ec2messages',
  'logs',
  'monitoring',
  'kms',
  'secretsmanager',
  'sts',
] as const;

export const REQUIRED_MANAGED_RULE_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;

const ONE_YEAR_DAYS = 365;

export const isHttpsListener = (ref: ResourceRef): boolean =>
  ref.resource.Type === 'AWS::ElasticLoadBalancingV2::Listener' && prop(ref, 'Protocol') === 'HTTPS';

/** NET-3: the listener negotiates TLS 1.2+ with forward-secret suites only. */
export function assessListenerTls(c: Collector, listener: ResourceRef): boolean {
  const policy = prop(listener, 'SslPolicy');
  return c.check(
    listener,
    'Properties.SslPolicy',
    policy,
    (STRICT_TLS_POLICIES as readonly unknown[]).includes(policy),
    'one of the strict TLS 1.2+/PFS policies (config/schema.ts STRICT_TLS_POLICIES)',
  );
}

/** The HSTS max-age the listener sends, in seconds; undefined when it sends none. */
export function hstsMaxAge(listener: ResourceRef): { header: unknown; maxAge?: number } {
  const header = keyValues(prop(listener, 'ListenerAttributes'))[HSTS_ATTRIBUTE];
  const m = typeof header === 'string' ? /max-age=(\d+)/i.exec(header) : null;
  return { header, maxAge: m ? Number(m[1]) : undefined };
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
  const actions = asArray(prop(listener, 'DefaultActions'));
  const [only] = actions;
  const ok =
    actions.length === 1 &&
    isRecord(only) &&
    only.Type === 'fixed-response' &&
    String(get(only, 'FixedResponseConfig.StatusCode')) === '404' &&
    get(only, 'FixedResponseConfig.MessageBody') === undefined;
  return c.check(listener, 'Properties.DefaultActions', actions, ok, 'one fixed-response 404 with no body');
}

type Tier = 'public' | 'private' | 'isolated' | 'unknown';

/**
 * A subnet's tier from its routes, not its name: public if it routes to an
 * internet gateway, private if it routes out another way (NAT), isolated if
 * it has no route out at all.
 */
export function subnetTier(subnet: ResourceRef | undefined): Tier {
  if (!subnet || subnet.resource.Type !== 'AWS::EC2::Subnet') return 'unknown';
  const stack = subnet.stack;
  const tables = new Set(
    resourcesOf([stack], 'AWS::EC2::SubnetRouteTableAssociation')
      .filter((a) => localTarget(prop(a, 'SubnetId')) === subnet.logicalId)
      .map((a) => localTarget(prop(a, 'RouteTableId'))),
  );
  const routes = resourcesOf([stack], 'AWS::EC2::Route').filter((r) =>
    tables.has(localTarget(prop(r, 'RouteTableId'))),
  );
  const toIgw = routes.some((r) => {
    const gw = prop(r, 'GatewayId');
    return (
      localResource(stack, localTarget(gw))?.resource.Type === 'AWS::EC2::InternetGateway' ||
      (typeof gw === 'string' && gw.startsWith('igw-'))
    );
  });
  if (toIgw) return 'public';
  return routes.length > 0 ? 'private' : 'isolated';
}

function tiersOf(ctx: CheckContext, ref: ResourceRef, subnets: unknown): Tier[] {
  return asArray(subnets).map((s) => subnetTier(resolveTarget(ctx, ref.stack, s)));
}

const describeTiers = (tiers: readonly Tier[]) => (tiers.length ? tiers.join(', ') : '(none)');

/** NET-1: workloads in private or isolated subnets, no public IPs; only the ALB and NAT in public subnets. */
export function checkNet1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const vpcs = resourcesOf(ctx.stacks, 'AWS::EC2::VPC');
  const subnets = resourcesOf(ctx.stacks, 'AWS::EC2::Subnet');
  c.requireSome(vpcs, 'VPC');
  for (const s of subnets) {
    const v = prop(s, 'MapPublicIpOnLaunch');
    c.check(s, 'Properties.MapPublicIpOnLaunch', v, !isTrue(v), 'false (no public IP on launch)');
  }
  for (const vpc of vpcs) {
    const own = subnets.filter((s) => resolveTarget(ctx, s.stack, prop(s, 'VpcId'))?.logicalId === vpc.logicalId);
    const azs = (tier: Tier) =>
      new Set(own.filter((s) => subnetTier(s) === tier).map((s) => flat(prop(s, 'AvailabilityZone')))).size;
    const [pub, priv, iso] = [azs('public'), azs('private'), azs('isolated')];
    c.check(
      vpc,
      'subnet tiers (from route tables)',
      `public in ${pub} AZs, private in ${priv} AZs, isolated in ${iso} AZs`,
      priv >= 2 && priv <= 3 && iso >= 2 && iso <= 3,
      'private and isolated (no route out) subnets in 2-3 AZs',
    );
    const restrict = resourcesOf([vpc.stack], 'Custom::VpcRestrictDefaultSG').find(
      (r) => localTarget(prop(r, 'DefaultSecurityGroupId')) === vpc.logicalId,
    );
    c.check(
      vpc,
      'default security group',
      restrict ? `rules removed by ${restrict.logicalId}` : 'default rules kept',
      restrict !== undefined,
      'no rules (Custom::VpcRestrictDefaultSG)',
    );
  }
  for (const nat of resourcesOf(ctx.stacks, 'AWS::EC2::NatGateway')) {
    const [tier] = tiersOf(ctx, nat, prop(nat, 'SubnetId'));
    c.check(nat, 'Properties.SubnetId', tier, tier === 'public', 'a public subnet');
  }
  for (const lb of resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const tiers = tiersOf(ctx, lb, prop(lb, 'Subnets'));
    const internetFacing = prop(lb, 'Scheme') === 'internet-facing';
    c.check(
      lb,
      'Properties.Subnets',
      describeTiers(tiers),
      tiers.length > 0 && tiers.every((t) => (internetFacing ? t === 'public' : t === 'private' || t === 'isolated')),
      internetFacing ? 'public subnets only (internet-facing ALB)' : 'private or isolated subnets',
    );
  }
  const workloads: [string, string, (t: Tier) => boolean, string][] = [
    [
      'AWS::AutoScaling::AutoScalingGroup',
      'VPCZoneIdentifier',
      (t) => t === 'private' || t === 'isolated',
      'private subnets',
    ],
    ['AWS::RDS::DBSubnetGroup', 'SubnetIds', (t) => t === 'isolated', 'isolated subnets (no route out)'],
    [
      'AWS::ImageBuilder::InfrastructureConfiguration',
      'SubnetId',
      (t) => t === 'private' || t === 'isolated',
      'a private subnet',
    ],
    ['AWS::Lambda::Function', 'VpcConfig.SubnetIds', (t) => t === 'private' || t === 'isolated', 'private subnets'],
  ];
  for (const [type, path, allowed, expected] of workloads) {
    for (const ref of resourcesOf(ctx.stacks, type)) {
      if (type === 'AWS::Lambda::Function' && prop(ref, 'VpcConfig') === undefined) continue;
      const tiers = tiersOf(ctx, ref, prop(ref, path));
      c.check(ref, `Properties.${path}`, describeTiers(tiers), tiers.length > 0 && tiers.every(allowed), expected);
    }
  }
  c.requireSome(resourcesOf(ctx.stacks, 'AWS::AutoScaling::AutoScalingGroup'), 'Auto Scaling group (the fleet)');
  for (const lt of resourcesOf(ctx.stacks, 'AWS::EC2::LaunchTemplate')) {
    asArray(prop(lt, 'LaunchTemplateData.NetworkInterfaces')).forEach((ni, i) => {
      const v = get(ni, 'AssociatePublicIpAddress');
      c.check(
        lt,
        `Properties.LaunchTemplateData.NetworkInterfaces.${i}.AssociatePublicIpAddress`,
        v,
        !isTrue(v),
        'not true',
      );
    });
  }
  for (const db of resourcesOf(ctx.stacks, 'AWS::RDS::DBInstance')) {
    const v = prop(db, 'PubliclyAccessible');
    c.check(db, 'Properties.PubliclyAccessible', v, v === false || v === 'false', 'false');
  }
  return c.finish(
    'NET-1',
    'workloads run in private and isolated subnets without public IPs; only the ALB and NAT gateways use public subnets',
  );
}

interface IngressRule {
  readonly ref: ResourceRef;
  readonly path: string;
  readonly rule: Record<string, unknown>;
  /** The security group the rule belongs to. */
  readonly group?: ResourceRef;
}

function ingressRules(ctx: CheckContext): IngressRule[] {
  const rules: IngressRule[] = [];
  for (const sg of resourcesOf(ctx.stacks, 'AWS::EC2::SecurityGroup')) {
    asArray(prop(sg, 'SecurityGroupIngress')).forEach((r, i) => {
      if (isRecord(r)) rules.push({ ref: sg, path: `Properties.SecurityGroupIngress.${i}`, rule: r, group: sg });
    });
  }
  for (const ing of resourcesOf(ctx.stacks, 'AWS::EC2::SecurityGroupIngress')) {
    rules.push({
      ref: ing,
      path: 'Properties',
      rule: ing.resource.Properties ?? {},
      group: resolveTarget(ctx, ing.stack, prop(ing, 'GroupId')),
    });
  }
  return rules;
}

const groupKey = (r: ResourceRef) => `${r.stack.stackName}/${r.logicalId}`;

/** Application load balancers that face the internet. */
export function internetFacingAlbs(ctx: CheckContext): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter(
    (lb) => prop(lb, 'Scheme') === 'internet-facing' && (prop(lb, 'Type') ?? 'application') === 'application',
  );
}

/** The listeners of a load balancer. */
export function listenersOf(ctx: CheckContext, lb: ResourceRef): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::Listener').filter(
    (l) => resolveTarget(ctx, l.stack, prop(l, 'LoadBalancerArn'))?.logicalId === lb.logicalId,
  );
}

/** NET-2: the ALB is the only internet ingress, on 443 (and 80 to redirect); no SSH/RDP anywhere. */
export function checkNet2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const albs = internetFacingAlbs(ctx);
  c.requireSome(albs, 'internet-facing load balancer');
  const albGroups = new Set(
    albs
      .flatMap((lb) => asArray(prop(lb, 'SecurityGroups')).map((g) => resolveTarget(ctx, lb.stack, g)))
      .flatMap((g) => (g ? [groupKey(g)] : [])),
  );
  for (const { ref, path, rule, group } of ingressRules(ctx)) {
    const proto = String(rule.IpProtocol ?? 'tcp');
    const all = proto === '-1' || proto === 'all';
    const from = all ? 0 : (asNumber(rule.FromPort) ?? 0);
    const to = all ? 65535 : (asNumber(rule.ToPort) ?? 65535);
    const source = rule.CidrIp ?? rule.CidrIpv6 ?? rule.SourceSecurityGroupId ?? rule.SourcePrefixListId;
    const open = rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';
    const onAlb = group !== undefined && albGroups.has(groupKey(group));
    const albPort = proto === 'tcp' && from === to && (from === 443 || from === 80);
    const remoteShell = all || [22, 3389].some((p) => from <= p && p <= to);
    c.check(
      ref,
      path,
      `${all ? 'all traffic' : `${proto} ${from === to ? from : `${from}-${to}`}`} from ${show(source)}`,
      (!open || (onAlb && albPort)) && !remoteShell,
      'internet sources only on the ALB security group, 443/80; no SSH, RDP or all-traffic rule',
    );
  }
  for (const lb of albs) {
    for (const l of listenersOf(ctx, lb)) {
      if (prop(l, 'Protocol') === 'HTTPS') {
        c.check(l, 'Properties.Protocol', 'HTTPS', true, 'HTTPS, or HTTP that only redirects');
        continue;
      }
      const actions = asArray(prop(l, 'DefaultActions'));
      const [a] = actions;
      const redirect =
        actions.length === 1 &&
        isRecord(a) &&
        a.Type === 'redirect' &&
        get(a, 'RedirectConfig.Protocol') === 'HTTPS' &&
        String(get(a, 'RedirectConfig.Port') ?? '443') === '443' &&
        get(a, 'RedirectConfig.StatusCode') === 'HTTP_301';
      const rules = resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(
        (r) => resolveTarget(ctx, r.stack, prop(r, 'ListenerArn'))?.logicalId === l.logicalId,
      );
      c.check(
        l,
        'Properties.DefaultActions',
        actions,
        redirect && rules.length === 0,
        `${show(prop(l, 'Protocol'))} listener: only a permanent (301) redirect to HTTPS 443, no rules`,
      );
    }
  }
  return c.finish(
    'NET-2',
    'the only internet ingress is the ALB on 443 (80 redirects permanently to 443); no SSH, RDP or all-traffic rule in any security group',
  );
}

/** NET-3: strict TLS policy and HSTS >= 1 year on every HTTPS listener. */
export function checkNet3(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const listeners = resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::Listener').filter(isHttpsListener);
  c.requireSome(listeners, 'HTTPS listener');
  for (const l of listeners) {
    assessListenerTls(c, l);
    assessListenerHsts(c, l);
  }
  return c.finish('NET-3', 'every HTTPS listener uses a strict TLS 1.2+/PFS policy and sends HSTS for at least a year');
}

/** The WAF web ACLs associated with a load balancer. */
export function webAclsOf(ctx: CheckContext, lb: ResourceRef): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::WAFv2::WebACLAssociation')
    .filter((a) => resolveTarget(ctx, a.stack, prop(a, 'ResourceArn'))?.logicalId === lb.logicalId)
    .flatMap((a) => {
      const acl = resolveTarget(ctx, a.stack, prop(a, 'WebACLArn'));
      return acl ? [acl] : [];
    });
}

function loggingOf(ctx: CheckContext, acl: ResourceRef): ResourceRef | undefined {
  return resourcesOf(ctx.stacks, 'AWS::WAFv2::LoggingConfiguration').find(
    (l) => resolveTarget(ctx, l.stack, prop(l, 'ResourceArn'))?.logicalId === acl.logicalId,
  );
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

/** NET-4: known URLs only; 404 default; header hygiene; unknown hosts blocked, logged and reviewed. */
export function checkNet4(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const albs = internetFacingAlbs(ctx);
  c.requireSome(albs, 'internet-facing load balancer');
  for (const lb of albs) {
    const attrs = keyValues(prop(lb, 'LoadBalancerAttributes'));
    const drop = attrs['routing.http.drop_invalid_header_fields.enabled'];
    c.check(
      lb,
      'Properties.LoadBalancerAttributes[routing.http.drop_invalid_header_fields.enabled]',
      drop,
      isTrue(drop),
      'true',
    );
    const desync = attrs['routing.http.desync_mitigation_mode'];
    c.check(
      lb,
      'Properties.LoadBalancerAttributes[routing.http.desync_mitigation_mode]',
      desync,
      desync === 'strictest',
      'strictest',
    );
    const https = listenersOf(ctx, lb).filter(isHttpsListener);
    c.requireSome(https, `HTTPS listener on ${lb.logicalId}`);
    for (const l of https) {
      assessListenerDefault404(c, l);
      for (const r of resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::ListenerRule').filter(
        (x) => resolveTarget(ctx, x.stack, prop(x, 'ListenerArn'))?.logicalId === l.logicalId,
      )) {
        const conditions = asArray(prop(r, 'Conditions'));
        const host = conditions.find((x) => get(x, 'Field') === 'host-header');
        const path = conditions.find((x) => get(x, 'Field') === 'path-pattern');
        const hosts = get(host, 'HostHeaderConfig.Values') ?? get(host, 'Values');
        const paths = get(path, 'PathPatternConfig.Values') ?? get(path, 'Values');
        c.check(
          r,
          'Properties.Conditions',
          `host ${show(hosts)} path ${show(paths)}`,
          Array.isArray(hosts) && hosts.length > 0 && hosts.every((h) => typeof h === 'string' && !h.includes('*')),
          'a named host (no wildcard): only configured routes reach targets',
        );
      }
    }
    const acls = webAclsOf(ctx, lb);
    c.requireSome(acls, `web ACL associated with ${lb.logicalId}`);
    for (const acl of acls) {
      const rule = unknownHostRule(acl);
      c.check(
        acl,
        'Properties.Rules (unknown-host rule)',
        rule ? `${ruleName(rule)}: block, labels ${show(get(rule, 'RuleLabels'))}` : 'none',
        rule !== undefined && asArray(get(rule, 'RuleLabels')).length > 0,
        'a rule that blocks and labels requests whose Host is not a configured hostname',
      );
      const logging = loggingOf(ctx, acl);
      c.check(acl, 'logging configuration', logging?.logicalId, logging !== undefined, 'WAF logging configured');
      const query = rule
        ? resourcesOf(ctx.stacks, 'AWS::Logs::QueryDefinition').find((q) =>
            String(prop(q, 'QueryString')).includes(ruleName(rule)),
          )
        : undefined;
      if (query)
        c.check(query, 'Properties.QueryString', prop(query, 'QueryString'), true, `filters on ${ruleName(rule)}`);
      else
        c.problem(
          `no saved Logs Insights query reviews the unknown-host blocks of ${acl.stack.stackName}/${acl.logicalId}`,
        );
    }
  }
  return c.finish(
    'NET-4',
    'the HTTPS listener answers 404 by default and forwards only named hosts; invalid headers dropped, desync strictest; unknown hosts blocked, labelled, logged and a review query saved',
  );
}

/** The log group (or bucket) a WAF logging configuration writes to. */
function wafLogDestinations(ctx: CheckContext, logging: ResourceRef): ResourceRef[] {
  return resolveAll(ctx, logging.stack, prop(logging, 'LogDestinationConfigs'));
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
      const logging = loggingOf(ctx, acl);
      const dest = logging ? wafLogDestinations(ctx, logging) : [];
      c.check(acl, 'logging configuration', logging?.logicalId, logging !== undefined, 'WAF logs delivered');
      for (const d of dest.filter((x) => x.resource.Type === 'AWS::Logs::LogGroup')) {
        const days = asNumber(prop(d, 'RetentionInDays'));
        c.check(
          d,
          'Properties.RetentionInDays',
          prop(d, 'RetentionInDays'),
          days !== undefined && days >= ONE_YEAR_DAYS,
          `>= ${ONE_YEAR_DAYS} (WAF logs kept a year)`,
        );
      }
      if (logging && dest.length === 0)
        c.problem(`the WAF log destination of ${acl.logicalId} is not in the templates of ${ctx.environment}`);
    }
  }
  return c.finish(
    'NET-5',
    'every internet-facing ALB is behind a web ACL with the AWS common, known-bad-inputs and IP-reputation groups and a blocking rate rule; WAF logs kept a year',
  );
}

/** NET-6: flow logs of ALL traffic kept a year, and endpoints for the AWS APIs private hosts call. */
export function checkNet6(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const vpcs = resourcesOf(ctx.stacks, 'AWS::EC2::VPC');
  c.requireSome(vpcs, 'VPC');
  for (const vpc of vpcs) {
    const flowLogs = resourcesOf(ctx.stacks, 'AWS::EC2::FlowLog').filter(
      (f) => resolveTarget(ctx, f.stack, prop(f, 'ResourceId'))?.logicalId === vpc.logicalId,
    );
    c.check(
      vpc,
      'flow logs',
      flowLogs.map((f) => f.logicalId),
      flowLogs.length > 0,
      'a flow log on the VPC',
    );
    for (const f of flowLogs) {
      c.check(f, 'Properties.TrafficType', prop(f, 'TrafficType'), prop(f, 'TrafficType') === 'ALL', 'ALL');
      const group = resolveTarget(ctx, f.stack, prop(f, 'LogGroupName') ?? prop(f, 'LogDestination'));
      if (group?.resource.Type === 'AWS::Logs::LogGroup') {
        const days = asNumber(prop(group, 'RetentionInDays'));
        c.check(
          group,
          'Properties.RetentionInDays',
          prop(group, 'RetentionInDays'),
          days !== undefined && days >= ONE_YEAR_DAYS,
          `>= ${ONE_YEAR_DAYS}`,
        );
        c.check(
          group,
          'Properties.KmsKeyId',
          prop(group, 'KmsKeyId'),
          prop(group, 'KmsKeyId') !== undefined,
          'a customer KMS key',
        );
      } else {
        c.check(
          f,
          'Properties.LogGroupName',
          prop(f, 'LogGroupName') ?? prop(f, 'LogDestination'),
          false,
          'a log group of this environment kept a year',
        );
      }
    }
    const endpoints = resourcesOf(ctx.stacks, 'AWS::EC2::VPCEndpoint').filter(
      (e) => resolveTarget(ctx, e.stack, prop(e, 'VpcId'))?.logicalId === vpc.logicalId,
    );
    const service = (e: ResourceRef) => flat(prop(e, 'ServiceName')).split('.').pop() ?? '';
    const s3 = endpoints.find((e) => service(e) === 's3' && prop(e, 'VpcEndpointType') === 'Gateway');
    c.check(vpc, 'S3 gateway endpoint', s3?.logicalId, s3 !== undefined, 'an S3 gateway endpoint');
    for (const svc of REQUIRED_INTERFACE_ENDPOINTS) {
      const e = endpoints.find((x) => service(x) === svc && prop(x, 'VpcEndpointType') === 'Interface');
      if (e)
        c.check(
          e,
          'Properties.PrivateDnsEnabled',
          prop(e, 'PrivateDnsEnabled'),
          isTrue(prop(e, 'PrivateDnsEnabled')),
          `true (${svc} resolves to the endpoint)`,
        );
      else c.check(vpc, `interface endpoint ${svc}`, 'absent', false, `an interface endpoint for ${svc}`);
    }
  }
  return c.finish(
    'NET-6',
    `every VPC records ALL traffic in flow logs kept a year and has endpoints for S3 and ${REQUIRED_INTERFACE_ENDPOINTS.join(', ')}`,
  );
}

/** NET-7 (optional): a CDN serving static assets from a private bucket. */
export function checkNet7(ctx: CheckContext): CheckResult {
  const distributions = resourcesOf(ctx.stacks, 'AWS::CloudFront::Distribution');
  if (distributions.length === 0) {
    return notFromTemplates(
      'NET-7',
      'NOT_APPLICABLE',
      'optional control: no CloudFront distribution in the templates',
      'add a CDN (CloudFront + origin access control) only when static assets need one',
    );
  }
  const c = new Collector(ctx);
  for (const d of distributions) {
    const version = prop(d, 'DistributionConfig.ViewerCertificate.MinimumProtocolVersion');
    c.check(
      d,
      'Properties.DistributionConfig.ViewerCertificate.MinimumProtocolVersion',
      version,
      typeof version === 'string' && /^TLSv1\.2_20(2[1-9]|[3-9]\d)$/.test(version),
      'TLSv1.2_2021 or newer',
    );
    asArray(prop(d, 'DistributionConfig.Origins')).forEach((o, i) => {
      if (get(o, 'S3OriginConfig') === undefined && get(o, 'OriginAccessControlId') === undefined) return;
      c.check(
        d,
        `Properties.DistributionConfig.Origins.${i}.OriginAccessControlId`,
        get(o, 'OriginAccessControlId'),
        get(o, 'OriginAccessControlId') !== undefined,
        'origin access control (private bucket)',
      );
    });
  }
  return c.finish('NET-7', 'the CDN requires TLS 1.2 (2021 policy) and reads its bucket through origin access control');
}
