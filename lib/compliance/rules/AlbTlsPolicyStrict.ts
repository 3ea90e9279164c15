import { assessListenerTls, isHttpsListener } from '../checks/network';
import { type SaasRule, verdict } from '../checks/construct';

/** NET-3: HTTPS listeners negotiate TLS 1.2+ with forward-secret suites only. */
export const AlbTlsPolicyStrict: SaasRule = {
  control: 'NET-3',
  info: 'The HTTPS listener does not use one of the strict TLS 1.2+/forward-secrecy policies (NET-3).',
  explanation:
    'Every other ELB security policy still offers CBC or non-PFS cipher suites. Use a policy from STRICT_TLS_POLICIES in lib/config/schema.ts.',
  rule: function AlbTlsPolicyStrict(node) {
    return verdict(node, 'AWS::ElasticLoadBalancingV2::Listener', assessListenerTls, { appliesTo: isHttpsListener });
  },
};
