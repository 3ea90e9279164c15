import { createReadStream } from 'node:fs';
import {
  type AutoScalingClient,
  type AutoScalingGroup,
  type InstanceRefresh,
  paginateDescribeInstanceRefreshes,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  type LaunchTemplateTagSpecificationRequest,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
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
import { fleetHealthAlarms } from './alarms';
import { type Artifact, type ArtifactLimits, checkVersion, inspectArtifact } from './artifact';
import type { OpsClients } from './clients';
import {
  AwsAccessError,
  describeAwsError,
  EXIT,
  type ExitCode,
  isOpsError,
  OperationError,
  UsageError,
} from './errors';
import { findFleet, type LaunchTemplateRef, launchTemplateOf } from './fleet';
import {
  assertSucceeded,
  DEFAULT_POLL_SECONDS,
  describeVersions,
  FINAL_REFRESH_STATUSES,
  followRefresh,
  planCheck,
  type RefreshIo,
  type RefreshOptions,
  refuseIfActive,
  startedLine,
  startRefresh,
  VERSION_WINDOW,
} from './refresh';

/**
 * IMM-9: ship an application release onto the fleet the immutable way, and
 * return to an earlier one. A release never changes a running node: it is a
 * new launch template version (the same boot script with another release
 * block, the same image) and an alarm-gated instance refresh that replaces
 * every node and rolls itself back when the new ones fail.
 *
 * Order of a release, so that nothing is half-changed: every check first
 * (artifact, version, fleet, running refresh, alarms, bucket, existing
 * object, boot script), then upload, launch template version, SSM record,
 * refresh. A refresh that does not succeed puts the SSM record back.
 */

/** What `release` and `rollback --to-release` did, for `--json` and the tests. */
export interface ReleaseResult {
  readonly control: 'IMM-9';
  readonly command: 'release' | 'rollback';
  readonly environment: string;
  readonly dryRun: boolean;
  readonly group: string;
  readonly release: Release;
  /** What the SSM record said before. */
  readonly previous: Release;
  readonly bucket: string;
  readonly objectKey: string;
  /** release: whether the tarball was uploaded now (false: the same checksum was already there). */
  readonly uploaded?: boolean;
  readonly launchTemplate?: { readonly id: string; readonly version: string; readonly sourceVersion: string };
  /** `status` is the state the refresh ended in; absent with `--no-wait`. */
  readonly refresh?: { readonly id: string; readonly status?: string };
  /** The SSM record was put back to {@link previous} because the refresh did not succeed. */
  readonly recordRestored?: boolean;
  readonly exitCode: ExitCode;
  readonly message: string;
}

export interface ReleaseOptions extends RefreshOptions, ArtifactLimits {
  readonly artifact: string;
  readonly version: string;
  readonly checksumFile?: string;
}

/** Launch template versions the release rollback creates say which release they moved away from. */
const RELEASE_ROLLBACK_NOTE = /^ops release rollback: .*\breplaces release (\S+)/;

// ---------------------------------------------------------------------------
// Reading the release state (also for `verify`, issue 16).

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
async function requireRecord(clients: OpsClients, env: EnvironmentConfig): Promise<Release> {
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

const base64OfHex = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/** Whether an object holds exactly `sha256` (metadata and, when reported, S3's own checksum). */
function holds(stored: StoredRelease, sha256: string): boolean {
  return (
    stored.sha256 === sha256 &&
    (stored.s3ChecksumSha256 === undefined || stored.s3ChecksumSha256 === base64OfHex(sha256))
  );
}

// ---------------------------------------------------------------------------
// The fleet's launch template.

interface FleetState {
  readonly group: AutoScalingGroup;
  readonly name: string;
  readonly lt: LaunchTemplateRef;
  readonly current: LaunchTemplateVersion;
  /** The decoded boot script of the current version. */
  readonly userData: string;
}

async function fleetState(clients: OpsClients, env: EnvironmentConfig): Promise<FleetState> {
  const group = await findFleet(clients.autoscaling, env);
  const name = group.AutoScalingGroupName!;
  const lt = launchTemplateOf(group);
  const [current] = await describeVersions(clients.ec2, {
    LaunchTemplateId: lt.launchTemplateId,
    Versions: [lt.version],
  });
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
function releaseVersionData(state: FleetState, release: Release) {
  return {
    UserData: Buffer.from(withRelease(state.userData, release), 'utf8').toString('base64'),
    TagSpecifications: releaseTagSpecifications(state.current, release),
  };
}

// ---------------------------------------------------------------------------
// Shipping: launch template version, record, alarm-gated refresh.

interface Shipment {
  readonly env: EnvironmentConfig;
  readonly state: FleetState;
  readonly release: Release;
  readonly previous: Release;
  readonly alarms: readonly string[];
  readonly description: string;
}

type ShipResult = Pick<ReleaseResult, 'launchTemplate' | 'refresh' | 'recordRestored' | 'exitCode' | 'message'>;

async function putRecord(clients: OpsClients, env: EnvironmentConfig, release: Release): Promise<void> {
  await clients.ssm.send(
    new PutParameterCommand({
      Name: releaseParameterName(env.tags.application, env.name),
      Value: formatRelease(release),
      Type: 'String',
      Overwrite: true,
    }),
  );
}

/** An AWS failure after something was changed, with what was changed and what was not. */
function afterChange(e: unknown, state: string): Error {
  if (isOpsError(e)) return e instanceof OperationError ? new OperationError(`${e.message}; ${state}`) : e;
  const { kind, message } = describeAwsError(e, 'AWS');
  return new AwsAccessError(`${message}; ${state}`, kind);
}

async function ship(clients: OpsClients, s: Shipment, options: RefreshOptions, io: RefreshIo): Promise<ShipResult> {
  const { env, state, release, previous } = s;
  const created = await clients.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: state.lt.launchTemplateId,
      SourceVersion: state.lt.version,
      VersionDescription: s.description,
      LaunchTemplateData: releaseVersionData(state, release),
    }),
  );
  const number = created.LaunchTemplateVersion?.VersionNumber;
  if (number === undefined) {
    throw new OperationError(`CreateLaunchTemplateVersion on ${state.lt.launchTemplateId} returned no version number`);
  }
  const next: LaunchTemplateRef = { launchTemplateId: state.lt.launchTemplateId, version: String(number) };
  const launchTemplate = { id: next.launchTemplateId, version: next.version, sourceVersion: state.lt.version };
  io.log(
    `created launch template ${next.launchTemplateId} version ${next.version} from version ${state.lt.version}: release ${release.version} (tag ${RELEASE_TAG}=${release.version}), same image`,
  );
  const unused = `launch template version ${next.version} exists but nothing uses it; ${state.name} is unchanged`;
  try {
    await putRecord(clients, env, release);
  } catch (e) {
    throw afterChange(e, `${unused}, and the release record still says ${formatRelease(previous)}`);
  }
  const record = releaseParameterName(env.tags.application, env.name);
  io.log(`recorded ${formatRelease(release)} in ${record}`);

  const restore = async (): Promise<string> => {
    try {
      await putRecord(clients, env, previous);
      return `the release record ${record} is back to ${formatRelease(previous)}`;
    } catch (e) {
      return `the release record ${record} could NOT be put back to ${formatRelease(previous)} (${describeAwsError(e, 'AWS').message}); set it by hand: aws ssm put-parameter --overwrite --name ${record} --value '${formatRelease(previous)}'`;
    }
  };

  let id: string;
  try {
    id = await startRefresh(clients.autoscaling, state.name, next, env.fleet.instanceWarmupSeconds, s.alarms);
  } catch (e) {
    throw afterChange(e, `no refresh started; ${unused}; ${await restore()}`);
  }
  io.log(startedLine(id, state.name, next, s.alarms));
  if (options.wait === false) {
    io.log(
      `not waiting (--no-wait); follow it with: aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${state.name} --instance-refresh-ids ${id}. ` +
        `If it does not succeed, the record still names ${release.version}: run rollback --to-release ${previous.version}`,
    );
    return {
      launchTemplate,
      refresh: { id },
      exitCode: EXIT.ok,
      message: `release ${release.version} is rolling out (refresh ${id})`,
    };
  }
  let end: InstanceRefresh;
  try {
    end = await followRefresh(clients.autoscaling, state.name, id, options.pollSeconds ?? DEFAULT_POLL_SECONDS, io);
  } catch (e) {
    // The refresh goes on in AWS; its outcome is unknown, so the record stays.
    throw afterChange(
      e,
      `instance refresh ${id} may still be running; the release record names ${release.version}. If the refresh does not succeed, run rollback --to-release ${previous.version}`,
    );
  }
  try {
    assertSucceeded(state.name, end);
  } catch (e) {
    // The group keeps its old launch template version when a refresh with a desired configuration does not succeed.
    const restored = await restore();
    // The CLI prints the message on stderr (or in the JSON result).
    const message = `${(e as Error).message}; ${state.name} stays on launch template version ${state.lt.version} (release ${previous.version}); ${restored}`;
    return {
      launchTemplate,
      refresh: { id, status: end.Status },
      recordRestored: !restored.includes('NOT'),
      exitCode: EXIT.failed,
      message,
    };
  }
  const message = `instance refresh ${id} succeeded: every node of ${state.name} runs release ${release.version} (launch template version ${next.version})`;
  io.log(message);
  return { launchTemplate, refresh: { id, status: end.Status }, exitCode: EXIT.ok, message };
}

// ---------------------------------------------------------------------------
// release

/**
 * `release --env E --artifact FILE --version V`: checks everything, uploads
 * the tarball (unless the same checksum is already there), and ships it.
 */
export async function release(
  clients: OpsClients,
  env: EnvironmentConfig,
  options: ReleaseOptions,
  io: RefreshIo,
): Promise<ReleaseResult> {
  const version = checkVersion(options.version);
  const artifact = await inspectArtifact(options.artifact, options.checksumFile, options);
  io.log(
    `artifact ${artifact.path}: ${artifact.bytes} bytes, gzip tarball, SHA-256 ${artifact.sha256}` +
      (artifact.checksumFile ? ` (matches ${artifact.checksumFile})` : ''),
  );
  const target: Release = { version, sha256: artifact.sha256 };

  const state = await fleetState(clients, env);
  if (options.dryRun) await planCheck(clients.autoscaling, state.name, io);
  else await refuseIfActive(clients.autoscaling, state.name);
  const alarms = await fleetHealthAlarms(clients, env);
  const bucket = await releaseBucket(clients, env);
  const previous = await requireRecord(clients, env);
  const key = releaseObjectKey(version);
  const stored = await storedRelease(clients, bucket, version);
  if (stored && !holds(stored, artifact.sha256)) {
    throw new OperationError(
      `release ${version} already exists in s3://${bucket}/${key} with SHA-256 ${stored.sha256 ?? '(none recorded)'}, not ${artifact.sha256}; ` +
        `a version is immutable: give this artifact a new --version, or ship the existing one with rollback --to-release ${version}`,
    );
  }
  try {
    releaseVersionData(state, target);
  } catch (e) {
    throw new OperationError(
      `launch template ${state.lt.launchTemplateId} version ${state.lt.version}: ${(e as Error).message}`,
    );
  }
  const base = {
    control: 'IMM-9',
    command: 'release',
    environment: env.name,
    group: state.name,
    release: target,
    previous,
    bucket,
    objectKey: key,
  } as const;

  const upload = stored
    ? `reuse s3://${bucket}/${key} (same SHA-256, not uploaded again)`
    : `upload to s3://${bucket}/${key}`;
  if (options.dryRun) {
    const message =
      `dry run: would ${upload}, create a version of launch template ${state.lt.launchTemplateId} from version ${state.lt.version} naming release ${version}, ` +
      `record "${formatRelease(target)}" (was "${formatRelease(previous)}") and start an instance refresh of ${state.name} that rolls back on alarm ${alarms.join(', ')}`;
    io.log(message);
    return { ...base, dryRun: true, uploaded: false, exitCode: EXIT.ok, message };
  }

  if (stored)
    io.log(`release ${version} is already in s3://${bucket}/${key} with the same SHA-256; not uploaded again`);
  else await uploadArtifact(clients, bucket, key, artifact, version, io);

  const shipped = await ship(
    clients,
    {
      env,
      state,
      release: target,
      previous,
      alarms,
      description: `ops release: release ${version} (sha256 ${artifact.sha256.slice(0, 12)}) on version ${state.lt.version}`,
    },
    options,
    io,
  );
  return { ...base, dryRun: false, uploaded: !stored, ...shipped };
}

const CORRUPT_UPLOAD_ERRORS = new Set(['BadDigest', 'InvalidDigest', 'XAmzContentSHA256Mismatch', 'InvalidRequest']);

async function uploadArtifact(
  clients: OpsClients,
  bucket: string,
  key: string,
  artifact: Artifact,
  version: string,
  io: RefreshIo,
): Promise<void> {
  try {
    await clients.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: createReadStream(artifact.path),
        ContentLength: artifact.bytes,
        ContentType: 'application/gzip',
        // S3 computes the SHA-256 of what it received and rejects the upload when it differs.
        ChecksumSHA256: base64OfHex(artifact.sha256),
        Metadata: { sha256: artifact.sha256, version },
      }),
    );
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    if (CORRUPT_UPLOAD_ERRORS.has(name)) {
      throw new OperationError(
        `S3 rejected the upload of ${artifact.path} to s3://${bucket}/${key} (${name}: ${(e as Error).message}): the bytes it received do not have SHA-256 ${artifact.sha256}; ` +
          `nothing was stored or recorded; run again`,
      );
    }
    throw e;
  }
  const stored = await storedRelease(clients, bucket, version);
  if (!stored || !holds(stored, artifact.sha256) || (stored.bytes !== undefined && stored.bytes !== artifact.bytes)) {
    throw new OperationError(
      `the object s3://${bucket}/${key} does not hold what was uploaded (SHA-256 ${stored?.sha256 ?? 'missing'}, ${stored?.bytes ?? '?'} bytes; expected ${artifact.sha256}, ${artifact.bytes} bytes); nothing was recorded`,
    );
  }
  io.log(`uploaded ${artifact.bytes} bytes to s3://${bucket}/${key} (S3 checked the SHA-256)`);
}

// ---------------------------------------------------------------------------
// rollback --to-release

/** A release named by a launch template version, newest version first. */
export interface ReleaseInHistory {
  readonly release: Release;
  readonly launchTemplateVersion: number;
}

function replacedRelease(description: string | undefined): string | undefined {
  return RELEASE_ROLLBACK_NOTE.exec(description ?? '')?.[1];
}

/**
 * The releases in the versions before the current one, newest first, read
 * window by window. `stop` ends the walk early (when the caller has found
 * what it looks for).
 */
async function walkReleases(
  clients: OpsClients,
  state: FleetState,
  stop: (v: LaunchTemplateVersion, r: Release | undefined) => boolean,
): Promise<void> {
  for (let max = (state.current.VersionNumber ?? Number(state.lt.version)) - 1; max >= 1; max -= VERSION_WINDOW) {
    const min = Math.max(1, max - VERSION_WINDOW + 1);
    const window = await describeVersions(clients.ec2, {
      LaunchTemplateId: state.lt.launchTemplateId,
      MinVersion: String(min),
      MaxVersion: String(max),
    });
    for (const v of window.sort((a, b) => (b.VersionNumber ?? 0) - (a.VersionNumber ?? 0))) {
      if (stop(v, releaseOfLaunchTemplateVersion(v))) return;
    }
  }
}

/**
 * Launch template versions the group's refresh history shows only as the
 * desired configuration of refreshes that did not succeed (rolled back,
 * failed, cancelled): their release never became the fleet's, so `previous`
 * skips them. Versions without a known refresh count as good (the history
 * Auto Scaling keeps is limited).
 */
export async function failedVersions(autoscaling: AutoScalingClient, groupName: string): Promise<Set<number>> {
  const ok = new Set<string>();
  const failed = new Set<string>();
  const input = { AutoScalingGroupName: groupName };
  for await (const page of paginateDescribeInstanceRefreshes({ client: autoscaling }, input)) {
    for (const r of page.InstanceRefreshes ?? []) {
      const version = r.DesiredConfiguration?.LaunchTemplate?.Version;
      if (!version) continue;
      if (r.Status === 'Successful') ok.add(version);
      else if (FINAL_REFRESH_STATUSES.includes(r.Status ?? '')) failed.add(version);
    }
  }
  return new Set([...failed].filter((v) => !ok.has(v)).map(Number));
}

/**
 * The release to return to: `previous` is the newest earlier release other
 * than the current one, any release a release rollback moved away from, and
 * any version whose refresh did not succeed ({@link failedVersions}); a
 * version is the newest launch template version naming it. Unknown
 * versions are an error listing the releases there are.
 */
async function findTarget(
  clients: OpsClients,
  state: FleetState,
  current: Release | undefined,
  to: string,
): Promise<ReleaseInHistory> {
  const failed = to === 'previous' ? await failedVersions(clients.autoscaling, state.name) : new Set<number>();
  const seen: ReleaseInHistory[] = [];
  if (current && current.version !== NO_RELEASE.version) {
    seen.push({ release: current, launchTemplateVersion: Number(state.lt.version) });
  }
  let found: ReleaseInHistory | undefined;
  const rejected = new Set<string>(current ? [current.version] : []);
  const replaced = replacedRelease(state.current.VersionDescription);
  if (replaced) rejected.add(replaced);
  await walkReleases(clients, state, (v, r) => {
    const usable = r !== undefined && r.version !== NO_RELEASE.version;
    if (usable && !seen.some((s) => s.release.version === r.version)) {
      seen.push({ release: r, launchTemplateVersion: v.VersionNumber ?? 0 });
    }
    if (to === 'previous') {
      if (usable && !rejected.has(r.version) && !failed.has(v.VersionNumber ?? 0)) {
        found = { release: r, launchTemplateVersion: v.VersionNumber ?? 0 };
        return true;
      }
      const note = replacedRelease(v.VersionDescription);
      if (note) rejected.add(note);
      return false;
    }
    if (usable && r.version === to) {
      found = { release: r, launchTemplateVersion: v.VersionNumber ?? 0 };
      return true;
    }
    return false;
  });
  if (found) return found;
  const list = seen.map((s) => `${s.release.version} (launch template version ${s.launchTemplateVersion})`).join(', ');
  if (to === 'previous') {
    throw new OperationError(
      `no launch template version of ${state.lt.launchTemplateId} before ${state.lt.version} names a release other than ${current?.version ?? 'the current one'}; there is nothing to roll back to` +
        (list ? ` (releases: ${list})` : ''),
    );
  }
  if (current?.version === to) {
    throw new OperationError(
      `${state.name} already runs release ${to} (launch template version ${state.lt.version}); nothing to do`,
    );
  }
  throw new OperationError(
    `unknown release "${to}": no launch template version of ${state.lt.launchTemplateId} names it; allowed: ${list || 'none (no release was ever shipped)'} or previous`,
  );
}

/**
 * `rollback --env E --to-release V|previous`: ships an earlier release the
 * same way as `release`, on the CURRENT launch template version (its image
 * and settings stay; only the release block and tag change).
 */
export async function rollbackToRelease(
  clients: OpsClients,
  env: EnvironmentConfig,
  options: RefreshOptions & { readonly to: string },
  io: RefreshIo,
): Promise<ReleaseResult> {
  if (options.to !== 'previous') {
    if (options.to === NO_RELEASE.version) {
      throw new UsageError(
        `--to-release ${NO_RELEASE.version} is not a release (it is the image's placeholder); allowed: a release version or previous`,
      );
    }
    checkVersion(options.to);
  }
  const state = await fleetState(clients, env);
  if (options.dryRun) await planCheck(clients.autoscaling, state.name, io);
  else await refuseIfActive(clients.autoscaling, state.name);
  const current = releaseOfUserData(state.userData);
  if (!current) {
    throw new OperationError(
      `launch template ${state.lt.launchTemplateId} version ${state.lt.version} has no release block in its user data; deploy the App stack of this version of the CDK program first`,
    );
  }
  const { release: target, launchTemplateVersion } = await findTarget(clients, state, current, options.to);
  if (target.version === current.version) {
    throw new OperationError(
      `${state.name} already runs release ${target.version} (launch template version ${state.lt.version}); nothing to do`,
    );
  }
  const alarms = await fleetHealthAlarms(clients, env);
  const bucket = await releaseBucket(clients, env);
  const previous = await requireRecord(clients, env);
  const key = releaseObjectKey(target.version);
  const stored = await storedRelease(clients, bucket, target.version);
  if (!stored) {
    throw new OperationError(
      `release ${target.version} (launch template version ${launchTemplateVersion}) is not in s3://${bucket}/${key} any more; nodes could not boot it. Ship it again with release --version ${target.version}`,
    );
  }
  if (!holds(stored, target.sha256)) {
    throw new OperationError(
      `s3://${bucket}/${key} has SHA-256 ${stored.sha256 ?? '(none recorded)'}, but launch template version ${launchTemplateVersion} recorded ${target.sha256} for release ${target.version}; nodes would refuse to start it`,
    );
  }
  io.log(
    `release ${target.version} (SHA-256 ${target.sha256}, from launch template version ${launchTemplateVersion}) is in s3://${bucket}/${key}; it replaces release ${current.version}`,
  );
  const base = {
    control: 'IMM-9',
    command: 'rollback',
    environment: env.name,
    group: state.name,
    release: target,
    previous,
    bucket,
    objectKey: key,
  } as const;
  if (options.dryRun) {
    const message =
      `dry run: would create a version of launch template ${state.lt.launchTemplateId} from version ${state.lt.version} (same image) naming release ${target.version} instead of ${current.version}, ` +
      `record "${formatRelease(target)}" (was "${formatRelease(previous)}") and start an instance refresh of ${state.name} that rolls back on alarm ${alarms.join(', ')}`;
    io.log(message);
    return { ...base, dryRun: true, exitCode: EXIT.ok, message };
  }
  const shipped = await ship(
    clients,
    {
      env,
      state,
      release: target,
      previous,
      alarms,
      description: `ops release rollback: release ${target.version} (of version ${launchTemplateVersion}) replaces release ${current.version}`,
    },
    options,
    io,
  );
  return { ...base, dryRun: false, ...shipped };
}
