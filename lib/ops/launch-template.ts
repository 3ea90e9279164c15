import type { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  type EC2Client,
  type LaunchTemplateVersion,
  paginateDescribeLaunchTemplateVersions,
  type RequestLaunchTemplateData,
} from '@aws-sdk/client-ec2';
import type { EnvironmentConfig } from '../config/schema';
import { OperationError } from './errors';
import { findFleet, type LaunchTemplateRef, launchTemplateOf } from './fleet';

/**
 * The fleet's launch template versions, as rotate, rollback, release and
 * rollback --to-release read and write them.
 */

/**
 * Launch template versions are read in windows of this many version numbers,
 * newest first: the nearest earlier image is usually a few versions back, and
 * some emulators (moto) silently cap a page at 15 versions without a NextToken.
 */
export const VERSION_WINDOW = 10;

/** The fleet's one Auto Scaling group, its name and the launch template version it launches. */
export interface Fleet {
  readonly group: AutoScalingGroup;
  readonly name: string;
  readonly lt: LaunchTemplateRef;
}

export async function openFleet(autoscaling: AutoScalingClient, env: EnvironmentConfig): Promise<Fleet> {
  const group = await findFleet(autoscaling, env);
  return { group, name: group.AutoScalingGroupName!, lt: launchTemplateOf(group) };
}

export async function describeVersions(
  ec2: EC2Client,
  input: { LaunchTemplateId: string; Versions?: string[]; MinVersion?: string; MaxVersion?: string },
): Promise<LaunchTemplateVersion[]> {
  const versions: LaunchTemplateVersion[] = [];
  for await (const page of paginateDescribeLaunchTemplateVersions({ client: ec2 }, input)) {
    versions.push(...(page.LaunchTemplateVersions ?? []));
  }
  return versions;
}

/** The version the fleet launches; undefined when the template has no such version. */
export async function currentVersion(
  ec2: EC2Client,
  lt: LaunchTemplateRef,
): Promise<LaunchTemplateVersion | undefined> {
  const [current] = await describeVersions(ec2, { LaunchTemplateId: lt.launchTemplateId, Versions: [lt.version] });
  return current;
}

/**
 * Reads the versions before `before` window by window ({@link VERSION_WINDOW}),
 * newest first, until `visit` returns something for a window.
 */
export async function searchVersionsBefore<T>(
  ec2: EC2Client,
  launchTemplateId: string,
  before: number,
  visit: (newestFirst: readonly LaunchTemplateVersion[]) => T | undefined,
): Promise<T | undefined> {
  for (let max = before - 1; max >= 1; max -= VERSION_WINDOW) {
    const min = Math.max(1, max - VERSION_WINDOW + 1);
    const window = await describeVersions(ec2, {
      LaunchTemplateId: launchTemplateId,
      MinVersion: String(min),
      MaxVersion: String(max),
    });
    const found = visit(window.sort((a, b) => (b.VersionNumber ?? 0) - (a.VersionNumber ?? 0)));
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Creates a version from the one the fleet launches, with `data` changed; returns the new version. */
export async function createVersion(
  ec2: EC2Client,
  lt: LaunchTemplateRef,
  description: string,
  data: RequestLaunchTemplateData,
): Promise<LaunchTemplateRef> {
  const created = await ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: lt.launchTemplateId,
      SourceVersion: lt.version,
      VersionDescription: description,
      LaunchTemplateData: data,
    }),
  );
  const number = created.LaunchTemplateVersion?.VersionNumber;
  if (number === undefined) {
    throw new OperationError(`CreateLaunchTemplateVersion on ${lt.launchTemplateId} returned no version number`);
  }
  return { launchTemplateId: lt.launchTemplateId, version: String(number) };
}

/**
 * What a version's description says it moved away from (the first group of
 * `note`): rollbacks name the image, release rollbacks the release, so a
 * second rollback never returns to it.
 */
export const replacedBy = (note: RegExp, description: string | undefined): string | undefined =>
  note.exec(description ?? '')?.[1];
