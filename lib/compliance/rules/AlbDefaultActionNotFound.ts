import { saasRule } from '../checks/construct';
import { assessListenerDefault404 } from '../checks/edge';
import { LISTENER, isHttpsListener } from '../checks/lookups';

/** NET-4: only configured routes reach targets; anything else gets a bare 404. */
export const AlbDefaultActionNotFound = saasRule('AlbDefaultActionNotFound', {
  control: 'NET-4',
  type: LISTENER,
  assess: assessListenerDefault404,
  appliesTo: isHttpsListener,
  info: "The HTTPS listener's default action is not a fixed-response 404 without a body (NET-4).",
  explanation:
    'A default forward sends unknown hosts and paths to the application. Forward only through host/path rules and answer everything else with 404.',
});
