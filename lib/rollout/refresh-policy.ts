import type { RefreshPreferences } from '@aws-sdk/client-auto-scaling';

/**
 * The one definition of how the fleet is refreshed (IMM-2), shared by the
 * rollout function and the operations CLI: capacity never drops below 100 %
 * because new nodes launch before old ones terminate (max 200 %), and a failed
 * refresh rolls back by itself. Kept free of client imports so both sides can
 * load it.
 */

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
 */
export function refreshPreferences(instanceWarmupSeconds: number, skipMatching: boolean): RefreshPreferences {
  return {
    MinHealthyPercentage: 100,
    MaxHealthyPercentage: 200,
    InstanceWarmup: instanceWarmupSeconds,
    AutoRollback: true,
    SkipMatching: skipMatching,
    ScaleInProtectedInstances: 'Refresh',
    StandbyInstances: 'Terminate',
  };
}
