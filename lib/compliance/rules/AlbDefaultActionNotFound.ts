import { assessListenerDefault404, isHttpsListener } from '../checks/network';
import { type SaasRule, verdict } from '../checks/construct';

/** NET-4: only configured routes reach targets; anything else gets a bare 404. */
export const AlbDefaultActionNotFound: SaasRule = {
  control: 'NET-4',
  info: "The HTTPS listener's default action is not a fixed-response 404 without a body (NET-4).",
  explanation:
    'A default forward sends unknown hosts and paths to the application. Forward only through host/path rules and answer everything else with 404.',
  rule: function AlbDefaultActionNotFound(node) {
    return verdict(node, 'AWS::ElasticLoadBalancingV2::Listener', assessListenerDefault404, {
      appliesTo: isHttpsListener,
    });
  },
};
