import {
  type Action,
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeTagsCommand,
  type Listener,
  type LoadBalancer,
  paginateDescribeLoadBalancers,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetLoggingConfigurationCommand, GetWebACLForResourceCommand, type Rule } from '@aws-sdk/client-wafv2';
import { wafLogGroupName } from '../../config/naming';
import { STRICT_TLS_POLICIES } from '../../config/schema';
import type { CheckResult } from '../verify';
import { absent, envTags, hasTags, judge, type LiveContext, liveFamily, orMissing } from './check';

/** The managed rule groups NET-5 names; each must block (no count override). */
export const MANAGED_GROUPS = [
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesAmazonIpReputationList',
] as const;
const HSTS_MIN_SECONDS = 31_536_000;

/** The environment's public ALB(s): internet-facing application load balancers tagged with the environment (DATA-8). */
async function findEntry(ctx: LiveContext): Promise<LoadBalancer[]> {
  const all: LoadBalancer[] = [];
  for await (const page of paginateDescribeLoadBalancers({ client: ctx.live.elbv2 }, {}))
    all.push(...(page.LoadBalancers ?? []).filter((lb) => lb.Scheme !== 'internal' && lb.Type !== 'network'));
  const wanted = envTags(ctx.env);
  const found: LoadBalancer[] = [];
  for (let i = 0; i < all.length; i += 20) {
    const batch = all.slice(i, i + 20);
    const tags = await ctx.live.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: batch.map((b) => b.LoadBalancerArn!) }),
    );
    for (const d of tags.TagDescriptions ?? []) {
      if (hasTags(d.Tags, wanted)) found.push(batch.find((b) => b.LoadBalancerArn === d.ResourceArn)!);
    }
  }
  return found;
}

const maxAge = (hsts: string | undefined) => Number(/max-age=(\d+)/.exec(hsts ?? '')?.[1] ?? 0);
const actionLabel = (a: Action | undefined) =>
  !a
    ? undefined
    : a.Type === 'fixed-response'
      ? `fixed-response ${a.FixedResponseConfig?.StatusCode ?? '?'}${a.FixedResponseConfig?.MessageBody ? ' with a body' : ''}`
      : a.Type === 'redirect'
        ? `redirect ${a.RedirectConfig?.Protocol ?? '#{protocol}'}:${a.RedirectConfig?.Port ?? '#{port}'} ${a.RedirectConfig?.StatusCode ?? '?'}`
        : (a.Type ?? '?');

async function listenerRows(ctx: LiveContext, lb: string, listener: Listener): Promise<CheckResult[]> {
  const id = `${lb} :${listener.Port}`;
  const first = listener.DefaultActions?.[0];
  if (listener.Port === 443 && listener.Protocol === 'HTTPS') {
    const attributes =
      (await ctx.live.elbv2.send(new DescribeListenerAttributesCommand({ ListenerArn: listener.ListenerArn })))
        .Attributes ?? [];
    const hsts = attributes.find(
      (a) => a.Key === 'routing.http.response.strict_transport_security.header_value',
    )?.Value;
    return [
      judge({
        check: 'alb.tls-policy',
        control: 'NET-3',
        resource: id,
        property: 'SslPolicy',
        found: listener.SslPolicy,
        required: `one of ${STRICT_TLS_POLICIES.join(', ')}`,
        ok: (STRICT_TLS_POLICIES as readonly string[]).includes(listener.SslPolicy ?? ''),
      }),
      judge({
        check: 'alb.hsts',
        control: 'NET-3',
        resource: id,
        property: 'routing.http.response.strict_transport_security.header_value',
        found: hsts,
        required: `max-age >= ${HSTS_MIN_SECONDS}`,
        ok: maxAge(hsts) >= HSTS_MIN_SECONDS,
      }),
      judge({
        check: 'alb.default-404',
        control: 'NET-4',
        resource: id,
        property: 'DefaultActions[0]',
        found: actionLabel(first),
        required: 'fixed-response 404 with no body',
        ok:
          first?.Type === 'fixed-response' &&
          first.FixedResponseConfig?.StatusCode === '404' &&
          !first.FixedResponseConfig.MessageBody,
      }),
    ];
  }
  if (listener.Port === 80) {
    return [
      judge({
        check: 'alb.http-redirect-only',
        control: 'NET-2',
        resource: id,
        property: 'DefaultActions[0]',
        found: actionLabel(first),
        required: 'redirect HTTPS:443 HTTP_301 (port 80 only redirects)',
        ok:
          listener.DefaultActions?.length === 1 &&
          first?.Type === 'redirect' &&
          first.RedirectConfig?.Protocol === 'HTTPS' &&
          first.RedirectConfig.StatusCode === 'HTTP_301',
      }),
    ];
  }
  return [
    judge({
      check: 'alb.listener-ports',
      control: 'NET-2',
      resource: id,
      property: 'Port/Protocol',
      found: `${listener.Port}/${listener.Protocol}`,
      required: '443/HTTPS, or 80/HTTP redirecting',
      ok: false,
    }),
  ];
}

function wafRows(ctx: LiveContext, acl: string, rules: readonly Rule[]): CheckResult[] {
  const rows = MANAGED_GROUPS.map((group) => {
    const rule = rules.find((r) => r.Statement?.ManagedRuleGroupStatement?.Name === group);
    const override = rule?.OverrideAction?.Count ? 'count' : rule ? 'none (rules act)' : undefined;
    return judge({
      check: 'waf.managed-group',
      control: 'NET-5',
      resource: `${acl} ${group}`,
      property: 'OverrideAction',
      found: override ?? 'group not in the web ACL',
      required: 'group present, OverrideAction none (not count)',
      ok: rule !== undefined && !rule.OverrideAction?.Count,
    });
  });
  const rate = rules.find((r) => r.Statement?.RateBasedStatement);
  rows.push(
    judge({
      check: 'waf.rate-rule',
      control: 'NET-5',
      resource: acl,
      property: 'RateBasedStatement.Limit, Action',
      found: rate
        ? `${rate.Statement!.RateBasedStatement!.Limit}, ${rate.Action?.Block ? 'block' : 'not block'}`
        : undefined,
      required: `${ctx.env.waf.rateLimit}, block`,
      ok: rate?.Statement?.RateBasedStatement?.Limit === ctx.env.waf.rateLimit && rate.Action?.Block !== undefined,
    }),
  );
  return rows;
}

/** NET-2 (port 80), NET-3, NET-4, NET-5, LOG-2 (ALB access logs): the public ALB, its listeners and web ACL. */
export const ingress = liveFamily('alb.exists', 'NET-3', 'ALB', async (ctx) => {
  const lbs = await findEntry(ctx);
  if (lbs.length === 0) {
    return [
      absent(
        'alb.exists',
        'NET-3',
        `internet-facing ALB tagged ${JSON.stringify(envTags(ctx.env))}`,
        'the public ALB of the environment',
      ),
    ];
  }
  const rows: CheckResult[] = [];
  for (const lb of lbs) {
    const name = lb.LoadBalancerName ?? lb.LoadBalancerArn!;
    const attrs = Object.fromEntries(
      (
        (await ctx.live.elbv2.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
          .Attributes ?? []
      ).map((a) => [a.Key, a.Value]),
    );
    const attribute = (check: string, control: 'NET-4' | 'LOG-2', key: string, required: string) =>
      judge({
        check,
        control,
        resource: name,
        property: key,
        found: attrs[key],
        required,
        ok: attrs[key] === required,
      });
    rows.push(
      attribute('alb.drop-invalid-headers', 'NET-4', 'routing.http.drop_invalid_header_fields.enabled', 'true'),
      attribute('alb.desync-strictest', 'NET-4', 'routing.http.desync_mitigation_mode', 'strictest'),
      attribute('alb.access-logs', 'LOG-2', 'access_logs.s3.enabled', 'true'),
    );
    const listeners = (await ctx.live.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
      .Listeners;
    for (const l of [...(listeners ?? [])].sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0)))
      rows.push(...(await listenerRows(ctx, name, l)));
    const acl = (
      await orMissing(
        () => ctx.live.wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: lb.LoadBalancerArn })),
        'WAFNonexistentItemException',
      )
    )?.WebACL;
    rows.push(
      judge({
        check: 'waf.associated',
        control: 'NET-5',
        resource: name,
        property: 'web ACL',
        found: acl?.Name ?? 'none associated',
        required: 'a WAF web ACL in front of the ALB',
        ok: acl !== undefined,
      }),
    );
    if (!acl) continue;
    rows.push(...wafRows(ctx, acl.Name ?? acl.ARN!, acl.Rules ?? []));
    const logging = (
      await orMissing(
        () => ctx.live.wafv2.send(new GetLoggingConfigurationCommand({ ResourceArn: acl.ARN })),
        'WAFNonexistentItemException',
      )
    )?.LoggingConfiguration;
    const group = wafLogGroupName(ctx.env.tags.application, ctx.env.name);
    rows.push(
      judge({
        check: 'waf.logging',
        control: 'NET-5',
        resource: acl.Name ?? acl.ARN!,
        property: 'LogDestinationConfigs',
        found: logging?.LogDestinationConfigs,
        required: `the log group ${group}`,
        ok: (logging?.LogDestinationConfigs ?? []).some(
          (d) => d.endsWith(`:log-group:${group}`) || d.includes(`:log-group:${group}:`),
        ),
      }),
    );
  }
  return rows;
});
