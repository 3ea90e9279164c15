import { z } from 'zod';

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

const DB_CLASS = new RegExp(`^db\\.(${DB_INSTANCE_FAMILIES.join('|')})\\.(${DB_INSTANCE_SIZES.join('|')})$`);

export const DatabaseSchema = z.strictObject({
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

export const BackupSchema = z.strictObject({
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

/** Bounds of the data bucket's signature-age limit (DATA-2): presigned URLs are short-lived. */
export const SIGNATURE_AGE_MINUTES = { min: 1, max: 60 } as const;

export const DataBucketSchema = z.strictObject({
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
