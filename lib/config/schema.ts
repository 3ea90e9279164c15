import { z } from 'zod';
import { AWS_REGIONS } from './regions';

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

/** PostgreSQL major versions RDS supports that we allow (standard support). */
export const POSTGRES_MAJOR_VERSIONS = ['15', '16', '17'] as const;
/** Instance families allowed for the database: current Graviton/Intel general purpose and memory optimized, burstable for non-production. */
export const DB_INSTANCE_FAMILIES = ['t4g', 'm6g', 'm7g', 'm6i', 'm7i', 'r6g', 'r7g', 'r6i', 'r7i'] as const;
/** Sizes from medium up: Performance Insights and encryption work on all of them. */
export const DB_INSTANCE_SIZES = [
  'medium',
  'large',
  'xlarge',
  '2xlarge',
  '4xlarge',
  '8xlarge',
  '12xlarge',
  '16xlarge',
] as const;

export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;

const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f-]{36}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

const regionEnum = z.enum(AWS_REGIONS, {
  error: `must be one of the AWS regions: ${AWS_REGIONS.join(', ')}`,
});

const tagValue = (what: string) =>
  z
    .string({ error: `${what} is required (a string)` })
    .regex(TAG_VALUE, `${what} must be 1-256 letters, digits, spaces or _.:/=+-@`);

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

const IngressSchema = z.strictObject({
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

const WafSchema = z.strictObject({
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

const DB_CLASS = new RegExp(`^db\\.(${DB_INSTANCE_FAMILIES.join('|')})\\.(${DB_INSTANCE_SIZES.join('|')})$`);

const DatabaseSchema = z.strictObject({
  engineVersion: z
    .string()
    .regex(
      new RegExp(`^(${POSTGRES_MAJOR_VERSIONS.join('|')})\\.\\d{1,2}$`),
      `must be a PostgreSQL version "<major>.<minor>" with major ${POSTGRES_MAJOR_VERSIONS.join(', ')}, e.g. "16.6"`,
    )
    .default('16.6')
    .describe('RDS for PostgreSQL engine version, "<major>.<minor>" (quoted).'),
  instanceClass: z
    .string()
    .regex(
      DB_CLASS,
      `must be db.<family>.<size> with family ${DB_INSTANCE_FAMILIES.join(', ')} and size ${DB_INSTANCE_SIZES.join(', ')}`,
    )
    .default('db.t4g.medium')
    .describe(
      `Database instance class db.<family>.<size>; families ${DB_INSTANCE_FAMILIES.join(', ')}, sizes ${DB_INSTANCE_SIZES.join(', ')}.`,
    ),
  allocatedStorageGiB: z
    .int()
    .min(20, 'must be at least 20 GiB')
    .max(65536, 'must be at most 65536 GiB')
    .default(50)
    .describe('Initial gp3 storage of the database, in GiB.'),
  maxAllocatedStorageGiB: z
    .int()
    .min(20, 'must be at least 20 GiB')
    .max(65536, 'must be at most 65536 GiB')
    .default(200)
    .describe('Storage autoscaling ceiling, in GiB (at least allocatedStorageGiB).'),
  multiAz: z
    .boolean({ error: 'must be true or false' })
    .default(true)
    .describe('A synchronous standby in a second AZ (DATA-1); false is allowed outside production only.'),
  backupRetentionDays: z
    .int()
    .min(7, 'must be at least 7 days of point-in-time recovery (DATA-1)')
    .max(35, 'must be at most 35 days (the RDS maximum)')
    .default(14)
    .describe('Days of point-in-time recovery of the database (DATA-1).'),
  port: z
    .int()
    .min(1150, 'must be 1150-65535 (RDS PostgreSQL)')
    .max(65535, 'must be 1150-65535 (RDS PostgreSQL)')
    .refine((p) => p !== 5432, 'must not be 5432: the default port is the first one scanned')
    .default(5433)
    .describe('Database port; only the fleet may reach it (not 5432).'),
});

const BackupSchema = z.strictObject({
  twiceDailyRetentionDays: z
    .int()
    .min(7, 'must be at least 7 days')
    .max(365, 'must be at most 365 days (DATA-3 keeps backups up to 1 year)')
    .default(35)
    .describe('Days the 12-hourly backups (and their DR copies) are kept (DATA-3).'),
  dailyRetentionDays: z
    .int()
    .min(7, 'must be at least 7 days')
    .max(365, 'must be at most 365 days (DATA-3 keeps backups up to 1 year)')
    .default(365)
    .describe('Days the daily backups (and their DR copies) are kept (DATA-3).'),
});

/** Default base image: Amazon Linux 2023 for Graviton, read from AWS's public parameter at build time, never at synth. */
export const DEFAULT_BASE_IMAGE_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';
const INSTANCE_TYPE = /^[a-z][a-z0-9]*\.(nano|micro|small|medium|large|[1-9][0-9]?xlarge|metal)$/;

/** Build intervals that keep the worst-case fix-to-production time under 24 h (see README, "Time to production"). */
export const BUILD_INTERVALS = [4, 6, 8, 12] as const;

/** Image Builder's bounds for the image test timeout. */
export const IMAGE_TEST_TIMEOUT_MINUTES = { min: 60, max: 1440 } as const;

const ImageSchema = z.strictObject({
  baseImage: z
    .strictObject({
      ssmParameter: z
        .string()
        .regex(/^\/aws\/service\/[\w./-]+$/, 'must be an AWS public SSM parameter path under /aws/service/')
        .optional()
        .describe('AWS public SSM parameter naming the base AMI, read at every image build (never at synth).'),
      amiId: z
        .string()
        .regex(/^ami-[0-9a-f]{8,17}$/, 'must be an AMI ID like ami-0123456789abcdef0')
        .optional()
        .describe('A fixed base AMI ID instead of ssmParameter.'),
    })
    .refine(
      (b) => (b.ssmParameter === undefined) !== (b.amiId === undefined),
      'give exactly one of "ssmParameter" or "amiId"',
    )
    .prefault({ ssmParameter: DEFAULT_BASE_IMAGE_PARAMETER })
    .describe(
      `The known-good base of the golden image (IMM-1): exactly one of ssmParameter or amiId; default ssmParameter ${DEFAULT_BASE_IMAGE_PARAMETER}.`,
    ),
  buildInstanceTypes: z
    .array(z.string().regex(INSTANCE_TYPE, 'must be an EC2 instance type such as m7g.large'))
    .min(1, 'needs at least one build instance type')
    .default(['m7g.large'])
    .describe('Instance types Image Builder builds and tests on; the architecture must match the base image.'),
  buildHourUtc: z
    .int()
    .min(0, 'must be an hour 0-23 (UTC)')
    .max(23, 'must be an hour 0-23 (UTC)')
    .default(2)
    .describe('Hour (UTC) of the first scheduled image build of the day.'),
  buildIntervalHours: z
    .union(
      BUILD_INTERVALS.map((h) => z.literal(h)),
      {
        error: `must be one of ${BUILD_INTERVALS.join(', ')} hours: the worst case from a published fix to production (interval + build + rollout) must stay under 24 h (IMM-4)`,
      },
    )
    .default(12)
    .describe(
      'Hours between scheduled image builds; fixes reach production within interval + build + rollout (IMM-4).',
    ),
  keepImages: z
    .int()
    .min(2, 'must keep at least 2 images: the current one and one to roll back to (IMM-5)')
    .max(20, 'must be at most 20')
    .default(3)
    .describe('Golden images kept for rollback; older ones are deleted (IMM-5).'),
  testTimeoutMinutes: z
    .int({ error: 'must be a whole number of minutes' })
    .min(
      IMAGE_TEST_TIMEOUT_MINUTES.min,
      `must be ${IMAGE_TEST_TIMEOUT_MINUTES.min}-${IMAGE_TEST_TIMEOUT_MINUTES.max} minutes (Image Builder's test timeout bounds the CVE rebuild time, IMM-10)`,
    )
    .max(
      IMAGE_TEST_TIMEOUT_MINUTES.max,
      `must be ${IMAGE_TEST_TIMEOUT_MINUTES.min}-${IMAGE_TEST_TIMEOUT_MINUTES.max} minutes (Image Builder's test timeout bounds the CVE rebuild time, IMM-10)`,
    )
    .default(60)
    .describe(
      'Image Builder test timeout in minutes; it bounds the time from a critical finding to a replaced fleet (IMM-10).',
    ),
});

const FleetSchema = z.strictObject({
  instanceType: z
    .string()
    .regex(INSTANCE_TYPE, 'must be an EC2 instance type such as t4g.medium')
    .default('t4g.medium')
    .describe('EC2 instance type of the fleet; its architecture must match the base image.'),
  minCapacity: z
    .int()
    .min(2, 'must be at least 2: the fleet spans at least two AZs (IMM-7)')
    .default(2)
    .describe('Fewest fleet nodes (at least 2, across AZs).'),
  maxCapacity: z
    .int()
    .min(2, 'must be at least 2')
    .max(100, 'must be at most 100')
    .default(6)
    .describe('Most fleet nodes (at least minCapacity); a refresh may launch up to twice the running count.'),
  maxInstanceLifetimeDays: z
    .int({ error: 'must be a whole number of days' })
    .min(1, 'must be 1-7 days (IMM-3: nodes are rebuilt every few days)')
    .max(7, 'must be 1-7 days (IMM-3: nodes are rebuilt every few days)')
    .default(3)
    .describe('Oldest a node may get before Auto Scaling replaces it, in days (IMM-3).'),
  instanceWarmupSeconds: z
    .int()
    .min(30, 'must be at least 30 seconds')
    .max(3600, 'must be at most 3600 seconds')
    .default(300)
    .describe('Seconds a new node warms up before it counts as healthy in a refresh.'),
  rootVolumeGiB: z
    .int()
    .min(8, 'must be at least 8 GiB')
    .max(1024, 'must be at most 1024 GiB')
    .default(20)
    .describe('Encrypted gp3 root volume of each node, in GiB.'),
});

/** Bounds of the data bucket's signature-age limit (DATA-2): presigned URLs are short-lived. */
export const SIGNATURE_AGE_MINUTES = { min: 1, max: 60 } as const;

const DataBucketSchema = z.strictObject({
  maxSignatureAgeMinutes: z
    .int({ error: 'must be a whole number of minutes' })
    .min(
      SIGNATURE_AGE_MINUTES.min,
      `must be ${SIGNATURE_AGE_MINUTES.min}-${SIGNATURE_AGE_MINUTES.max} minutes: signed URLs to customer data are short-lived (DATA-2)`,
    )
    .max(
      SIGNATURE_AGE_MINUTES.max,
      `must be ${SIGNATURE_AGE_MINUTES.min}-${SIGNATURE_AGE_MINUTES.max} minutes: signed URLs to customer data are short-lived (DATA-2)`,
    )
    .default(15)
    .describe('Requests to customer data signed longer ago than this are refused by the bucket (DATA-2).'),
});

/** Retention periods CloudWatch Logs accepts that keep logs at least a year (LOG-3). */
export const LOG_RETENTION_DAYS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Account-level services an environment may create, where they are not enabled already (LOG-5). */
export const MANAGED_SERVICES = ['guardduty', 'securityhub', 'config', 'inspector'] as const;

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;

const AuditSchema = z.strictObject({
  accountTrail: z
    .boolean({ error: 'must be true or false' })
    .optional()
    .describe(
      "This environment creates the account's trail, its alarms and the Session Manager preferences (at most one per account); default: the first environment of each account.",
    ),
  logRetentionDays: z
    .union(
      LOG_RETENTION_DAYS.map((d) => z.literal(d)),
      { error: `must be a CloudWatch Logs retention of at least a year: ${LOG_RETENTION_DAYS.join(', ')} (LOG-3)` },
    )
    .default(365)
    .describe('Retention of every log group, in days (LOG-3).'),
  manage: z
    .array(z.enum(MANAGED_SERVICES, { error: `must be one of ${MANAGED_SERVICES.join(', ')}` }))
    .default([])
    .describe(
      'Account-level detection services this environment creates (LOG-5); leave out those enabled already, e.g. by the organization; each at most once per account and region.',
    ),
});

const AccessSchema = z.strictObject({
  adminPrincipals: z
    .array(
      z
        .string()
        .regex(
          IAM_PRINCIPAL_ARN,
          'must be an IAM principal ARN (arn:<partition>:iam::<account>:root|role/...|user/...)',
        ),
    )
    .optional()
    .describe(
      'Who may assume the administrator role, with MFA used within the hour: IAM users (user/...) or accounts (root); default the account itself. See docs/access.md.',
    ),
  auditorPrincipals: z
    .array(
      z
        .string()
        .regex(
          IAM_PRINCIPAL_ARN,
          'must be an IAM principal ARN (arn:<partition>:iam::<account>:root|role/...|user/...)',
        ),
    )
    .optional()
    .describe(
      'Who may assume the read-only auditor role, with MFA used within the hour: IAM users or accounts, as adminPrincipals.',
    ),
  maxSessionHours: z
    .int()
    .min(1, 'must be 1-12 hours')
    .max(12, 'must be 1-12 hours')
    .default(1)
    .describe('Longest session of the administrator and auditor roles, in hours.'),
});

export const EnvironmentSchema = z.strictObject({
  name: z
    .string({ error: 'is required' })
    .regex(/^[a-z][a-z0-9-]{1,15}$/, 'must be 2-16 lower-case letters, digits or "-", starting with a letter')
    .describe('Environment name (unique): the CDK stage, the stack prefix and part of resource names.'),
  account: z
    .string({ error: 'is required' })
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account ID (quoted)')
    .describe('AWS account of the environment (12 digits, quoted); production has its own (IAM-3).'),
  region: regionEnum.describe('Primary region.'),
  drRegion: regionEnum.describe(
    'Disaster-recovery region (different from region): backup copies, replicas, image copies.',
  ),
  production: z
    .boolean({ error: 'must be true or false' })
    .describe(
      'A production environment: termination protection on every stack, compliance-mode locks, any FAIL in the evidence report fails the build, teardown refused.',
    ),
  nameSuffix: z
    .string()
    .regex(/^[a-z0-9]{1,6}$/, 'must be 1-6 lower-case letters or digits, e.g. "r2"')
    .optional()
    .describe(
      'Added to the fixed global names (data, sessions, release and DR replica buckets, DR backup vault) so an environment torn down with `npm run teardown` can be deployed again; default: none (names unchanged). See docs/deploying.md.',
    ),
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be an availability zone name, e.g. eu-west-1a'))
    .min(2, 'needs 2 or 3 availability zones (NET-1, IMM-7)')
    .max(3, 'needs 2 or 3 availability zones (NET-1, IMM-7)')
    .describe('2-3 distinct AZs of region, listed so synth needs no lookup.'),
  vpcCidr: z
    .string()
    .regex(CIDR, 'must be an IPv4 CIDR block such as 10.10.0.0/16')
    .describe('VPC range: /16 to /22, a network address, no overlap with another environment of the same account.'),
  natGateways: z
    .int()
    .min(1, 'must be 1 or more')
    .max(3, 'must be at most 3')
    .optional()
    .describe('NAT gateways for the private subnets, 1 to the number of AZs; default one per AZ.'),
  ingress: IngressSchema.describe("The public entry: hosts, certificate, TLS and the fleet's port."),
  waf: WafSchema.describe('The WAF in front of the ALB (NET-5).'),
  alarmEmails: z
    .array(z.email({ error: 'must be an email address' }))
    .min(1, 'needs at least one address for security and operational alarms (LOG-4)')
    .describe('Who receives security and operational alarms (LOG-4).'),
  database: DatabaseSchema.prefault({}).describe('The RDS for PostgreSQL instance (DATA-1).'),
  image: ImageSchema.prefault({}).describe('The golden-image pipeline (IMM-1, IMM-4, IMM-5).'),
  audit: AuditSchema.prefault({}).describe('The trail, log retention and detection services (LOG-1, LOG-3, LOG-5).'),
  access: AccessSchema.prefault({}).describe('The MFA-guarded administrator and auditor roles (IAM-1).'),
  fleet: FleetSchema.prefault({}).describe('The Auto Scaling fleet behind the ALB (IMM-2, IMM-3, IMM-7).'),
  backup: BackupSchema.prefault({}).describe('AWS Backup rules, copied to the DR region (DATA-3).'),
  dataBucket: DataBucketSchema.prefault({}).describe('The customer data bucket (DATA-2).'),
  tags: z
    .strictObject({
      application: z
        .string({ error: 'tags.application is required (a string)' })
        .regex(
          /^[a-z][a-z0-9-]{1,19}$/,
          'must be 2-20 lower-case letters, digits or "-", starting with a letter (it is part of resource names)',
        )
        .describe('Application name: tag on every resource and the prefix of resource names.'),
      owner: tagValue('tags.owner').describe('Owning team: tag on every resource (DATA-8).'),
      dataClassification: z
        .enum(DATA_CLASSIFICATIONS, {
          error: `must be one of ${DATA_CLASSIFICATIONS.join(', ')}`,
        })
        .describe('Data classification: tag on every resource (DATA-8).'),
    })
    .describe('Tags on every taggable resource (DATA-8).'),
});

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):connection\/[0-9a-f-]{36}$/;

/** The delivery pipeline (SDLC-2): where it runs and where it reads the repository from. */
const PipelineSchema = z.strictObject({
  /** The tooling account the pipeline runs in; every environment account trusts it (`cdk bootstrap --trust`). */
  account: z
    .string({ error: 'is required' })
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account ID (quoted)')
    .describe('The tooling account the pipeline runs in; every environment account trusts it (cdk bootstrap --trust).'),
  region: regionEnum.describe('Region the pipeline runs in.'),
  source: z
    .strictObject({
      connectionArn: z
        .string({ error: 'is required' })
        .regex(
          CONNECTION_ARN,
          'must be a CodeConnections (CodeStar) connection ARN: arn:<partition>:codeconnections:<region>:<account>:connection/<uuid>',
        )
        .describe("CodeConnections (or CodeStar Connections) connection of the pipeline's account and region."),
      repository: z
        .string({ error: 'is required' })
        .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/name" of the repository the connection can read')
        .describe('The repository, "owner/name".'),
      branch: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/, 'must be a git branch name such as main')
        .default('main')
        .describe('The branch every push to which runs the pipeline.'),
    })
    .describe('Where the pipeline reads the repository from.'),
  /** Who is asked to approve a production deployment and told when the pipeline fails. */
  approvalEmails: z
    .array(z.email({ error: 'must be an email address' }))
    .min(1, 'needs at least one address to ask for production approvals')
    .describe('Asked to approve production deployments and told of failed runs.'),
});

export const ConfigSchema = z.strictObject({
  environments: z
    .array(EnvironmentSchema)
    .min(1, 'needs at least one environment')
    .describe('One entry per environment; with a pipeline, deployed in this order (test environments first).'),
  /**
   * The delivery pipeline that deploys the environments in order, with an
   * approval before production (SDLC-2).
   * @default - none: environments are deployed with `cdk deploy`
   */
  pipeline: PipelineSchema.optional().describe(
    'The delivery pipeline that deploys the environments in order, production after a manual approval (SDLC-2); default none.',
  ),
});

/** A validated environment, with defaults applied. */
export type EnvironmentConfig = z.output<typeof EnvironmentSchema>;
/** The delivery pipeline's settings, validated. */
export type PipelineConfig = z.output<typeof PipelineSchema>;
/** A validated configuration file, with defaults applied. */
export type AppConfig = z.output<typeof ConfigSchema>;
/** What a user writes: fields with defaults may be left out. */
export type AppConfigInput = z.input<typeof ConfigSchema>;

export const PATTERNS = { ACM_ARN, CIDR, CONNECTION_ARN } as const;
