import { z } from 'zod';

/**
 * AWS commercial regions this program knows how to deploy to.
 *
 * Kept as data so that a typo in a region or an availability zone fails validation
 * with the list of allowed values instead of failing at deploy time.
 */
export const AWS_REGIONS = [
  'af-south-1',
  'ap-east-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-south-1',
  'ap-south-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-north-1',
  'eu-south-1',
  'eu-south-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'il-central-1',
  'me-central-1',
  'me-south-1',
  'sa-east-1',
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
] as const;

export type AwsRegion = (typeof AWS_REGIONS)[number];

/** A region field: one of {@link AWS_REGIONS}, with the list in the error. */
export const regionEnum = z.enum(AWS_REGIONS, {
  error: `must be one of the AWS regions: ${AWS_REGIONS.join(', ')}`,
});
