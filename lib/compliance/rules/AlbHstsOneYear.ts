import { assessListenerHsts, isHttpsListener } from '../checks/network';
import { type SaasRule, verdict } from '../checks/construct';

/** NET-3: every HTTPS response carries HSTS for at least a year. */
export const AlbHstsOneYear: SaasRule = {
  control: 'NET-3',
  info: 'The HTTPS listener does not send Strict-Transport-Security with max-age >= 31536000 (NET-3).',
  explanation:
    'Without HSTS a browser can be downgraded to HTTP on its next visit. Set the listener attribute routing.http.response.strict_transport_security.header_value.',
  rule: function AlbHstsOneYear(node) {
    return verdict(node, 'AWS::ElasticLoadBalancingV2::Listener', assessListenerHsts, { appliesTo: isHttpsListener });
  },
};
