import { keyValues, prop, resourcesOf } from './template';
import { referrers, resourceKey, targetOf } from './query';
import type { CheckContext, ResourceRef } from './types';

/**
 * Lookups more than one family of checks (and the evidence diagram) asks:
 * the internet-facing load balancers, their listeners and web ACLs, the
 * buckets that receive access logs. Family files import from here, never
 * from each other.
 */

export const LISTENER = 'AWS::ElasticLoadBalancingV2::Listener';
export const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';

export const HSTS_ATTRIBUTE = 'routing.http.response.strict_transport_security.header_value';

export const isHttpsListener = (ref: ResourceRef): boolean =>
  ref.resource.Type === LISTENER && prop(ref, 'Protocol') === 'HTTPS';

/** Application load balancers that face the internet. */
export function internetFacingAlbs(ctx: CheckContext): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::ElasticLoadBalancingV2::LoadBalancer').filter(
    (lb) => prop(lb, 'Scheme') === 'internet-facing' && (prop(lb, 'Type') ?? 'application') === 'application',
  );
}

/** The listeners of a load balancer. */
export function listenersOf(ctx: CheckContext, lb: ResourceRef): ResourceRef[] {
  return referrers(ctx, LISTENER, 'LoadBalancerArn', lb);
}

/** The rules of a listener. */
export function listenerRulesOf(ctx: CheckContext, listener: ResourceRef): ResourceRef[] {
  return referrers(ctx, LISTENER_RULE, 'ListenerArn', listener);
}

/** The HSTS max-age the listener sends, in seconds; undefined when it sends none. */
export function hstsMaxAge(listener: ResourceRef): { header: unknown; maxAge?: number } {
  const header = keyValues(prop(listener, 'ListenerAttributes'))[HSTS_ATTRIBUTE];
  const m = typeof header === 'string' ? /max-age=(\d+)/i.exec(header) : null;
  return { header, maxAge: m ? Number(m[1]) : undefined };
}

/** The WAF web ACLs associated with a load balancer. */
export function webAclsOf(ctx: CheckContext, lb: ResourceRef): ResourceRef[] {
  return referrers(ctx, 'AWS::WAFv2::WebACLAssociation', 'ResourceArn', lb).flatMap((a) => {
    const acl = targetOf(ctx, a, 'WebACLArn');
    return acl ? [acl] : [];
  });
}

/** The logging configuration of a web ACL. */
export function wafLoggingOf(ctx: CheckContext, acl: ResourceRef): ResourceRef | undefined {
  return referrers(ctx, 'AWS::WAFv2::LoggingConfiguration', 'ResourceArn', acl)[0];
}

/** Buckets that receive other buckets' server access logs (they cannot log to themselves), as `stack/logicalId`. */
export function accessLogDestinations(ctx: CheckContext): Set<string> {
  const out = new Set<string>();
  for (const b of resourcesOf(ctx.stacks, 'AWS::S3::Bucket')) {
    const dest = targetOf(ctx, b, 'LoggingConfiguration.DestinationBucketName');
    if (dest) out.add(resourceKey(dest));
  }
  return out;
}

/** How to check the account-level parts in the running account (OPS-1's verify command). */
export const verifyPointer = (env: string) =>
  `run \`npm run verify -- --env ${env}\` against the deployed account (OPS-1)`;
