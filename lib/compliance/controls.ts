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

export const CONTROLS = [
  {
    id: 'NET-1',
    promise:
      'Workloads (instances, databases, image builds) run in private or isolated subnets with no public IPs. Only the ALB and NAT gateways live in public subnets.',
    sources: ['R', 'T', 'C'],
    target: '2-3 AZs; DB in isolated subnets',
  },
  {
    id: 'NET-2',
    promise:
      "The only internet ingress is the ALB: 443 (HTTPS), plus 80 only as a permanent redirect to 443 if enabled. No security group anywhere allows 0.0.0.0/0 or ::/0 except the ALB's on 443/80. No SSH or RDP ingress anywhere.",
    sources: ['R', 'T', 'C'],
    target: 'zero other open ingress',
  },
  {
    id: 'NET-3',
    promise: 'TLS 1.2+ only, forward-secrecy cipher suites only; HSTS on every response.',
    sources: ['K', 'R', 'T'],
    target:
      'ALB policy `ELBSecurityPolicy-TLS13-1-2-Res-2021-06` or stricter (Res/FIPS/PQ variants); HSTS max-age >= 1 year',
  },
  {
    id: 'NET-4',
    promise:
      "Known URLs only: the listener's default action answers 404 with no body; only configured host/path routes reach targets. Invalid header fields dropped, strictest desync mitigation. Requests to unknown hosts are blocked and logged for review.",
    sources: ['K'],
    target: 'fixed-response 404 default; WAF rule for unknown hosts; saved log query for the periodic review',
  },
  {
    id: 'NET-5',
    promise: 'WAF with managed rule groups and a rate-based rule in front of the ALB; WAF logs kept.',
    sources: ['L', 'T'],
    target: 'AWS common, known-bad-inputs and IP reputation groups; rate limit configurable',
  },
  {
    id: 'NET-6',
    promise: 'Private hosts reach AWS APIs through VPC endpoints; all VPC traffic recorded by flow logs.',
    sources: ['T'],
    target: 'flow logs ALL, kept 1 year',
  },
  {
    id: 'NET-7',
    promise: '(optional) Static assets served by a CDN from a private bucket; customer data never on the CDN.',
    sources: ['L'],
    target: 'CloudFront + origin access control, TLSv1.2_2021',
  },
  {
    id: 'IMM-1',
    promise:
      'A golden-image pipeline builds hardened images from a known-good base declared in code (`images/`), tests them and scans them for vulnerabilities before distribution.',
    sources: ['L', 'R'],
    target: 'EC2 Image Builder recipe + components + tests + Inspector scan',
  },
  {
    id: 'IMM-2',
    promise:
      "Replace, don't patch: a new image produces a new launch template version and a rolling instance refresh that keeps full capacity and rolls back on failure. No in-place patching, no SSH keys.",
    sources: ['L', 'R'],
    target: 'launch-before-terminate, auto rollback',
  },
  {
    id: 'IMM-3',
    promise: 'Nodes behind public endpoints are destroyed and rebuilt every few days even without a new image.',
    sources: ['K'],
    target: 'ASG max instance lifetime, default 3 days, allowed 1-7',
  },
  {
    id: 'IMM-4',
    promise:
      'Critical CVEs reach production within 24 hours: images rebuild at least daily, and a new image rolls out without a human.',
    sources: ['K'],
    target: 'daily schedule; event-driven rollout',
  },
  {
    id: 'IMM-5',
    promise: 'Old images are destroyed; the last known-good ones are kept for rollback.',
    sources: ['L'],
    target: 'Image Builder lifecycle policy, keep N (default 3)',
  },
  {
    id: 'IMM-6',
    promise:
      'Instances are hardened: IMDSv2 required (hop limit 1), encrypted root volume with a customer key, least-privilege instance role, no key pair, detailed monitoring.',
    sources: ['L', 'R'],
    target: '',
  },
  {
    id: 'IMM-7',
    promise: 'The fleet spans at least two AZs and is health-checked by the ALB.',
    sources: ['R', 'T'],
    target: '',
  },
  {
    id: 'IMM-8',
    promise: "Images are copied to the DR region, encrypted with that region's key.",
    sources: ['T', 'R'],
    target: '',
  },
  {
    id: 'IMM-9',
    promise:
      'Application releases are immutable: each release is a versioned artifact with a SHA-256 checksum, stored encrypted and versioned; an instance runs exactly the release it booted with and will not serve an artifact whose checksum does not match; a release reaches an environment only through new instances that roll back automatically when health alarms fire; the previous release is one command away.',
    sources: ['L', 'R'],
    target: 'release = launch template version; refresh with alarm-based auto rollback',
  },
  {
    id: 'IMM-10',
    promise:
      'A critical or high vulnerability found on the fleet or its golden image starts a rebuild and rollout without a human; the worst case from finding to replaced fleet is computed from the configuration.',
    sources: ['K'],
    target: 'Inspector finding -> image pipeline -> rollout; bound <= 6 h',
  },
  {
    id: 'DATA-1',
    promise:
      'PostgreSQL: encrypted with a customer-managed KMS key, TLS enforced (`rds.force_ssl=1`), Multi-AZ, deletion protection, isolated subnets, ingress only from the app tier on the DB port, credentials in Secrets Manager with rotation, logs exported.',
    sources: ['L', 'R', 'T'],
    target: 'point-in-time recovery >= 7 days',
  },
  {
    id: 'DATA-2',
    promise:
      'Every bucket: KMS encryption (SSE-S3 only where the service requires it, e.g. ALB logs), block public access, TLS-only policy, versioning, owner-enforced, access logging. Uploads reach users only through short-lived signed URLs.',
    sources: ['L', 'R'],
    target: '',
  },
  {
    id: 'DATA-3',
    promise:
      'Backups: every 12 hours and daily, kept up to 1 year, copied to a vault in another region encrypted with a different key. Vault lock prevents early deletion.',
    sources: ['C', 'R', 'L'],
    target: '12 h rule; daily rule 365 d; cross-region copy',
  },
  {
    id: 'DATA-4',
    promise: "Customer object data is replicated to the DR region under that region's key.",
    sources: ['T', 'R'],
    target: 'S3 replication',
  },
  {
    id: 'DATA-5',
    promise: 'Restore drills run automatically and report success or failure.',
    sources: ['R'],
    target: 'restore testing plan, at least monthly (seed asks yearly)',
  },
  {
    id: 'DATA-6',
    promise:
      'Keys: customer-managed, yearly rotation, separate keys per data class and per region; key policies least privilege.',
    sources: ['R', 'T'],
    target: '',
  },
  {
    id: 'DATA-7',
    promise:
      'Nothing stateful is lost on stack deletion or replacement: retain or snapshot policies, deletion protection, termination protection for production stacks.',
    sources: ['T', 'R'],
    target: '',
  },
  {
    id: 'DATA-8',
    promise: 'All resources tagged with application, environment, owner and data classification.',
    sources: ['R'],
    target: '',
  },
  {
    id: 'DATA-9',
    promise:
      "Each customer's data is isolated from every other customer's: a tenant context on every request, database rows or schemas and object prefixes per tenant, enforced below the application's query code; every access to customer data is logged with tenant and principal.",
    sources: ['L', 'R', 'T'],
    target: 'PostgreSQL row-level security or schema per tenant; per-tenant object prefix',
  },
  {
    id: 'DATA-10',
    promise:
      "On request a customer's data is exported, and erased: its database data and every object version in the primary and DR buckets; the erasure is recorded, and the date by which the last locked backup holding the data expires is stated.",
    sources: ['K', 'L'],
    target: 'export + erase commands; bound = longest backup retention',
  },
  {
    id: 'LOG-1',
    promise:
      'CloudTrail: multi-region, global service events, log file validation, KMS-encrypted, delivered to a dedicated bucket kept 5 years and protected against tampering; also sent to CloudWatch Logs.',
    sources: ['L'],
    target: '5-year retention (1827 days), object lock',
  },
  {
    id: 'LOG-2',
    promise: 'Request logs (ALB, WAF) stored durably and purged on a fixed schedule.',
    sources: ['K'],
    target: '1 year',
  },
  {
    id: 'LOG-3',
    promise: 'System and application logs centralized in CloudWatch Logs, encrypted, kept 1 year.',
    sources: ['L', 'T'],
    target: '365 days',
  },
  {
    id: 'LOG-4',
    promise:
      'Alarms: security events (root use, unauthorized API calls, console login without MFA, changes to IAM, trails, security groups, network ACLs, KMS keys) and operational health (5xx, unhealthy targets, database, backup failure, image build failure, refresh failure) notify an encrypted topic.',
    sources: ['L', 'R', 'T'],
    target: '',
  },
  {
    id: 'LOG-5',
    promise:
      'Threat detection and posture: GuardDuty, Security Hub (foundational best practices and CIS), AWS Config, Inspector.',
    sources: ['L', 'R'],
    target: '',
  },
  {
    id: 'LOG-6',
    promise: 'Every administrative session is logged (Session Manager transcripts, encrypted).',
    sources: ['T', 'R'],
    target: '',
  },
  {
    id: 'IAM-1',
    promise: 'Administrative access requires MFA; auditors get a read-only role, also behind MFA.',
    sources: ['L', 'T', 'R'],
    target: '',
  },
  {
    id: 'IAM-2',
    promise: 'Least privilege: no wildcard actions; any wildcard resource is justified next to the code.',
    sources: ['R'],
    target: '',
  },
  {
    id: 'IAM-3',
    promise:
      'Production is separate from test and development: each environment is its own stage, account and configuration.',
    sources: ['R'],
    target: '',
  },
  {
    id: 'SDLC-1',
    promise:
      'Every synth runs cdk-nag packs (AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1); any error fails the build; every suppression has a written reason naming the control it relates to.',
    sources: ['L', 'R'],
    target: 'zero unsuppressed findings',
  },
  {
    id: 'SDLC-2',
    promise:
      'A delivery pipeline synthesizes, tests and nag-checks, then deploys environment by environment with an approval before production.',
    sources: ['L', 'R'],
    target: 'CDK Pipelines',
  },
  {
    id: 'SDLC-3',
    promise: 'Dependencies are monitored for known vulnerabilities in CI.',
    sources: ['R'],
    target: '',
  },
  {
    id: 'SDLC-4',
    promise:
      'Auditors get an evidence report generated from the synthesized templates: each control, its status, and the resources and property values that implement it.',
    sources: ['L', 'R'],
    target: '',
  },
  {
    id: 'OPS-1',
    promise:
      'A verify command checks a deployed environment through the AWS APIs: trail logging with validation and recent delivery; every running instance on the current golden image and younger than the lifetime; IMDSv2; no public IPs on private hosts; EBS encryption by default. It prints a report and exits non-zero on any violation.',
    sources: ['K', 'L', 'R'],
    target: '`@aws-sdk/client-ec2`, `@aws-sdk/client-cloudtrail`',
  },
  {
    id: 'OPS-2',
    promise: 'Operators can force a rebuild or roll back to the previous image with one command.',
    sources: ['L'],
    target: '',
  },
  {
    id: 'OPS-3',
    promise:
      'Live evidence: the verify command writes, per environment, a report in the same shape as the template evidence for every control the AWS APIs can show, and says whether each deployed stack still matches the synthesized template.',
    sources: ['L', 'R'],
    target: '>= 30 controls checked live; drift per stack',
  },
] as const satisfies readonly Control[];

export type ControlId = (typeof CONTROLS)[number]['id'];

export const CONTROL_IDS: ReadonlySet<string> = new Set(CONTROLS.map((c) => c.id));
