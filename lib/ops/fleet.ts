import {
  type AutoScalingClient,
  type AutoScalingGroup,
  paginateDescribeAutoScalingGroups,
} from '@aws-sdk/client-auto-scaling';
import { COMPONENT_TAG, COMPONENTS } from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import { OperationError } from './errors';

/** The tags that identify an environment's app fleet (set by `AppFleet` and the stage). */
export function fleetTags(env: EnvironmentConfig): Record<string, string> {
  return { application: env.tags.application, environment: env.name, [COMPONENT_TAG]: COMPONENTS.fleet };
}

/** `k=v, k=v`, for messages and report rows. */
export function showTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Every Auto Scaling group carrying the fleet tags of the environment. */
export async function findFleetGroups(
  autoscaling: AutoScalingClient,
  env: EnvironmentConfig,
): Promise<AutoScalingGroup[]> {
  const filters = Object.entries(fleetTags(env)).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
  const groups: AutoScalingGroup[] = [];
  for await (const page of paginateDescribeAutoScalingGroups({ client: autoscaling }, { Filters: filters })) {
    groups.push(...(page.AutoScalingGroups ?? []));
  }
  return groups;
}

/** The one fleet of the environment; none or several is an {@link OperationError} naming what was found. */
export async function findFleet(autoscaling: AutoScalingClient, env: EnvironmentConfig): Promise<AutoScalingGroup> {
  const groups = await findFleetGroups(autoscaling, env);
  if (groups.length === 1) return groups[0];
  const tags = showTags(fleetTags(env));
  if (groups.length === 0) {
    throw new OperationError(
      `no Auto Scaling group tagged ${tags} in ${env.region} (account ${env.account}); is environment "${env.name}" deployed?`,
    );
  }
  throw new OperationError(
    `${groups.length} Auto Scaling groups are tagged ${tags}: ${groups.map((g) => g.AutoScalingGroupName).join(', ')}; the fleet must be exactly one group`,
  );
}

export interface LaunchTemplateRef {
  readonly launchTemplateId: string;
  /** An explicit version number, as a string (the form the APIs use). */
  readonly version: string;
}

/**
 * The launch template and explicit version the group launches from. Rollback
 * and automatic refresh rollback only work with numbered versions, so
 * `$Latest`/`$Default` and mixed-instances groups are refused.
 */
export function launchTemplateOf(group: AutoScalingGroup): LaunchTemplateRef {
  const name = group.AutoScalingGroupName ?? 'the fleet';
  const lt = group.LaunchTemplate;
  if (!lt?.LaunchTemplateId || !lt.Version) {
    const why = group.MixedInstancesPolicy
      ? 'uses a mixed instances policy, which these commands do not handle'
      : 'has no launch template';
    throw new OperationError(`Auto Scaling group ${name} ${why}; the fleet must use one launch template version`);
  }
  if (!/^\d+$/.test(lt.Version)) {
    throw new OperationError(
      `Auto Scaling group ${name} uses launch template version "${lt.Version}"; it must name an explicit version number (automatic rollback does not work with $Latest/$Default)`,
    );
  }
  return { launchTemplateId: lt.LaunchTemplateId, version: lt.Version };
}
