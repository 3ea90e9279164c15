import {
  type AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ACTIVE_REFRESH_STATUSES, refreshPreferences } from './refresh-policy';

/**
 * Replace, don't patch (IMM-2, IMM-4): the logic of the rollout function.
 *
 * When a new golden image is published, point the fleet's launch template at
 * it (a new, explicit version: auto-rollback does not work with $Latest or
 * SSM-parameter image IDs) and start an instance refresh that launches before
 * it terminates and rolls back by itself if the new nodes fail their health
 * checks. If a refresh is already running, the new version is recorded on the
 * group and the refresh starts when the running one ends.
 */

/** The clients the rollout uses; tests pass fakes with the same `send`. */
export interface RolloutClients {
  readonly autoscaling: Pick<AutoScalingClient, 'send'>;
  readonly ec2: Pick<EC2Client, 'send'>;
  readonly ssm: Pick<SSMClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
}

export interface RolloutSettings {
  readonly autoScalingGroupName: string;
  readonly amiParameterName: string;
  readonly topicArn: string;
  readonly instanceWarmupSeconds: number;
  /** Fleet-health alarms whose ALARM state rolls the refresh back (IMM-9). @default none */
  readonly alarmNames?: readonly string[];
}

export type RolloutResult =
  | { readonly action: 'none'; readonly reason: string }
  | { readonly action: 'deferred'; readonly reason: string; readonly launchTemplateVersion?: string }
  | { readonly action: 'started'; readonly instanceRefreshId: string; readonly launchTemplateVersion: string };

async function describeGroup(c: RolloutClients, s: RolloutSettings) {
  const out = await c.autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [s.autoScalingGroupName] }),
  );
  const group = out.AutoScalingGroups?.[0];
  const lt = group?.LaunchTemplate;
  if (!group || !lt?.LaunchTemplateId || !lt.Version) {
    throw new Error(`Auto Scaling group ${s.autoScalingGroupName} not found or has no launch template`);
  }
  if (lt.Version === '$Latest' || lt.Version === '$Default') {
    throw new Error(
      `Auto Scaling group ${s.autoScalingGroupName} uses ${lt.Version}; it must use an explicit launch template version`,
    );
  }
  return { group, launchTemplateId: lt.LaunchTemplateId, version: lt.Version };
}

async function activeRefresh(c: RolloutClients, s: RolloutSettings): Promise<string | undefined> {
  const out = await c.autoscaling.send(
    new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: s.autoScalingGroupName, MaxRecords: 10 }),
  );
  const active = out.InstanceRefreshes?.find((r) => ACTIVE_REFRESH_STATUSES.includes(r.Status ?? ''));
  return active ? `${active.InstanceRefreshId} (${active.Status})` : undefined;
}

async function notify(c: RolloutClients, s: RolloutSettings, subject: string, message: string): Promise<void> {
  await c.sns.send(new PublishCommand({ TopicArn: s.topicArn, Subject: subject.slice(0, 99), Message: message }));
}

/**
 * Starts a refresh unless one is running; a running one means "later", not an
 * error. The refresh names its desired launch template version: AWS allows
 * automatic rollback only for a refresh with a desired configuration.
 */
export async function startRefreshIfIdle(
  c: RolloutClients,
  s: RolloutSettings,
  version: string,
  launchTemplateId: string,
): Promise<RolloutResult> {
  const running = await activeRefresh(c, s);
  if (running) {
    return {
      action: 'deferred',
      reason: `instance refresh ${running} is still running`,
      launchTemplateVersion: version,
    };
  }
  try {
    const out = await c.autoscaling.send(
      new StartInstanceRefreshCommand({
        AutoScalingGroupName: s.autoScalingGroupName,
        Strategy: 'Rolling',
        DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: version } },
        Preferences: refreshPreferences(s.instanceWarmupSeconds, true, s.alarmNames),
      }),
    );
    return { action: 'started', instanceRefreshId: out.InstanceRefreshId ?? 'unknown', launchTemplateVersion: version };
  } catch (e) {
    // Lost a race with another refresh: the follow-up on its completion picks this up.
    if ((e as { name?: string }).name === 'InstanceRefreshInProgressFault') {
      return { action: 'deferred', reason: 'another instance refresh started first', launchTemplateVersion: version };
    }
    throw e;
  }
}

/** A new golden image was published: roll the fleet onto it. */
export async function rollOutLatestImage(c: RolloutClients, s: RolloutSettings): Promise<RolloutResult> {
  const param = await c.ssm.send(new GetParameterCommand({ Name: s.amiParameterName }));
  const ami = param.Parameter?.Value;
  if (!ami || !/^ami-[0-9a-f]+$/.test(ami))
    throw new Error(`SSM parameter ${s.amiParameterName} holds no AMI ID (got ${ami})`);

  const { launchTemplateId, version } = await describeGroup(c, s);
  const current = await c.ec2.send(
    new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: [version] }),
  );
  if (current.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.ImageId === ami) {
    return { action: 'none', reason: `launch template ${launchTemplateId} version ${version} already uses ${ami}` };
  }

  const created = await c.ec2.send(
    new CreateLaunchTemplateVersionCommand({
      LaunchTemplateId: launchTemplateId,
      SourceVersion: version,
      VersionDescription: `golden image ${ami}`,
      LaunchTemplateData: { ImageId: ami },
    }),
  );
  const newVersion = String(created.LaunchTemplateVersion?.VersionNumber ?? '');
  if (!newVersion) throw new Error(`CreateLaunchTemplateVersion for ${launchTemplateId} returned no version number`);
  await c.autoscaling.send(
    new UpdateAutoScalingGroupCommand({
      AutoScalingGroupName: s.autoScalingGroupName,
      LaunchTemplate: { LaunchTemplateId: launchTemplateId, Version: newVersion },
    }),
  );

  const result = await startRefreshIfIdle(c, s, newVersion, launchTemplateId);
  await notify(
    c,
    s,
    `Rollout ${result.action}: ${s.autoScalingGroupName}`,
    result.action === 'started'
      ? `New golden image ${ami} (launch template version ${newVersion}); instance refresh ${result.instanceRefreshId} started with automatic rollback.`
      : `New golden image ${ami} (launch template version ${newVersion}) is set on the group; the refresh starts when ${result.action === 'deferred' ? result.reason : 'possible'}.`,
  );
  return result;
}

/**
 * An instance refresh ended: report it, and if nodes still run an older
 * launch template version than the group's (a rollout deferred while that
 * refresh ran), start the next refresh.
 */
export async function followUpRefresh(c: RolloutClients, s: RolloutSettings, status: string): Promise<RolloutResult> {
  const ok = status === 'Successful' || status === 'Succeeded';
  await notify(
    c,
    s,
    `Instance refresh ${status}: ${s.autoScalingGroupName}`,
    ok
      ? `The fleet ${s.autoScalingGroupName} finished an instance refresh.`
      : `The instance refresh of ${s.autoScalingGroupName} ended as ${status}; with automatic rollback the group is back on its previous launch template version. Investigate before the next image.`,
  );
  const { group, launchTemplateId, version } = await describeGroup(c, s);
  const stale = (group.Instances ?? []).filter((i) => i.LaunchTemplate?.Version !== version);
  if (stale.length === 0) return { action: 'none', reason: `every instance runs launch template version ${version}` };
  return startRefreshIfIdle(c, s, version, launchTemplateId);
}
