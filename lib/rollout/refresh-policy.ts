import type { RefreshPreferences } from '@aws-sdk/client-auto-scaling';

/**
 * The one definition of how the fleet is refreshed (IMM-2), shared by the
 * rollout function and the operations CLI: capacity never drops below 100 %
 * because new nodes launch before old ones terminate (max 200 %), and a failed
 * refresh rolls back by itself. Kept free of client imports so both sides can
 * load it.
 */

/** Auto Scaling takes at most this many alarms in a refresh's alarm specification. */
export const MAX_REFRESH_ALARMS = 10;

/** Refresh states in which another refresh cannot start. */
export const ACTIVE_REFRESH_STATUSES: readonly string[] = [
  'Pending',
  'InProgress',
  'Cancelling',
  'RollbackInProgress',
  'Baking',
];

/**
 * The preferences of every refresh. `skipMatching`: a rollout skips nodes that
 * already run the desired version; `rotate` replaces every node (IMM-3).
 * `alarmNames`: the fleet-health alarms (at most 10) whose ALARM state rolls
 * the refresh back (IMM-9).
 */
export function refreshPreferences(
  instanceWarmupSeconds: number,
  skipMatching: boolean,
  alarmNames: readonly string[] = [],
): RefreshPreferences {
  if (alarmNames.length > MAX_REFRESH_ALARMS) {
    throw new Error(`an instance refresh watches at most ${MAX_REFRESH_ALARMS} alarms; got ${alarmNames.length}`);
  }
  return {
    ...(alarmNames.length > 0 ? { AlarmSpecification: { Alarms: [...alarmNames] } } : {}),
    MinHealthyPercentage: 100,
    MaxHealthyPercentage: 200,
    InstanceWarmup: instanceWarmupSeconds,
    AutoRollback: true,
    SkipMatching: skipMatching,
    ScaleInProtectedInstances: 'Refresh',
    StandbyInstances: 'Terminate',
  };
}
