import { failsExactly, type Json } from './harness';

/** The checks of lib/compliance/checks/edge.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'a weak TLS policy',
    { 'NET-3': 'FAIL' },
    (e) => (e.find('Ingress', 'Https').Properties.SslPolicy = 'ELBSecurityPolicy-2016-08'),
  ],
  [
    'HSTS of five minutes',
    { 'NET-3': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Https').Properties.ListenerAttributes = [
        { Key: 'routing.http.response.strict_transport_security.header_value', Value: 'max-age=300' },
      ]),
  ],
  [
    'the default action forwards',
    { 'NET-4': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Https').Properties.DefaultActions = [{ Type: 'forward', TargetGroupArn: { Ref: 'Tg' } }]),
  ],
  [
    'desync mitigation defensive',
    { 'NET-4': 'FAIL' },
    (e) => ((e.find('Ingress', 'Alb').Properties.LoadBalancerAttributes as Json[])[1].Value = 'defensive'),
  ],
  [
    'a route for any host',
    { 'NET-4': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Route').Properties.Conditions = [
        { Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } },
      ]),
  ],
  ['no saved review query', { 'NET-4': 'FAIL' }, (e) => e.remove('Ingress', 'Review')],
  [
    'a managed rule group only counts',
    { 'NET-5': 'FAIL' },
    (e) => ((e.find('Ingress', 'WebAcl').Properties.Rules as Json[])[3].OverrideAction = { Count: {} }),
  ],
  [
    'no web ACL in front of the ALB',
    { 'NET-4': 'FAIL', 'NET-5': 'FAIL' },
    (e) => e.remove('Ingress', 'WebAclAssociation'),
  ],
  [
    'WAF logs kept 30 days',
    { 'NET-5': 'FAIL', 'LOG-2': 'FAIL', 'LOG-3': 'FAIL' },
    (e) => (e.find('Ingress', 'WafLogs').Properties.RetentionInDays = 30),
  ],
]);
