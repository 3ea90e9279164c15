import { RegionInfo } from 'aws-cdk-lib/region-info';

/** The partition of a region (`aws`, `aws-cn`, `aws-us-gov`), for ARNs the CLI builds, so no partition is written as a literal. */
export function partitionOf(region: string): string {
  return RegionInfo.get(region).partition ?? 'aws';
}
