import type { InstanceRefresh } from '@aws-sdk/client-auto-scaling';
import { PutParameterCommand } from '@aws-sdk/client-ssm';
import type { EnvironmentConfig } from '../config/schema';
import { formatRelease, RELEASE_TAG, type Release, releaseObjectKey, releaseParameterName } from '../release/contract';
import { fleetHealthAlarms } from './alarms';
import type { OpsClients } from './clients';
import { AwsAccessError, describeAwsError, EXIT, type ExitCode, isOpsError, OperationError } from './errors';
import { createVersion } from './launch-template';
import {
  assertSucceeded,
  DEFAULT_POLL_SECONDS,
  followRefresh,
  type RefreshIo,
  type RefreshOptions,
  startedLine,
  startRefresh,
} from './refresh';
import {
  type FleetState,
  releaseBucket,
  releaseVersionData,
  requireRecord,
  type StoredRelease,
  storedRelease,
} from './release-state';

/**
 * IMM-9, shipping: a new launch template version (the same boot script with
 * another release block, the same image), the SSM record, and an alarm-gated
 * instance refresh that replaces every node and rolls itself back when the
 * new ones fail. A refresh that does not succeed puts the SSM record back.
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

export interface Shipment {
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
  const next = await createVersion(clients.ec2, state.lt, s.description, releaseVersionData(state, release));
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

/** Where a release goes and what the environment records now, read before anything changes. */
export interface Destination {
  readonly alarms: readonly string[];
  readonly bucket: string;
  readonly previous: Release;
  readonly objectKey: string;
  /** The object of the version in the bucket, if there is one. */
  readonly stored?: StoredRelease;
}

export async function destination(clients: OpsClients, env: EnvironmentConfig, version: string): Promise<Destination> {
  const alarms = await fleetHealthAlarms(clients, env);
  const bucket = await releaseBucket(clients, env);
  const previous = await requireRecord(clients, env);
  const stored = await storedRelease(clients, bucket, version);
  return { alarms, bucket, previous, objectKey: releaseObjectKey(version), stored };
}

/** What both release commands report before the outcome. */
type ResultBase = Pick<
  ReleaseResult,
  'control' | 'command' | 'environment' | 'group' | 'release' | 'previous' | 'bucket' | 'objectKey'
>;

/** A release decided on: the result's fixed part and what shipping it needs. */
export interface Plan {
  readonly command: ReleaseResult['command'];
  readonly env: EnvironmentConfig;
  readonly state: FleetState;
  readonly release: Release;
  readonly to: Destination;
  /** The launch template version's description. */
  readonly description: string;
  /** The dry run's "would ..." for the launch template version. */
  readonly would: string;
  /** release: whether the tarball is already in the bucket, and how to upload it when not. */
  readonly upload?: { readonly stored: boolean; readonly run: () => Promise<void> };
}

/** Ships a plan, or with --dry-run says what shipping would do. */
export async function shipOrPlan(
  clients: OpsClients,
  p: Plan,
  options: RefreshOptions,
  io: RefreshIo,
): Promise<ReleaseResult> {
  const { env, state, release, to } = p;
  const base: ResultBase = {
    control: 'IMM-9',
    command: p.command,
    environment: env.name,
    group: state.name,
    release,
    previous: to.previous,
    bucket: to.bucket,
    objectKey: to.objectKey,
  };
  if (options.dryRun) {
    const message =
      `dry run: would ${p.would}, ` +
      `record "${formatRelease(release)}" (was "${formatRelease(to.previous)}") and start an instance refresh of ${state.name} that rolls back on alarm ${to.alarms.join(', ')}`;
    io.log(message);
    return { ...base, dryRun: true, ...(p.upload && { uploaded: false }), exitCode: EXIT.ok, message };
  }
  await p.upload?.run();
  const shipment = { env, state, release, previous: to.previous, alarms: to.alarms, description: p.description };
  const shipped = await ship(clients, shipment, options, io);
  return { ...base, dryRun: false, ...(p.upload && { uploaded: !p.upload.stored }), ...shipped };
}
