import { type LaunchTemplateTagSpecificationRequest, type LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import type { EnvironmentConfig } from '../config/schema';
import {
  formatRelease,
  NO_RELEASE,
  parseReleaseRecord,
  RELEASE_TAG,
  type Release,
  releaseBucketParameterName,
  releaseObjectKey,
  releaseOfUserData,
  releaseParameterName,
  withRelease,
} from '../release/contract';
import type { OpsClients } from './clients';
import { OperationError } from './errors';
import { currentVersion, type Fleet, openFleet } from './launch-template';
import { planCheck, type RefreshIo, type RefreshOptions, refuseIfActive } from './refresh';

/**
 * IMM-9: the release state of an environment as the release commands (and
 * `verify`) read it: the SSM release record, the release bucket and its
 * objects, and the boot script of the launch template version the fleet
 * launches.
 */

/**
 * The environment's recorded release (the SSM record `<version> <sha256>`).
 * Undefined when the parameter does not exist; an {@link OperationError}
 * when it holds something that is not a release record.
 */
export async function recordedRelease(clients: OpsClients, env: EnvironmentConfig): Promise<Release | undefined> {
  const name = releaseParameterName(env.tags.application, env.name);
  const value = await getParameter(clients, name);
  if (value === undefined) return undefined;
  const release = parseReleaseRecord(value);
  if (!release) {
    throw new OperationError(
      `SSM parameter ${name} holds "${value}", which is not a release record; allowed: "<version> <sha256>" or "${formatRelease(NO_RELEASE)}"`,
    );
  }
  return release;
}

/** The release a launch template version names in its user data (base64 in the API); undefined if it names none. */
export function releaseOfLaunchTemplateVersion(version: LaunchTemplateVersion | undefined): Release | undefined {
  const userData = version?.LaunchTemplateData?.UserData;
  return userData ? releaseOfUserData(Buffer.from(userData, 'base64').toString('utf8')) : undefined;
}

async function getParameter(clients: OpsClients, name: string): Promise<string | undefined> {
  try {
    const out = await clients.ssm.send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value;
  } catch (e) {
    if ((e as { name?: string }).name === 'ParameterNotFound') return undefined;
    throw e;
  }
}

/** The release bucket of the environment, from the SSM parameter the App stack publishes. */
export async function releaseBucket(clients: OpsClients, env: EnvironmentConfig): Promise<string> {
  const name = releaseBucketParameterName(env.tags.application, env.name);
  const bucket = await getParameter(clients, name);
  if (!bucket) {
    throw new OperationError(
      `SSM parameter ${name} (the release bucket of environment "${env.name}") does not exist in ${env.region}; deploy the App stack of this version of the CDK program first`,
    );
  }
  return bucket;
}

/** The SSM record before a change; a missing record means the App stack is older than releases. */
export async function requireRecord(clients: OpsClients, env: EnvironmentConfig): Promise<Release> {
  const recorded = await recordedRelease(clients, env);
  if (!recorded) {
    throw new OperationError(
      `SSM parameter ${releaseParameterName(env.tags.application, env.name)} (the release record) does not exist in ${env.region}; deploy the App stack of this version of the CDK program first`,
    );
  }
  return recorded;
}

export interface StoredRelease {
  /** The checksum the release CLI stored as object metadata. */
  readonly sha256?: string;
  /** S3's own SHA-256 of the object (base64), when S3 reports it. */
  readonly s3ChecksumSha256?: string;
  readonly bytes?: number;
}

/** The object of a release version in the bucket; undefined when there is none. */
export async function storedRelease(
  clients: OpsClients,
  bucket: string,
  version: string,
): Promise<StoredRelease | undefined> {
  try {
    const head = await clients.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: releaseObjectKey(version), ChecksumMode: 'ENABLED' }),
    );
    return { sha256: head.Metadata?.sha256, s3ChecksumSha256: head.ChecksumSHA256, bytes: head.ContentLength };
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) return undefined;
    throw e;
  }
}

export const base64OfHex = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** Whether an object holds exactly `sha256` (metadata and, when reported, S3's own checksum). */
export function holds(stored: StoredRelease, sha256: string): boolean {
  return (
    stored.sha256 === sha256 &&
    (stored.s3ChecksumSha256 === undefined || stored.s3ChecksumSha256 === base64OfHex(sha256))
  );
}

// The fleet's launch template.

export interface FleetState extends Fleet {
  readonly current: LaunchTemplateVersion;
  /** The decoded boot script of the current version. */
  readonly userData: string;
}

/**
 * The fleet and the boot script of the version it launches, before a release
 * changes it: a dry run says whether a refresh is running, a real run is
 * refused while one is.
 */
export async function fleetState(
  clients: OpsClients,
  env: EnvironmentConfig,
  options: RefreshOptions,
  io: RefreshIo,
): Promise<FleetState> {
  const { group, name, lt } = await openFleet(clients.autoscaling, env);
  if (options.dryRun) await planCheck(clients.autoscaling, name, io);
  else await refuseIfActive(clients.autoscaling, name);
  const current = await currentVersion(clients.ec2, lt);
  const encoded = current?.LaunchTemplateData?.UserData;
  if (!current || !encoded) {
    throw new OperationError(
      `launch template ${lt.launchTemplateId} version ${lt.version} (used by ${name}) was not found or has no user data; deploy the App stack of this version of the CDK program first`,
    );
  }
  return { group, name, lt, current, userData: Buffer.from(encoded, 'base64').toString('utf8') };
}

/** The tag specifications of the current version with `saas:release` set on the instance. */
export function releaseTagSpecifications(
  current: LaunchTemplateVersion,
  release: Release,
): LaunchTemplateTagSpecificationRequest[] {
  const specs = (current.LaunchTemplateData?.TagSpecifications ?? []).map((s) => ({
    ResourceType: s.ResourceType,
    Tags: (s.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value })),
  }));
  const tag = { Key: RELEASE_TAG, Value: release.version };
  const instance = specs.find((s) => s.ResourceType === 'instance');
  if (instance) instance.Tags = [...instance.Tags.filter((t) => t.Key !== RELEASE_TAG), tag];
  else specs.push({ ResourceType: 'instance', Tags: [tag] });
  return specs;
}

/** The new version's data: the same boot script with another release block, the same tags plus `saas:release`. */
export function releaseVersionData(state: FleetState, release: Release) {
  return {
    UserData: Buffer.from(withRelease(state.userData, release), 'utf8').toString('base64'),
    TagSpecifications: releaseTagSpecifications(state.current, release),
  };
}
