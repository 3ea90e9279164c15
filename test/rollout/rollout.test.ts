import {
  DescribeAutoScalingGroupsCommand,
  DescribeInstanceRefreshesCommand,
  StartInstanceRefreshCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import {
  followUpRefresh,
  rollOutLatestImage,
  type RolloutClients,
  type RolloutSettings,
} from '../../lib/rollout/rollout';

const settings: RolloutSettings = {
  autoScalingGroupName: 'fleet',
  amiParameterName: '/acme/prod/golden-ami/latest',
  topicArn: 'arn:aws:sns:eu-west-1:333333333333:alarms',
  instanceWarmupSeconds: 300,
};

interface World {
  ami: string;
  groupVersion: string;
  versions: Record<string, string>;
  instanceVersions: string[];
  refreshes: { InstanceRefreshId: string; Status: string }[];
  startFails?: string;
}

type Call = { name: string; input: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A tiny in-memory AWS: enough state for the rollout to read and change. */
function fakeAws(world: World): { clients: RolloutClients; calls: Call[] } {
  const calls: Call[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const send = async (command: { constructor: { name: string }; input: any }): Promise<any> => {
    const name = command.constructor.name;
    const input = command.input;
    calls.push({ name, input });
    if (command instanceof GetParameterCommand) return { Parameter: { Value: world.ami } };
    if (command instanceof DescribeAutoScalingGroupsCommand) {
      return {
        AutoScalingGroups: [
          {
            AutoScalingGroupName: 'fleet',
            LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: world.groupVersion },
            Instances: world.instanceVersions.map((v, i) => ({ InstanceId: `i-${i}`, LaunchTemplate: { Version: v } })),
          },
        ],
      };
    }
    if (command instanceof DescribeLaunchTemplateVersionsCommand) {
      const v = input.Versions[0];
      return {
        LaunchTemplateVersions: [{ VersionNumber: Number(v), LaunchTemplateData: { ImageId: world.versions[v] } }],
      };
    }
    if (command instanceof CreateLaunchTemplateVersionCommand) {
      const next = String(Math.max(...Object.keys(world.versions).map(Number)) + 1);
      world.versions[next] = input.LaunchTemplateData.ImageId;
      return { LaunchTemplateVersion: { VersionNumber: Number(next) } };
    }
    if (command instanceof UpdateAutoScalingGroupCommand) {
      world.groupVersion = input.LaunchTemplate.Version;
      return {};
    }
    if (command instanceof DescribeInstanceRefreshesCommand) return { InstanceRefreshes: world.refreshes };
    if (command instanceof StartInstanceRefreshCommand) {
      if (world.startFails) throw Object.assign(new Error(world.startFails), { name: world.startFails });
      world.refreshes.unshift({ InstanceRefreshId: 'r-new', Status: 'Pending' });
      return { InstanceRefreshId: 'r-new' };
    }
    if (command instanceof PublishCommand) return { MessageId: 'm-1' };
    throw new Error(`unexpected command ${name}`);
  };
  const client = { send } as never;
  return { clients: { autoscaling: client, ec2: client, ssm: client, sns: client }, calls };
}

const names = (calls: Call[]) => calls.map((c) => c.name);

describe('rollout (IMM-2, IMM-4)', () => {
  test('a new image becomes a new explicit launch template version and a launch-before-terminate refresh with auto rollback', async () => {
    const world: World = {
      ami: 'ami-0a11',
      groupVersion: '3',
      versions: { '3': 'ami-0b22' },
      instanceVersions: ['3', '3'],
      refreshes: [],
    };
    const { clients, calls } = fakeAws(world);
    const result = await rollOutLatestImage(clients, settings);
    expect(result).toEqual({ action: 'started', instanceRefreshId: 'r-new', launchTemplateVersion: '4' });
    expect(calls.find((c) => c.name === 'CreateLaunchTemplateVersionCommand')!.input).toEqual({
      LaunchTemplateId: 'lt-1',
      SourceVersion: '3',
      VersionDescription: 'golden image ami-0a11',
      LaunchTemplateData: { ImageId: 'ami-0a11' },
    });
    expect(calls.find((c) => c.name === 'UpdateAutoScalingGroupCommand')!.input.LaunchTemplate).toEqual({
      LaunchTemplateId: 'lt-1',
      Version: '4',
    });
    expect(calls.find((c) => c.name === 'StartInstanceRefreshCommand')!.input).toEqual({
      AutoScalingGroupName: 'fleet',
      Strategy: 'Rolling',
      DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '4' } },
      Preferences: expect.objectContaining({
        MinHealthyPercentage: 100,
        MaxHealthyPercentage: 200,
        AutoRollback: true,
        InstanceWarmup: 300,
        SkipMatching: true,
      }),
    });
    expect(calls.at(-1)!.name).toBe('PublishCommand');
    expect(calls.at(-1)!.input.Message).toMatch(/ami-0a11.*version 4.*automatic rollback/);
  });

  test('the image the fleet already runs changes nothing', async () => {
    const { clients, calls } = fakeAws({
      ami: 'ami-0c33',
      groupVersion: '3',
      versions: { '3': 'ami-0c33' },
      instanceVersions: ['3'],
      refreshes: [],
    });
    expect(await rollOutLatestImage(clients, settings)).toEqual({
      action: 'none',
      reason: expect.stringMatching(/already uses ami-0c33/),
    });
    expect(names(calls)).not.toContain('CreateLaunchTemplateVersionCommand');
    expect(names(calls)).not.toContain('StartInstanceRefreshCommand');
  });

  test('a refresh already in progress: the new version is set on the group, the refresh is deferred, and someone is told', async () => {
    const world: World = {
      ami: 'ami-0a11',
      groupVersion: '3',
      versions: { '3': 'ami-0b22' },
      instanceVersions: ['3', '2'],
      refreshes: [{ InstanceRefreshId: 'r-old', Status: 'InProgress' }],
    };
    const { clients, calls } = fakeAws(world);
    const result = await rollOutLatestImage(clients, settings);
    expect(result).toEqual({
      action: 'deferred',
      reason: 'instance refresh r-old (InProgress) is still running',
      launchTemplateVersion: '4',
    });
    expect(world.groupVersion).toBe('4');
    expect(names(calls)).not.toContain('StartInstanceRefreshCommand');
    expect(calls.at(-1)!.input.Subject).toBe('Rollout deferred: fleet');
  });

  test('losing the race to another refresh is a deferral, not a failure', async () => {
    const { clients } = fakeAws({
      ami: 'ami-0a11',
      groupVersion: '3',
      versions: { '3': 'ami-0b22' },
      instanceVersions: ['3'],
      refreshes: [],
      startFails: 'InstanceRefreshInProgressFault',
    });
    expect(await rollOutLatestImage(clients, settings)).toMatchObject({
      action: 'deferred',
      reason: 'another instance refresh started first',
    });
  });

  test('other errors from StartInstanceRefresh propagate (the event is retried, then dead-lettered)', async () => {
    const { clients } = fakeAws({
      ami: 'ami-0a11',
      groupVersion: '3',
      versions: { '3': 'ami-0b22' },
      instanceVersions: ['3'],
      refreshes: [],
      startFails: 'AccessDenied',
    });
    await expect(rollOutLatestImage(clients, settings)).rejects.toThrow('AccessDenied');
  });

  test('after a refresh ends, a deferred version still waiting is rolled out', async () => {
    const world: World = {
      ami: 'ami-0a11',
      groupVersion: '4',
      versions: { '3': 'ami-0b22', '4': 'ami-0a11' },
      instanceVersions: ['3', '3'],
      refreshes: [{ InstanceRefreshId: 'r-old', Status: 'Successful' }],
    };
    const { clients, calls } = fakeAws(world);
    expect(await followUpRefresh(clients, settings, 'Succeeded')).toMatchObject({
      action: 'started',
      launchTemplateVersion: '4',
    });
    expect(calls[0].input.Subject).toBe('Instance refresh Succeeded: fleet');
  });

  test('rollback path: a failed refresh that rolled back leaves nothing stale, so nothing restarts, and the failure is reported', async () => {
    // Auto rollback has put the group back on version 3, which every instance runs.
    const world: World = {
      ami: 'ami-0d44',
      groupVersion: '3',
      versions: { '3': 'ami-0b22', '4': 'ami-0d44' },
      instanceVersions: ['3', '3'],
      refreshes: [{ InstanceRefreshId: 'r-4', Status: 'RollbackSuccessful' }],
    };
    const { clients, calls } = fakeAws(world);
    expect(await followUpRefresh(clients, settings, 'Failed')).toEqual({
      action: 'none',
      reason: 'every instance runs launch template version 3',
    });
    expect(calls[0].input.Message).toMatch(
      /ended as Failed; with automatic rollback the group is back on its previous launch template version/,
    );
    expect(names(calls)).not.toContain('StartInstanceRefreshCommand');
  });

  test('a group on $Latest is refused: auto rollback needs explicit versions', async () => {
    const { clients } = fakeAws({
      ami: 'ami-0a11',
      groupVersion: '$Latest',
      versions: {},
      instanceVersions: [],
      refreshes: [],
    });
    await expect(rollOutLatestImage(clients, settings)).rejects.toThrow(
      /uses \$Latest; it must use an explicit launch template version/,
    );
  });

  test('a parameter that holds no AMI ID is refused', async () => {
    const { clients } = fakeAws({
      ami: 'not-an-ami',
      groupVersion: '3',
      versions: { '3': 'ami-0b22' },
      instanceVersions: [],
      refreshes: [],
    });
    await expect(rollOutLatestImage(clients, settings)).rejects.toThrow(/holds no AMI ID \(got not-an-ami\)/);
  });
});
