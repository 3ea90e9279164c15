import { z } from 'zod';

/**
 * The TLS policies the public listener may use: TLS 1.2 and 1.3 with
 * forward-secret ciphers only (NET-3). Every other ELB policy allows CBC or
 * non-PFS suites and is rejected.
 */
export const STRICT_TLS_POLICIES = [
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04',
  'ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04',
  'ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09',
] as const;

export const DEFAULT_TLS_POLICY = STRICT_TLS_POLICIES[0];

/** One year, the shortest HSTS max-age NET-3 allows. */
export const MIN_HSTS_MAX_AGE_SECONDS = 31_536_000;

/** AWS WAF's bounds for a rate-based rule's limit. */
export const WAF_RATE_LIMIT_MIN = 10;
export const WAF_RATE_LIMIT_MAX = 2_000_000_000;
export const WAF_RATE_WINDOWS = [60, 120, 300, 600] as const;

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;

const CertificateSchema = z.strictObject({
  arn: z
    .string()
    .regex(ACM_ARN, 'must be an ACM certificate ARN (arn:<partition>:acm:<region>:<account>:certificate/<uuid>)')
    .optional()
    .describe(
      "An existing ACM certificate in the environment's account and region covering every hostname. Give either this or hostedZoneId + hostedZoneName.",
    ),
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone ID (Z followed by upper-case letters and digits)')
    .optional()
    .describe(
      'Route 53 hosted zone in which a DNS-validated certificate is created (with hostedZoneName, instead of arn).',
    ),
  hostedZoneName: z
    .string()
    .regex(HOSTNAME, 'must be a lower-case DNS domain name')
    .optional()
    .describe('Domain name of that hosted zone; it must contain every hostname.'),
});

const HostSchema = z.strictObject({
  hostname: z
    .string()
    .regex(HOSTNAME, 'must be a lower-case fully qualified DNS name, e.g. app.example.com')
    .describe('A host the ALB forwards to the fleet (unique); requests for any other host get a 404 (NET-4).'),
  paths: z
    .array(
      z
        .string()
        .regex(/^\/[A-Za-z0-9_\-.$/~"'@:+*?&]{0,127}$/, 'must be an ALB path pattern starting with "/" (1-128 chars)'),
    )
    .min(1, 'needs at least one path pattern, e.g. "/*"')
    .max(4, 'allows at most 4 path patterns per host (an ALB rule takes 5 condition values, one is the host)')
    .default(['/*'])
    .describe('ALB path patterns forwarded for that host (1-4); other paths get a 404.'),
});

export const IngressSchema = z.strictObject({
  hosts: z
    .array(HostSchema)
    .min(1, 'needs at least one host: the ALB only forwards configured host/path routes (NET-4)')
    .max(50, 'allows at most 50 hosts')
    .describe('The host/path routes the ALB forwards (1-50 hosts).'),
  certificate: CertificateSchema.describe(
    "The HTTPS listener's certificate: an existing ACM ARN, or a hosted zone to create one in.",
  ),
  tlsPolicy: z
    .enum(STRICT_TLS_POLICIES, {
      error: `must be one of the strict TLS 1.2+/forward-secrecy policies (NET-3): ${STRICT_TLS_POLICIES.join(', ')}`,
    })
    .default(DEFAULT_TLS_POLICY)
    .describe('TLS policy of the HTTPS listener: TLS 1.2+ with forward secrecy only (NET-3).'),
  httpRedirect: z
    .boolean({ error: 'must be true or false' })
    .default(true)
    .describe('Open port 80 only to answer a permanent redirect to HTTPS; false closes port 80.'),
  hstsMaxAgeSeconds: z
    .int({ error: 'must be a whole number of seconds' })
    .min(MIN_HSTS_MAX_AGE_SECONDS, `must be at least ${MIN_HSTS_MAX_AGE_SECONDS} (one year, NET-3)`)
    .max(63_072_000 * 5, 'must be at most 315360000 (ten years)')
    .default(63_072_000)
    .describe('HSTS max-age sent on every response, in seconds (at least one year, NET-3).'),
  appPort: z
    .int({ error: 'must be a whole number' })
    .min(1024, 'must be an unprivileged port, 1024-65535')
    .max(65535, 'must be an unprivileged port, 1024-65535')
    .default(8443)
    .describe('Port on which the fleet serves HTTPS to the ALB; only the ALB may reach it (NET-2).'),
  healthCheckPath: z
    .string()
    .regex(/^\/[\w\-./]{0,1023}$/, 'must be a URL path starting with "/"')
    .default('/healthz')
    .describe('Path the ALB health check requests on every node (IMM-7).'),
});

export const WafSchema = z.strictObject({
  rateLimit: z
    .int({ error: 'must be a whole number of requests' })
    .min(WAF_RATE_LIMIT_MIN, `must be at least ${WAF_RATE_LIMIT_MIN} (AWS WAF's minimum)`)
    .max(WAF_RATE_LIMIT_MAX, `must be at most ${WAF_RATE_LIMIT_MAX} (AWS WAF's maximum)`)
    .describe('Requests one IP address may make per window before WAF blocks it (NET-5).'),
  rateWindowSeconds: z
    .union(
      WAF_RATE_WINDOWS.map((w) => z.literal(w)),
      { error: `must be one of ${WAF_RATE_WINDOWS.join(', ')} seconds` },
    )
    .default(300)
    .describe("Length of the rate rule's window, in seconds."),
});

export const INGRESS_PATTERNS = { ACM_ARN } as const;
