import { LOG_RETENTION_DAYS } from '../../config/retention';
import { Collector, notFromTemplates } from './collector';
import { internetFacingAlbs, isHttpsListener, listenerRulesOf, listenersOf } from './lookups';
import { equals, isFalse, logsKept, notTrue, present, refersTo } from './predicates';
import { referrer, referrers, resourceKey, targetOf, targetsOf } from './query';
import { asArray, asNumber, flat, get, isRecord, isTrue, prop, resourcesOf, show } from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

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

type Tier = 'public' | 'private' | 'isolated' | 'unknown';

/**
 * A subnet's tier from its routes, not its name: public if it routes to an
 * internet gateway, private if it routes out another way (NAT), isolated if
 * it has no route out at all.
 */
export function subnetTier(subnet: ResourceRef | undefined): Tier {
  if (!subnet || subnet.resource.Type !== 'AWS::EC2::Subnet') return 'unknown';
  // Route tables and their routes live in the subnet's stack.
  const here = { stacks: [subnet.stack] };
  const routes = referrers(here, 'AWS::EC2::SubnetRouteTableAssociation', 'SubnetId', subnet)
    .flatMap((a) => targetOf(here, a, 'RouteTableId') ?? [])
    .flatMap((table) => referrers(here, 'AWS::EC2::Route', 'RouteTableId', table));
  const toIgw = routes.some((r) => {
    const gw = prop(r, 'GatewayId');
    return (
      targetOf(here, r, 'GatewayId')?.resource.Type === 'AWS::EC2::InternetGateway' ||
      (typeof gw === 'string' && gw.startsWith('igw-'))
    );
  });
  if (toIgw) return 'public';
  return routes.length > 0 ? 'private' : 'isolated';
}

/** The tier of each subnet a list property of `ref` names. */
function tiersOf(ctx: CheckContext, ref: ResourceRef, path: string): Tier[] {
  return targetsOf(ctx, ref, path).map(subnetTier);
}

const describeTiers = (tiers: readonly Tier[]) => (tiers.length ? tiers.join(', ') : '(none)');
const privateOrIsolated = (t: Tier) => t === 'private' || t === 'isolated';

/** NET-1: a VPC has private and isolated subnets in 2-3 AZs and its default security group has no rules. */
function assessVpcLayout(c: Collector, vpc: ResourceRef): void {
  const own = referrers(c.ctx, 'AWS::EC2::Subnet', 'VpcId', vpc);
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
  const restrict = referrer(c.ctx, 'Custom::VpcRestrictDefaultSG', 'DefaultSecurityGroupId', vpc);
  c.check(
    vpc,
    'default security group',
    restrict ? `rules removed by ${restrict.logicalId}` : 'default rules kept',
    restrict !== undefined,
    'no rules (Custom::VpcRestrictDefaultSG)',
  );
}

/** NET-1: where each workload may run: the subnet property of its type and the tiers allowed. */
const WORKLOADS: readonly (readonly [string, string, (t: Tier) => boolean, string])[] = [
  ['AWS::AutoScaling::AutoScalingGroup', 'VPCZoneIdentifier', privateOrIsolated, 'private subnets'],
  ['AWS::RDS::DBSubnetGroup', 'SubnetIds', (t) => t === 'isolated', 'isolated subnets (no route out)'],
  ['AWS::ImageBuilder::InfrastructureConfiguration', 'SubnetId', privateOrIsolated, 'a private subnet'],
  ['AWS::Lambda::Function', 'VpcConfig.SubnetIds', privateOrIsolated, 'private subnets'],
];

/** NET-1: subnets of NAT gateways, load balancers and workloads, by their tier. */
function assessPlacement(c: Collector): void {
  const ctx = c.ctx;
  for (const nat of resourcesOf(ctx.stacks, 'AWS::EC2::NatGateway')) {
    const [tier] = tiersOf(ctx, nat, 'SubnetId');
    c.check(nat, 'Properties.SubnetId', tier, tier === 'public', 'a public subnet');
  }
  for (const lb of resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const tiers = tiersOf(ctx, lb, 'Subnets');
    const internetFacing = prop(lb, 'Scheme') === 'internet-facing';
    c.check(
      lb,
      'Properties.Subnets',
      describeTiers(tiers),
      tiers.length > 0 && tiers.every((t) => (internetFacing ? t === 'public' : privateOrIsolated(t))),
      internetFacing ? 'public subnets only (internet-facing ALB)' : 'private or isolated subnets',
    );
  }
  for (const [type, path, allowed, expected] of WORKLOADS) {
    for (const ref of resourcesOf(ctx.stacks, type)) {
      if (type === 'AWS::Lambda::Function' && prop(ref, 'VpcConfig') === undefined) continue;
      const tiers = tiersOf(ctx, ref, path);
      c.check(ref, `Properties.${path}`, describeTiers(tiers), tiers.length > 0 && tiers.every(allowed), expected);
    }
  }
}

/** NET-1: workloads in private or isolated subnets, no public IPs; only the ALB and NAT in public subnets. */
export function checkNet1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const vpcs = c.resources('VPC', 'AWS::EC2::VPC');
  for (const s of resourcesOf(ctx.stacks, 'AWS::EC2::Subnet'))
    c.expect(s, 'MapPublicIpOnLaunch', notTrue, 'false (no public IP on launch)');
  for (const vpc of vpcs) assessVpcLayout(c, vpc);
  assessPlacement(c);
  c.requireSome(resourcesOf(ctx.stacks, 'AWS::AutoScaling::AutoScalingGroup'), 'Auto Scaling group (the fleet)');
  for (const lt of resourcesOf(ctx.stacks, 'AWS::EC2::LaunchTemplate')) {
    asArray(prop(lt, 'LaunchTemplateData.NetworkInterfaces')).forEach((_ni, i) => {
      c.expect(lt, `LaunchTemplateData.NetworkInterfaces.${i}.AssociatePublicIpAddress`, notTrue, 'not true');
    });
  }
  for (const db of resourcesOf(ctx.stacks, 'AWS::RDS::DBInstance'))
    c.expect(db, 'PubliclyAccessible', isFalse, 'false');
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
      group: targetOf(ctx, ing, 'GroupId'),
    });
  }
  return rules;
}

/** NET-2: internet sources only on the ALB's security groups, on 443/80; no remote shell from anywhere. */
function assessIngressRule(c: Collector, { ref, path, rule, group }: IngressRule, albGroups: Set<string>): void {
  const proto = String(rule.IpProtocol ?? 'tcp');
  const all = proto === '-1' || proto === 'all';
  const from = all ? 0 : (asNumber(rule.FromPort) ?? 0);
  const to = all ? 65535 : (asNumber(rule.ToPort) ?? 65535);
  const source = rule.CidrIp ?? rule.CidrIpv6 ?? rule.SourceSecurityGroupId ?? rule.SourcePrefixListId;
  const open = rule.CidrIp === '0.0.0.0/0' || rule.CidrIpv6 === '::/0';
  const onAlb = group !== undefined && albGroups.has(resourceKey(group));
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

/** Default actions that are one permanent (301) redirect to HTTPS on 443. */
function onlyRedirectsToHttps(defaultActions: unknown): boolean {
  const actions = asArray(defaultActions);
  const [a] = actions;
  return (
    actions.length === 1 &&
    isRecord(a) &&
    a.Type === 'redirect' &&
    get(a, 'RedirectConfig.Protocol') === 'HTTPS' &&
    String(get(a, 'RedirectConfig.Port') ?? '443') === '443' &&
    get(a, 'RedirectConfig.StatusCode') === 'HTTP_301'
  );
}

/** NET-2: a listener is HTTPS, or HTTP that only redirects permanently to HTTPS 443 and has no rules. */
function assessListenerProtocol(c: Collector, l: ResourceRef): void {
  if (isHttpsListener(l)) {
    c.check(l, 'Properties.Protocol', 'HTTPS', true, 'HTTPS, or HTTP that only redirects');
    return;
  }
  const noRules = listenerRulesOf(c.ctx, l).length === 0;
  c.expect(
    l,
    'DefaultActions',
    (actions) => onlyRedirectsToHttps(actions) && noRules,
    `${show(prop(l, 'Protocol'))} listener: only a permanent (301) redirect to HTTPS 443, no rules`,
    { shown: asArray },
  );
}

/** NET-2: the ALB is the only internet ingress, on 443 (and 80 to redirect); no SSH/RDP anywhere. */
export function checkNet2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const albs = internetFacingAlbs(ctx);
  c.requireSome(albs, 'internet-facing load balancer');
  const albGroups = new Set(
    albs.flatMap((lb) => targetsOf(ctx, lb, 'SecurityGroups')).flatMap((g) => (g ? [resourceKey(g)] : [])),
  );
  for (const rule of ingressRules(ctx)) assessIngressRule(c, rule, albGroups);
  for (const lb of albs) for (const l of listenersOf(ctx, lb)) assessListenerProtocol(c, l);
  return c.finish(
    'NET-2',
    'the only internet ingress is the ALB on 443 (80 redirects permanently to 443); no SSH, RDP or all-traffic rule in any security group',
  );
}

/** NET-6: a flow log records ALL traffic into an encrypted log group of this environment kept a year. */
function assessFlowLog(c: Collector, f: ResourceRef): void {
  c.expect(f, 'TrafficType', equals('ALL'), 'ALL');
  const group = targetOf(c.ctx, f, 'LogGroupName') ?? targetOf(c.ctx, f, 'LogDestination');
  if (group?.resource.Type === 'AWS::Logs::LogGroup') {
    c.expect(group, 'RetentionInDays', logsKept, `>= ${LOG_RETENTION_DAYS}`);
    c.expect(group, 'KmsKeyId', present, 'a customer KMS key');
  } else {
    c.expect(f, 'LogGroupName', refersTo('AWS::Logs::LogGroup'), 'a log group of this environment kept a year', {
      shown: (name) => name ?? prop(f, 'LogDestination'),
    });
  }
}

/** NET-6: an S3 gateway endpoint and an interface endpoint with private DNS for each required service. */
function assessEndpoints(c: Collector, vpc: ResourceRef): void {
  const endpoints = referrers(c.ctx, 'AWS::EC2::VPCEndpoint', 'VpcId', vpc);
  const service = (e: ResourceRef) => flat(prop(e, 'ServiceName')).split('.').pop() ?? '';
  const s3 = endpoints.find((e) => service(e) === 's3' && prop(e, 'VpcEndpointType') === 'Gateway');
  c.check(vpc, 'S3 gateway endpoint', s3?.logicalId, s3 !== undefined, 'an S3 gateway endpoint');
  for (const svc of REQUIRED_INTERFACE_ENDPOINTS) {
    const e = endpoints.find((x) => service(x) === svc && prop(x, 'VpcEndpointType') === 'Interface');
    if (e) c.expect(e, 'PrivateDnsEnabled', isTrue, `true (${svc} resolves to the endpoint)`);
    else c.check(vpc, `interface endpoint ${svc}`, 'absent', false, `an interface endpoint for ${svc}`);
  }
}

/** NET-6: flow logs of ALL traffic kept a year, and endpoints for the AWS APIs private hosts call. */
export function checkNet6(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  for (const vpc of c.resources('VPC', 'AWS::EC2::VPC')) {
    const flowLogs = referrers(ctx, 'AWS::EC2::FlowLog', 'ResourceId', vpc);
    c.listed(vpc, 'flow logs', flowLogs, 'a flow log on the VPC');
    for (const f of flowLogs) assessFlowLog(c, f);
    assessEndpoints(c, vpc);
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
    c.expect(
      d,
      'DistributionConfig.ViewerCertificate.MinimumProtocolVersion',
      (v) => typeof v === 'string' && /^TLSv1\.2_20(2[1-9]|[3-9]\d)$/.test(v),
      'TLSv1.2_2021 or newer',
    );
    asArray(prop(d, 'DistributionConfig.Origins')).forEach((o, i) => {
      if (get(o, 'S3OriginConfig') === undefined && get(o, 'OriginAccessControlId') === undefined) return;
      c.expect(
        d,
        `DistributionConfig.Origins.${i}.OriginAccessControlId`,
        present,
        'origin access control (private bucket)',
      );
    });
  }
  return c.finish('NET-7', 'the CDN requires TLS 1.2 (2021 policy) and reads its bucket through origin access control');
}
