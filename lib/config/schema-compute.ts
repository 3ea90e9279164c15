import { z } from 'zod';

/** Default base image: Amazon Linux 2023 for Graviton, read from AWS's public parameter at build time, never at synth. */
export const DEFAULT_BASE_IMAGE_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';
const INSTANCE_TYPE = /^[a-z][a-z0-9]*\.(nano|micro|small|medium|large|[1-9][0-9]?xlarge|metal)$/;

/** Build intervals that keep the worst-case fix-to-production time under 24 h (see README, "Time to production"). */
export const BUILD_INTERVALS = [4, 6, 8, 12] as const;

/** Image Builder's bounds for the image test timeout. */
export const IMAGE_TEST_TIMEOUT_MINUTES = { min: 60, max: 1440 } as const;

export const ImageSchema = z.strictObject({
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

export const FleetSchema = z.strictObject({
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
