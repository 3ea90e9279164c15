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
    .optional(),
  hostedZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{1,31}$/, 'must be a Route 53 hosted zone ID (Z followed by upper-case letters and digits)')
    .optional(),
  hostedZoneName: z.string().regex(HOSTNAME, 'must be a lower-case DNS domain name').optional(),
});

const HostSchema = z.strictObject({
  hostname: z.string().regex(HOSTNAME, 'must be a lower-case fully qualified DNS name, e.g. app.example.com'),
  paths: z
    .array(
      z
        .string()
        .regex(/^\/[A-Za-z0-9_\-.$/~"'@:+*?&]{0,127}$/, 'must be an ALB path pattern starting with "/" (1-128 chars)'),
    )
    .min(1, 'needs at least one path pattern, e.g. "/*"')
    .max(4, 'allows at most 4 path patterns per host (an ALB rule takes 5 condition values, one is the host)')
    .default(['/*']),
});

const IngressSchema = z.strictObject({
  hosts: z
    .array(HostSchema)
    .min(1, 'needs at least one host: the ALB only forwards configured host/path routes (NET-4)')
    .max(50, 'allows at most 50 hosts'),
  certificate: CertificateSchema,
  tlsPolicy: z
    .enum(STRICT_TLS_POLICIES, {
      error: `must be one of the strict TLS 1.2+/forward-secrecy policies (NET-3): ${STRICT_TLS_POLICIES.join(', ')}`,
    })
    .default(DEFAULT_TLS_POLICY),
  httpRedirect: z.boolean({ error: 'must be true or false' }).default(true),
  hstsMaxAgeSeconds: z
    .int({ error: 'must be a whole number of seconds' })
    .min(MIN_HSTS_MAX_AGE_SECONDS, `must be at least ${MIN_HSTS_MAX_AGE_SECONDS} (one year, NET-3)`)
    .max(63_072_000 * 5, 'must be at most 315360000 (ten years)')
    .default(63_072_000),
  appPort: z
    .int({ error: 'must be a whole number' })
    .min(1024, 'must be an unprivileged port, 1024-65535')
    .max(65535, 'must be an unprivileged port, 1024-65535')
    .default(8443),
  healthCheckPath: z
    .string()
    .regex(/^\/[\w\-./]{0,1023}$/, 'must be a URL path starting with "/"')
    .default('/healthz'),
});

const WafSchema = z.strictObject({
  rateLimit: z
    .int({ error: 'must be a whole number of requests' })
    .min(WAF_RATE_LIMIT_MIN, `must be at least ${WAF_RATE_LIMIT_MIN} (AWS WAF's minimum)`)
    .max(WAF_RATE_LIMIT_MAX, `must be at most ${WAF_RATE_LIMIT_MAX} (AWS WAF's maximum)`),
  rateWindowSeconds: z
    .union(
      WAF_RATE_WINDOWS.map((w) => z.literal(w)),
      { error: `must be one of ${WAF_RATE_WINDOWS.join(', ')} seconds` },
    )
    .default(300),
});

const DB_CLASS = new RegExp(`^db\\.(${DB_INSTANCE_FAMILIES.join('|')})\\.(${DB_INSTANCE_SIZES.join('|')})$`);

const DatabaseSchema = z.strictObject({
  engineVersion: z
    .string()
    .regex(
      new RegExp(`^(${POSTGRES_MAJOR_VERSIONS.join('|')})\\.\\d{1,2}$`),
      `must be a PostgreSQL version "<major>.<minor>" with major ${POSTGRES_MAJOR_VERSIONS.join(', ')}, e.g. "16.6"`,
    )
    .default('16.6'),
  instanceClass: z
    .string()
    .regex(
      DB_CLASS,
      `must be db.<family>.<size> with family ${DB_INSTANCE_FAMILIES.join(', ')} and size ${DB_INSTANCE_SIZES.join(', ')}`,
    )
    .default('db.t4g.medium'),
  allocatedStorageGiB: z.int().min(20, 'must be at least 20 GiB').max(65536, 'must be at most 65536 GiB').default(50),
  maxAllocatedStorageGiB: z
    .int()
    .min(20, 'must be at least 20 GiB')
    .max(65536, 'must be at most 65536 GiB')
    .default(200),
  multiAz: z.boolean({ error: 'must be true or false' }).default(true),
  backupRetentionDays: z
    .int()
    .min(7, 'must be at least 7 days of point-in-time recovery (DATA-1)')
    .max(35, 'must be at most 35 days (the RDS maximum)')
    .default(14),
  port: z
    .int()
    .min(1150, 'must be 1150-65535 (RDS PostgreSQL)')
    .max(65535, 'must be 1150-65535 (RDS PostgreSQL)')
    .refine((p) => p !== 5432, 'must not be 5432: the default port is the first one scanned')
    .default(5433),
});

const BackupSchema = z.strictObject({
  twiceDailyRetentionDays: z
    .int()
    .min(7, 'must be at least 7 days')
    .max(365, 'must be at most 365 days (DATA-3 keeps backups up to 1 year)')
    .default(35),
  dailyRetentionDays: z
    .int()
    .min(7, 'must be at least 7 days')
    .max(365, 'must be at most 365 days (DATA-3 keeps backups up to 1 year)')
    .default(365),
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
        .optional(),
      amiId: z
        .string()
        .regex(/^ami-[0-9a-f]{8,17}$/, 'must be an AMI ID like ami-0123456789abcdef0')
        .optional(),
    })
    .refine(
      (b) => (b.ssmParameter === undefined) !== (b.amiId === undefined),
      'give exactly one of "ssmParameter" or "amiId"',
    )
    .prefault({ ssmParameter: DEFAULT_BASE_IMAGE_PARAMETER }),
  buildInstanceTypes: z
    .array(z.string().regex(INSTANCE_TYPE, 'must be an EC2 instance type such as m7g.large'))
    .min(1, 'needs at least one build instance type')
    .default(['m7g.large']),
  buildHourUtc: z.int().min(0, 'must be an hour 0-23 (UTC)').max(23, 'must be an hour 0-23 (UTC)').default(2),
  buildIntervalHours: z
    .union(
      BUILD_INTERVALS.map((h) => z.literal(h)),
      {
        error: `must be one of ${BUILD_INTERVALS.join(', ')} hours: the worst case from a published fix to production (interval + build + rollout) must stay under 24 h (IMM-4)`,
      },
    )
    .default(12),
  keepImages: z
    .int()
    .min(2, 'must keep at least 2 images: the current one and one to roll back to (IMM-5)')
    .max(20, 'must be at most 20')
    .default(3),
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
    .default(60),
});

const FleetSchema = z.strictObject({
  instanceType: z
    .string()
    .regex(INSTANCE_TYPE, 'must be an EC2 instance type such as t4g.medium')
    .default('t4g.medium'),
  minCapacity: z.int().min(2, 'must be at least 2: the fleet spans at least two AZs (IMM-7)').default(2),
  maxCapacity: z.int().min(2, 'must be at least 2').max(100, 'must be at most 100').default(6),
  maxInstanceLifetimeDays: z
    .int({ error: 'must be a whole number of days' })
    .min(1, 'must be 1-7 days (IMM-3: nodes are rebuilt every few days)')
    .max(7, 'must be 1-7 days (IMM-3: nodes are rebuilt every few days)')
    .default(3),
  instanceWarmupSeconds: z
    .int()
    .min(30, 'must be at least 30 seconds')
    .max(3600, 'must be at most 3600 seconds')
    .default(300),
  rootVolumeGiB: z.int().min(8, 'must be at least 8 GiB').max(1024, 'must be at most 1024 GiB').default(20),
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
    .default(15),
});

/** Retention periods CloudWatch Logs accepts that keep logs at least a year (LOG-3). */
export const LOG_RETENTION_DAYS = [365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Account-level services an environment may create, where they are not enabled already (LOG-5). */
export const MANAGED_SERVICES = ['guardduty', 'securityhub', 'config', 'inspector'] as const;

const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;

const AuditSchema = z.strictObject({
  accountTrail: z.boolean({ error: 'must be true or false' }).optional(),
  logRetentionDays: z
    .union(
      LOG_RETENTION_DAYS.map((d) => z.literal(d)),
      { error: `must be a CloudWatch Logs retention of at least a year: ${LOG_RETENTION_DAYS.join(', ')} (LOG-3)` },
    )
    .default(365),
  manage: z.array(z.enum(MANAGED_SERVICES, { error: `must be one of ${MANAGED_SERVICES.join(', ')}` })).default([]),
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
    .optional(),
  auditorPrincipals: z
    .array(
      z
        .string()
        .regex(
          IAM_PRINCIPAL_ARN,
          'must be an IAM principal ARN (arn:<partition>:iam::<account>:root|role/...|user/...)',
        ),
    )
    .optional(),
  maxSessionHours: z.int().min(1, 'must be 1-12 hours').max(12, 'must be 1-12 hours').default(1),
});

export const EnvironmentSchema = z.strictObject({
  name: z
    .string({ error: 'is required' })
    .regex(/^[a-z][a-z0-9-]{1,15}$/, 'must be 2-16 lower-case letters, digits or "-", starting with a letter'),
  account: z.string({ error: 'is required' }).regex(/^\d{12}$/, 'must be a 12-digit AWS account ID (quoted)'),
  region: regionEnum,
  drRegion: regionEnum,
  production: z.boolean({ error: 'must be true or false' }),
  availabilityZones: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must be an availability zone name, e.g. eu-west-1a'))
    .min(2, 'needs 2 or 3 availability zones (NET-1, IMM-7)')
    .max(3, 'needs 2 or 3 availability zones (NET-1, IMM-7)'),
  vpcCidr: z.string().regex(CIDR, 'must be an IPv4 CIDR block such as 10.10.0.0/16'),
  natGateways: z.int().min(1, 'must be 1 or more').max(3, 'must be at most 3').optional(),
  ingress: IngressSchema,
  waf: WafSchema,
  alarmEmails: z
    .array(z.email({ error: 'must be an email address' }))
    .min(1, 'needs at least one address for security and operational alarms (LOG-4)'),
  database: DatabaseSchema.prefault({}),
  image: ImageSchema.prefault({}),
  audit: AuditSchema.prefault({}),
  access: AccessSchema.prefault({}),
  fleet: FleetSchema.prefault({}),
  backup: BackupSchema.prefault({}),
  dataBucket: DataBucketSchema.prefault({}),
  tags: z.strictObject({
    application: z
      .string({ error: 'tags.application is required (a string)' })
      .regex(
        /^[a-z][a-z0-9-]{1,19}$/,
        'must be 2-20 lower-case letters, digits or "-", starting with a letter (it is part of resource names)',
      ),
    owner: tagValue('tags.owner'),
    dataClassification: z.enum(DATA_CLASSIFICATIONS, {
      error: `must be one of ${DATA_CLASSIFICATIONS.join(', ')}`,
    }),
  }),
});

const CONNECTION_ARN =
  /^arn:aws[a-z-]*:(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):connection\/[0-9a-f-]{36}$/;

/** The delivery pipeline (SDLC-2): where it runs and where it reads the repository from. */
const PipelineSchema = z.strictObject({
  /** The tooling account the pipeline runs in; every environment account trusts it (`cdk bootstrap --trust`). */
  account: z.string({ error: 'is required' }).regex(/^\d{12}$/, 'must be a 12-digit AWS account ID (quoted)'),
  region: regionEnum,
  source: z.strictObject({
    connectionArn: z
      .string({ error: 'is required' })
      .regex(
        CONNECTION_ARN,
        'must be a CodeConnections (CodeStar) connection ARN: arn:<partition>:codeconnections:<region>:<account>:connection/<uuid>',
      ),
    repository: z
      .string({ error: 'is required' })
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'must be "owner/name" of the repository the connection can read'),
    branch: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/, 'must be a git branch name such as main')
      .default('main'),
  }),
  /** Who is asked to approve a production deployment and told when the pipeline fails. */
  approvalEmails: z
    .array(z.email({ error: 'must be an email address' }))
    .min(1, 'needs at least one address to ask for production approvals'),
});

export const ConfigSchema = z.strictObject({
  environments: z.array(EnvironmentSchema).min(1, 'needs at least one environment'),
  /**
   * The delivery pipeline that deploys the environments in order, with an
   * approval before production (SDLC-2).
   * @default - none: environments are deployed with `cdk deploy`
   */
  pipeline: PipelineSchema.optional(),
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
