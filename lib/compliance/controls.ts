/**
 * The control catalog (../shared/CONTROLS.md) as data: every security promise
 * with its ID, the seeds it comes from and its target. Acknowledgments, tests
 * and (later) the evidence report refer to controls by these IDs; a test checks
 * this list against CONTROLS.md.
 */
export interface Control {
  readonly id: string;
  readonly promise: string;
  /** Seed letters: K, L, T, C, R (see CONTROLS.md). */
  readonly sources: readonly string[];
  readonly target: string;
}

/** One row of CONTROLS.md, in its column order: ID, promise, seed letters (space-separated), target. */
function row<const Id extends string>(id: Id, promise: string, sources: string, target: string) {
  return { id, promise, sources: sources.split(' '), target } satisfies Control;
}

export const CONTROLS = [
  row(
    'NET-1',
    'Workloads (instances, databases, image builds) run in private or isolated subnets with no public IPs. Only the ALB and NAT gateways live in public subnets.',
    'R T C',
    '2-3 AZs; DB in isolated subnets',
  ),
  row(
    'NET-2',
    "The only internet ingress is the ALB: 443 (HTTPS), plus 80 only as a permanent redirect to 443 if enabled. No security group anywhere allows 0.0.0.0/0 or ::/0 except the ALB's on 443/80. No SSH or RDP ingress anywhere.",
    'R T C',
    'zero other open ingress',
  ),
  row(
    'NET-3',
    'TLS 1.2+ only, forward-secrecy cipher suites only; HSTS on every response.',
    'K R T',
    'ALB policy `ELBSecurityPolicy-TLS13-1-2-Res-2021-06` or stricter (Res/FIPS/PQ variants); HSTS max-age >= 1 year',
  ),
  row(
    'NET-4',
    "Known URLs only: the listener's default action answers 404 with no body; only configured host/path routes reach targets. Invalid header fields dropped, strictest desync mitigation. Requests to unknown hosts are blocked and logged for review.",
    'K',
    'fixed-response 404 default; WAF rule for unknown hosts; saved log query for the periodic review',
  ),
  row(
    'NET-5',
    'WAF with managed rule groups and a rate-based rule in front of the ALB; WAF logs kept.',
    'L T',
    'AWS common, known-bad-inputs and IP reputation groups; rate limit configurable',
  ),
  row(
    'NET-6',
    'Private hosts reach AWS APIs through VPC endpoints; all VPC traffic recorded by flow logs.',
    'T',
    'flow logs ALL, kept 1 year',
  ),
  row(
    'NET-7',
    '(optional) Static assets served by a CDN from a private bucket; customer data never on the CDN.',
    'L',
    'CloudFront + origin access control, TLSv1.2_2021',
  ),
  row(
    'IMM-1',
    'A golden-image pipeline builds hardened images from a known-good base declared in code (`images/`), tests them and scans them for vulnerabilities before distribution.',
    'L R',
    'EC2 Image Builder recipe + components + tests + Inspector scan',
  ),
  row(
    'IMM-2',
    "Replace, don't patch: a new image produces a new launch template version and a rolling instance refresh that keeps full capacity and rolls back on failure. No in-place patching, no SSH keys.",
    'L R',
    'launch-before-terminate, auto rollback',
  ),
  row(
    'IMM-3',
    'Nodes behind public endpoints are destroyed and rebuilt every few days even without a new image.',
    'K',
    'ASG max instance lifetime, default 3 days, allowed 1-7',
  ),
  row(
    'IMM-4',
    'Critical CVEs reach production within 24 hours: images rebuild at least daily, and a new image rolls out without a human.',
    'K',
    'daily schedule; event-driven rollout',
  ),
  row(
    'IMM-5',
    'Old images are destroyed; the last known-good ones are kept for rollback.',
    'L',
    'Image Builder lifecycle policy, keep N (default 3)',
  ),
  row(
    'IMM-6',
    'Instances are hardened: IMDSv2 required (hop limit 1), encrypted root volume with a customer key, least-privilege instance role, no key pair, detailed monitoring.',
    'L R',
    '',
  ),
  row('IMM-7', 'The fleet spans at least two AZs and is health-checked by the ALB.', 'R T', ''),
  row('IMM-8', "Images are copied to the DR region, encrypted with that region's key.", 'T R', ''),
  row(
    'IMM-9',
    'Application releases are immutable: each release is a versioned artifact with a SHA-256 checksum, stored encrypted and versioned; an instance runs exactly the release it booted with and will not serve an artifact whose checksum does not match; a release reaches an environment only through new instances that roll back automatically when health alarms fire; the previous release is one command away.',
    'L R',
    'release = launch template version; refresh with alarm-based auto rollback',
  ),
  row(
    'IMM-10',
    'A critical or high vulnerability found on the fleet or its golden image starts a rebuild and rollout without a human; the worst case from finding to replaced fleet is computed from the configuration.',
    'K',
    'Inspector finding -> image pipeline -> rollout; bound <= 6 h',
  ),
  row(
    'DATA-1',
    'PostgreSQL: encrypted with a customer-managed KMS key, TLS enforced (`rds.force_ssl=1`), Multi-AZ, deletion protection, isolated subnets, ingress only from the app tier on the DB port, credentials in Secrets Manager with rotation, logs exported.',
    'L R T',
    'point-in-time recovery >= 7 days',
  ),
  row(
    'DATA-2',
    'Every bucket: KMS encryption (SSE-S3 only where the service requires it, e.g. ALB logs), block public access, TLS-only policy, versioning, owner-enforced, access logging. Uploads reach users only through short-lived signed URLs.',
    'L R',
    '',
  ),
  row(
    'DATA-3',
    'Backups: every 12 hours and daily, kept up to 1 year, copied to a vault in another region encrypted with a different key. Vault lock prevents early deletion.',
    'C R L',
    '12 h rule; daily rule 365 d; cross-region copy',
  ),
  row(
    'DATA-4',
    "Customer object data is replicated to the DR region under that region's key.",
    'T R',
    'S3 replication',
  ),
  row(
    'DATA-5',
    'Restore drills run automatically and report success or failure.',
    'R',
    'restore testing plan, at least monthly (seed asks yearly)',
  ),
  row(
    'DATA-6',
    'Keys: customer-managed, yearly rotation, separate keys per data class and per region; key policies least privilege.',
    'R T',
    '',
  ),
  row(
    'DATA-7',
    'Nothing stateful is lost on stack deletion or replacement: retain or snapshot policies, deletion protection, termination protection for production stacks.',
    'T R',
    '',
  ),
  row('DATA-8', 'All resources tagged with application, environment, owner and data classification.', 'R', ''),
  row(
    'DATA-9',
    "Each customer's data is isolated from every other customer's: a tenant context on every request, database rows or schemas and object prefixes per tenant, enforced below the application's query code; every access to customer data is logged with tenant and principal.",
    'L R T',
    'PostgreSQL row-level security or schema per tenant; per-tenant object prefix',
  ),
  row(
    'DATA-10',
    "On request a customer's data is exported, and erased: its database data and every object version in the primary and DR buckets; the erasure is recorded, and the date by which the last locked backup holding the data expires is stated.",
    'K L',
    'export + erase commands; bound = longest backup retention',
  ),
  row(
    'LOG-1',
    'CloudTrail: multi-region, global service events, log file validation, KMS-encrypted, delivered to a dedicated bucket kept 5 years and protected against tampering; also sent to CloudWatch Logs.',
    'L',
    '5-year retention (1827 days), object lock',
  ),
  row('LOG-2', 'Request logs (ALB, WAF) stored durably and purged on a fixed schedule.', 'K', '1 year'),
  row(
    'LOG-3',
    'System and application logs centralized in CloudWatch Logs, encrypted, kept 1 year.',
    'L T',
    '365 days',
  ),
  row(
    'LOG-4',
    'Alarms: security events (root use, unauthorized API calls, console login without MFA, changes to IAM, trails, security groups, network ACLs, KMS keys) and operational health (5xx, unhealthy targets, database, backup failure, image build failure, refresh failure) notify an encrypted topic.',
    'L R T',
    '',
  ),
  row(
    'LOG-5',
    'Threat detection and posture: GuardDuty, Security Hub (foundational best practices and CIS), AWS Config, Inspector.',
    'L R',
    '',
  ),
  row('LOG-6', 'Every administrative session is logged (Session Manager transcripts, encrypted).', 'T R', ''),
  row('IAM-1', 'Administrative access requires MFA; auditors get a read-only role, also behind MFA.', 'L T R', ''),
  row('IAM-2', 'Least privilege: no wildcard actions; any wildcard resource is justified next to the code.', 'R', ''),
  row(
    'IAM-3',
    'Production is separate from test and development: each environment is its own stage, account and configuration.',
    'R',
    '',
  ),
  row(
    'SDLC-1',
    'Every synth runs cdk-nag packs (AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1); any error fails the build; every suppression has a written reason naming the control it relates to.',
    'L R',
    'zero unsuppressed findings',
  ),
  row(
    'SDLC-2',
    'A delivery pipeline synthesizes, tests and nag-checks, then deploys environment by environment with an approval before production.',
    'L R',
    'CDK Pipelines',
  ),
  row('SDLC-3', 'Dependencies are monitored for known vulnerabilities in CI.', 'R', ''),
  row(
    'SDLC-4',
    'Auditors get an evidence report generated from the synthesized templates: each control, its status, and the resources and property values that implement it.',
    'L R',
    '',
  ),
  row(
    'OPS-1',
    'A verify command checks a deployed environment through the AWS APIs: trail logging with validation and recent delivery; every running instance on the current golden image and younger than the lifetime; IMDSv2; no public IPs on private hosts; EBS encryption by default. It prints a report and exits non-zero on any violation.',
    'K L R',
    '`@aws-sdk/client-ec2`, `@aws-sdk/client-cloudtrail`',
  ),
  row('OPS-2', 'Operators can force a rebuild or roll back to the previous image with one command.', 'L', ''),
  row(
    'OPS-3',
    'Live evidence: the verify command writes, per environment, a report in the same shape as the template evidence for every control the AWS APIs can show, and says whether each deployed stack still matches the synthesized template.',
    'L R',
    '>= 30 controls checked live; drift per stack',
  ),
] as const;

export type ControlId = (typeof CONTROLS)[number]['id'];

export const CONTROL_IDS: ReadonlySet<string> = new Set(CONTROLS.map((c) => c.id));
