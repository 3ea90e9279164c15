import { saasRule } from '../checks/construct';
import { assessListenerTls } from '../checks/edge';
import { LISTENER, isHttpsListener } from '../checks/lookups';

/** NET-3: HTTPS listeners negotiate TLS 1.2+ with forward-secret suites only. */
export const AlbTlsPolicyStrict = saasRule('AlbTlsPolicyStrict', {
  control: 'NET-3',
  type: LISTENER,
  assess: assessListenerTls,
  appliesTo: isHttpsListener,
  info: 'The HTTPS listener does not use one of the strict TLS 1.2+/forward-secrecy policies (NET-3).',
  explanation:
    'Every other ELB security policy still offers CBC or non-PFS cipher suites. Use a policy from STRICT_TLS_POLICIES in lib/config/schema.ts.',
});
