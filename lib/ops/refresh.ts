import {
  type AutoScalingClient,
  type AutoScalingGroup,
  DescribeInstanceRefreshesCommand,
  type InstanceRefresh,
  paginateDescribeInstanceRefreshes,
  type RefreshPreferences,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { EC2Client, LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { EnvironmentConfig } from '../config/schema';
import { ACTIVE_REFRESH_STATUSES, refreshPreferences as sharedRefreshPreferences } from '../rollout/refresh-policy';
import { fleetHealthAlarms } from './alarms';
import type { OpsClients } from './clients';
import { describeAwsError, EXIT, type ExitCode, OperationError } from './errors';
import type { LaunchTemplateRef } from './fleet';
import {
  createVersion,
  currentVersion,
  describeVersions,
  openFleet,
  replacedBy,
  searchVersionsBefore,
  VERSION_WINDOW,
} from './launch-template';

/**
 * OPS-2: replace every node of the fleet (rotate) or put it back on the
 * previous image (rollback) with an instance refresh that keeps full capacity
 * (launch before terminate) and rolls itself back if the new nodes fail.
 */

export { ACTIVE_REFRESH_STATUSES };
/** States a refresh ends in; only `Successful` is a success. */
export const FINAL_REFRESH_STATUSES: readonly string[] = [
  'Successful',
  'Failed',
  'Cancelled',
  'RollbackSuccessful',
  'RollbackFailed',
];

export const DEFAULT_POLL_SECONDS = 15;
export { describeVersions, VERSION_WINDOW };
/** Rollback versions say which image they moved away from, so a second rollback never returns to it. */
const ROLLBACK_NOTE = /^ops rollback: .*\breplaces (ami-[0-9a-f]+)/;

export interface RefreshIo {
  /** One line of progress (stdout). */
  readonly log: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
}

export interface RefreshOptions {
  /** Follow the refresh until it ends. @default true */
  readonly wait?: boolean;
  /** @default 15 */
  readonly pollSeconds?: number;
  /** Print the plan and change nothing. @default false */
  readonly dryRun?: boolean;
}

/**
 * Every node is replaced (no skipping of matching ones: rotate exists to
 * rebuild nodes on the same image, IMM-3), and the fleet-health alarms roll
 * the refresh back (IMM-9).
 */
export function refreshPreferences(instanceWarmupSeconds: number, alarmNames: readonly string[]): RefreshPreferences {
  return sharedRefreshPreferences(instanceWarmupSeconds, false, alarmNames);
}

/** The group's refresh that is still running, if any. */
export async function activeRefresh(
  autoscaling: AutoScalingClient,
  groupName: string,
): Promise<InstanceRefresh | undefined> {
  const input = { AutoScalingGroupName: groupName };
  for await (const page of paginateDescribeInstanceRefreshes({ client: autoscaling }, input)) {
    const active = (page.InstanceRefreshes ?? []).find((r) => ACTIVE_REFRESH_STATUSES.includes(r.Status ?? ''));
    if (active) return active;
  }
  return undefined;
}

function refusal(groupName: string, r: InstanceRefresh): OperationError {
  const since = r.StartTime ? ` since ${r.StartTime.toISOString()}` : '';
  const pct = r.PercentageComplete !== undefined ? `, ${r.PercentageComplete}% done` : '';
  return new OperationError(
    `instance refresh ${r.InstanceRefreshId} of ${groupName} is ${r.Status}${since}${pct}; only one refresh can run at a time. ` +
      `Wait for it to end, or cancel it (aws autoscaling cancel-instance-refresh --auto-scaling-group-name ${groupName}), then run again`,
  );
}

export async function refuseIfActive(autoscaling: AutoScalingClient, groupName: string): Promise<void> {
  const running = await activeRefresh(autoscaling, groupName);
  if (running) throw refusal(groupName, running);
}

/** Starts the refresh; losing a race with another refresh is the same refusal as finding one. */
export async function startRefresh(
  autoscaling: AutoScalingClient,
  groupName: string,
  lt: LaunchTemplateRef,
  instanceWarmupSeconds: number,
  alarmNames: readonly string[],
): Promise<string> {
  try {
    const out = await autoscaling.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: groupName,
        Strategy: 'Rolling',
        // Automatic rollback is only available when the refresh names a desired configuration.
        DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: lt.launchTemplateId, Version: lt.version } },
        Preferences: refreshPreferences(instanceWarmupSeconds, alarmNames),
      }),
    );
    if (!out.InstanceRefreshId) throw new OperationError(`StartInstanceRefresh on ${groupName} returned no refresh ID`);
    return out.InstanceRefreshId;
  } catch (e) {
    if ((e as { name?: string }).name === 'InstanceRefreshInProgressFault') {
      throw new OperationError(
        `another instance refresh of ${groupName} started first (${(e as Error).message}); wait for it to end, then run again`,
      );
    }
    throw e;
  }
}

function progressLine(r: InstanceRefresh): string {
  const parts = [r.Status ?? 'Unknown'];
  if (r.PercentageComplete !== undefined) parts.push(`${r.PercentageComplete}%`);
  if (r.InstancesToUpdate !== undefined) parts.push(`${r.InstancesToUpdate} instance(s) to update`);
  const line = parts.join(', ');
  return r.StatusReason ? `${line}: ${r.StatusReason}` : line;
}

/** Polls one refresh until it reaches a final state, printing each change of progress. */
export async function followRefresh(
  autoscaling: AutoScalingClient,
  groupName: string,
  refreshId: string,
  pollSeconds: number,
  io: RefreshIo,
): Promise<InstanceRefresh> {
  let previous = '';
  let unseen = 0;
  for (;;) {
    const out = await autoscaling.send(
      new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: groupName, InstanceRefreshIds: [refreshId] }),
    );
    const refresh = (out.InstanceRefreshes ?? []).find((r) => r.InstanceRefreshId === refreshId);
    if (refresh) {
      unseen = 0;
      const line = progressLine(refresh);
      if (line !== previous) io.log(`${io.now().toISOString().slice(11, 19)}Z  ${line}`);
      previous = line;
      if (FINAL_REFRESH_STATUSES.includes(refresh.Status ?? '')) return refresh;
    } else if (++unseen > 5) {
      // A just-started refresh can take a moment to be listed; after that, its absence is an error.
      throw new OperationError(`instance refresh ${refreshId} of ${groupName} is not listed any more`);
    }
    await io.sleep(pollSeconds * 1000);
  }
}

/** Anything but `Successful` is an {@link OperationError} that says what happened to the fleet. */
export function assertSucceeded(groupName: string, r: InstanceRefresh): void {
  if (r.Status === 'Successful') return;
  const reason = r.StatusReason ? ` (${r.StatusReason})` : '';
  const what: Record<string, string> = {
    Failed: 'failed',
    Cancelled: 'was cancelled',
    RollbackSuccessful: 'failed and was rolled back: the fleet runs its previous configuration again',
    RollbackFailed: `failed and so did its rollback; check the group's activity (aws autoscaling describe-scaling-activities --auto-scaling-group-name ${groupName})`,
  };
  throw new OperationError(
    `instance refresh ${r.InstanceRefreshId} of ${groupName} ${what[r.Status ?? ''] ?? `ended ${r.Status}`}${reason}`,
  );
}

async function refreshAndFollow(
  autoscaling: AutoScalingClient,
  group: AutoScalingGroup,
  lt: LaunchTemplateRef,
  env: EnvironmentConfig,
  options: RefreshOptions,
  io: RefreshIo,
  alarmNames: readonly string[],
): Promise<ExitCode> {
  const name = group.AutoScalingGroupName!;
  const id = await startRefresh(autoscaling, name, lt, env.fleet.instanceWarmupSeconds, alarmNames);
  io.log(startedLine(id, name, lt, alarmNames));
  if (options.wait === false) {
    io.log(
      `not waiting (--no-wait); follow it with: aws autoscaling describe-instance-refreshes --auto-scaling-group-name ${name} --instance-refresh-ids ${id}`,
    );
    return EXIT.ok;
  }
  const end = await followRefresh(autoscaling, name, id, options.pollSeconds ?? DEFAULT_POLL_SECONDS, io);
  assertSucceeded(name, end);
  io.log(`instance refresh ${id} succeeded: every node of ${name} runs launch template version ${lt.version}`);
  return EXIT.ok;
}

/** The line printed when a refresh has started. */
export function startedLine(
  id: string,
  groupName: string,
  lt: LaunchTemplateRef,
  alarmNames: readonly string[],
): string {
  return (
    `started instance refresh ${id} of ${groupName} on launch template ${lt.launchTemplateId} version ${lt.version} ` +
    `(min healthy 100%, max healthy 200%: new nodes launch before old ones terminate; automatic rollback on` +
    (alarmNames.length > 0 ? `, and on alarm ${alarmNames.join(', ')})` : ')')
  );
}

/** rotate and rollback: one change of the fleet, its exit code. */
export type FleetCommand = (
  clients: OpsClients,
  env: EnvironmentConfig,
  options: RefreshOptions,
  io: RefreshIo,
) => Promise<ExitCode>;

/** Replaces every node of the fleet on the launch template version it already uses. */
export const rotate: FleetCommand = async (clients, env, options, io) => {
  const { group, name, lt } = await openFleet(clients.autoscaling, env);
  if (options.dryRun) {
    await planCheck(clients.autoscaling, name, io);
    const alarms = await fleetHealthAlarms(clients, env);
    io.log(
      `dry run: would start an instance refresh of ${name} on launch template ${lt.launchTemplateId} version ${lt.version}, replacing every node (rolls back on alarm ${alarms.join(', ')})`,
    );
    return EXIT.ok;
  }
  await refuseIfActive(clients.autoscaling, name);
  const alarms = await fleetHealthAlarms(clients, env);
  return refreshAndFollow(clients.autoscaling, group, lt, env, options, io, alarms);
};

/** In a dry run a running refresh is reported as the refusal it would cause; a failed look is only a warning. */
export async function planCheck(autoscaling: AutoScalingClient, groupName: string, io: RefreshIo): Promise<void> {
  let running: InstanceRefresh | undefined;
  try {
    running = await activeRefresh(autoscaling, groupName);
  } catch (e) {
    const why = describeAwsError(e, 'the Auto Scaling endpoint').message;
    io.log(`warning: could not check for a running instance refresh (${why}); the real run checks again`);
    return;
  }
  if (running) throw refusal(groupName, running);
}

export interface RollbackTarget {
  readonly version: number;
  readonly imageId: string;
}

/**
 * The newest version in `versions` whose image is usable and not rejected.
 * Versions are considered newest first; each rollback note met on the way
 * rejects the image it moved away from for the older versions.
 */
export function pickRollbackTarget(
  versions: readonly LaunchTemplateVersion[],
  rejected: Set<string>,
): RollbackTarget | undefined {
  const newestFirst = [...versions].sort((a, b) => (b.VersionNumber ?? 0) - (a.VersionNumber ?? 0));
  for (const v of newestFirst) {
    const image = v.LaunchTemplateData?.ImageId;
    // Only a literal AMI ID can be rolled back to automatically ("resolve:ssm:..." cannot).
    if (image && /^ami-[0-9a-f]+$/.test(image) && !rejected.has(image) && v.VersionNumber !== undefined) {
      return { version: v.VersionNumber, imageId: image };
    }
    const replaced = replacedBy(ROLLBACK_NOTE, v.VersionDescription);
    if (replaced) rejected.add(replaced);
  }
  return undefined;
}

/**
 * The version before `current` whose image differs from the current one (and
 * from any image an earlier rollback moved away from), looking back window by
 * window.
 */
export async function findRollbackTarget(
  ec2: EC2Client,
  launchTemplateId: string,
  current: LaunchTemplateVersion,
): Promise<RollbackTarget | undefined> {
  const currentImage = current.LaunchTemplateData?.ImageId;
  const rejected = new Set<string>(currentImage ? [currentImage] : []);
  const replaced = replacedBy(ROLLBACK_NOTE, current.VersionDescription);
  if (replaced) rejected.add(replaced);
  return searchVersionsBefore(ec2, launchTemplateId, current.VersionNumber ?? 1, (window) =>
    pickRollbackTarget(window, rejected),
  );
}

/**
 * Points the fleet at the previous known-good image and replaces every node.
 *
 * The new launch template version copies the current one and changes only the
 * image, so a rollback never undoes a hardening change a deploy made since
 * (metadata options, volumes, instance profile).
 */
export const rollback: FleetCommand = async (clients, env, options, io) => {
  const { group, name, lt } = await openFleet(clients.autoscaling, env);
  if (!options.dryRun) await refuseIfActive(clients.autoscaling, name);
  const alarms = await fleetHealthAlarms(clients, env);

  const current = await currentVersion(clients.ec2, lt);
  const currentImage = current?.LaunchTemplateData?.ImageId;
  if (!current || !currentImage) {
    throw new OperationError(
      `launch template ${lt.launchTemplateId} version ${lt.version} (used by ${name}) was not found or names no image`,
    );
  }
  const target = await findRollbackTarget(clients.ec2, lt.launchTemplateId, current);
  if (!target) {
    throw new OperationError(
      `no version of launch template ${lt.launchTemplateId} before ${lt.version} has an image other than ${currentImage}; there is nothing to roll back to`,
    );
  }
  const plan = `image ${target.imageId} (of version ${target.version}) replaces ${currentImage} (of version ${lt.version})`;
  if (options.dryRun) {
    await planCheck(clients.autoscaling, name, io);
    io.log(
      `dry run: would create a version of launch template ${lt.launchTemplateId} from version ${lt.version} in which ${plan}, point ${name} at it and replace every node`,
    );
    return EXIT.ok;
  }

  const next = await createVersion(
    clients.ec2,
    lt,
    `ops rollback: ${target.imageId} (version ${target.version}) replaces ${currentImage}`,
    { ImageId: target.imageId },
  );
  io.log(`created launch template ${next.launchTemplateId} version ${next.version}: ${plan}`);
  // The group launches the old image at once, also for scale-outs during the refresh.
  await clients.autoscaling.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: name,
      LaunchTemplate: { LaunchTemplateId: next.launchTemplateId, Version: next.version },
    }),
  );
  io.log(`${name} now launches launch template version ${next.version}`);
  try {
    return await refreshAndFollow(clients.autoscaling, group, next, env, options, io, alarms);
  } catch (e) {
    // The group was switched before the refresh, so a failed refresh leaves it on the rollback version.
    if (e instanceof OperationError) {
      throw new OperationError(
        `${e.message}; ${name} stays on launch template version ${next.version} (image ${target.imageId}) for new nodes`,
      );
    }
    throw e;
  }
};
