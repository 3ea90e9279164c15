import { type AutoScalingClient, paginateDescribeInstanceRefreshes } from '@aws-sdk/client-auto-scaling';
import type { LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { EnvironmentConfig } from '../config/schema';
import { NO_RELEASE, type Release, releaseOfUserData } from '../release/contract';
import { checkVersion } from './artifact';
import type { OpsClients } from './clients';
import { OperationError, UsageError } from './errors';
import { replacedBy, searchVersionsBefore } from './launch-template';
import { FINAL_REFRESH_STATUSES, type RefreshIo, type RefreshOptions } from './refresh';
import { destination, type ReleaseResult, shipOrPlan } from './release-ship';
import { type FleetState, fleetState, holds, releaseOfLaunchTemplateVersion } from './release-state';

/**
 * IMM-9, `rollback --to-release V|previous`: an earlier release, found in the
 * launch template versions before the current one, shipped again on the
 * current version (its image and settings stay).
 */

/** Launch template versions the release rollback creates say which release they moved away from. */
export const RELEASE_ROLLBACK_NOTE = /^ops release rollback: .*\breplaces release (\S+)/;

/** A release named by a launch template version, newest version first. */
export interface ReleaseInHistory {
  readonly release: Release;
  readonly launchTemplateVersion: number;
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
  const before = state.current.VersionNumber ?? Number(state.lt.version);
  await searchVersionsBefore(clients.ec2, state.lt.launchTemplateId, before, (window) =>
    window.some((v) => stop(v, releaseOfLaunchTemplateVersion(v))) ? true : undefined,
  );
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
  const replaced = replacedBy(RELEASE_ROLLBACK_NOTE, state.current.VersionDescription);
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
      const note = replacedBy(RELEASE_ROLLBACK_NOTE, v.VersionDescription);
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
  const state = await fleetState(clients, env, options, io);
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
  const to = await destination(clients, env, target.version);
  const where = `s3://${to.bucket}/${to.objectKey}`;
  if (!to.stored) {
    throw new OperationError(
      `release ${target.version} (launch template version ${launchTemplateVersion}) is not in ${where} any more; nodes could not boot it. Ship it again with release --version ${target.version}`,
    );
  }
  if (!holds(to.stored, target.sha256)) {
    throw new OperationError(
      `${where} has SHA-256 ${to.stored.sha256 ?? '(none recorded)'}, but launch template version ${launchTemplateVersion} recorded ${target.sha256} for release ${target.version}; nodes would refuse to start it`,
    );
  }
  io.log(
    `release ${target.version} (SHA-256 ${target.sha256}, from launch template version ${launchTemplateVersion}) is in ${where}; it replaces release ${current.version}`,
  );
  return shipOrPlan(
    clients,
    {
      command: 'rollback',
      env,
      state,
      release: target,
      to,
      description: `ops release rollback: release ${target.version} (of version ${launchTemplateVersion}) replaces release ${current.version}`,
      would: `create a version of launch template ${state.lt.launchTemplateId} from version ${state.lt.version} (same image) naming release ${target.version} instead of ${current.version}`,
    },
    options,
    io,
  );
}
