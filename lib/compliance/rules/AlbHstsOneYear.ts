import { saasRule } from '../checks/construct';
import { assessListenerHsts } from '../checks/edge';
import { LISTENER, isHttpsListener } from '../checks/lookups';

/** NET-3: every HTTPS response carries HSTS for at least a year. */
export const AlbHstsOneYear = saasRule('AlbHstsOneYear', {
  control: 'NET-3',
  type: LISTENER,
  assess: assessListenerHsts,
  appliesTo: isHttpsListener,
  info: 'The HTTPS listener does not send Strict-Transport-Security with max-age >= 31536000 (NET-3).',
  explanation:
    'Without HSTS a browser can be downgraded to HTTP on its next visit. Set the listener attribute routing.http.response.strict_transport_security.header_value.',
});
