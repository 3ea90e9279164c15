import { z } from 'zod';
import { AccessSchema, AuditSchema } from './schema-audit';
import { FleetSchema, ImageSchema } from './schema-compute';
import { BackupSchema, DatabaseSchema, DataBucketSchema } from './schema-data';
import { INGRESS_PATTERNS, IngressSchema, WafSchema } from './schema-ingress';
import { regionEnum } from './regions';
import { PIPELINE_PATTERNS, PipelineSchema } from './schema-pipeline';

/*
 * The configuration schema: one file per section (ingress, data, compute,
 * audit, pipeline), composed here into an environment and a configuration
 * file. Everything the sections export is exported from here too.
 */
export * from './schema-audit';
export * from './schema-compute';
export * from './schema-data';
export * from './schema-ingress';
export * from './schema-pipeline';

export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

const tagValue = (what: string) =>
  z
    .string({ error: `${what} is required (a string)` })
    .regex(TAG_VALUE, `${what} must be 1-256 letters, digits, spaces or _.:/=+-@`);

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
/** The database settings, validated. */
export type DatabaseConfig = EnvironmentConfig['database'];
/** The backup rules, validated. */
export type BackupConfig = EnvironmentConfig['backup'];
/** The golden-image pipeline's settings, validated. */
export type ImageConfig = EnvironmentConfig['image'];
/** The fleet's settings, validated. */
export type FleetConfig = EnvironmentConfig['fleet'];
/** The audit settings, validated. */
export type AuditConfig = EnvironmentConfig['audit'];
/** The access roles' settings, validated. */
export type AccessConfig = EnvironmentConfig['access'];
/** The delivery pipeline's settings, validated. */
export type PipelineConfig = z.output<typeof PipelineSchema>;
/** A validated configuration file, with defaults applied. */
export type AppConfig = z.output<typeof ConfigSchema>;
/** What a user writes: fields with defaults may be left out. */
export type AppConfigInput = z.input<typeof ConfigSchema>;

export const PATTERNS = { ...INGRESS_PATTERNS, CIDR, ...PIPELINE_PATTERNS } as const;
