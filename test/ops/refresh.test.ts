import type { AutoScalingGroup, InstanceRefresh } from '@aws-sdk/client-auto-scaling';
import type { LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import { fleetHealthAlarmNames } from '../../lib/config/naming';
import { OperationError } from '../../lib/ops/errors';
import {
  ACTIVE_REFRESH_STATUSES,
  findRollbackTarget,
  pickRollbackTarget,
  type RefreshIo,
  rollback,
  rotate,
} from '../../lib/ops/refresh';
import { testEnvironment } from './config';
import { ACCOUNT, awsError, fakeClients, type Handlers } from './fakes';

const env = testEnvironment('dev', ACCOUNT);
const GROUP = 'acme-saas-dev-fleet';
const ALARMS: string[] = Object.values(fleetHealthAlarmNames('acme-saas', 'dev'));

function group(version = '7'): AutoScalingGroup {
  return {
    AutoScalingGroupName: GROUP,
    LaunchTemplate: { LaunchTemplateId: 'lt-0abc', Version: version },
  } as AutoScalingGroup;
}

function io(): RefreshIo & { lines: string[]; sleeps: number[] } {
  const lines: string[] = [];
  const sleeps: number[] = [];
  return {
    lines,
    sleeps,
    log: (line) => lines.push(line),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    now: () => new Date('2030-06-01T12:00:00Z'),
  };
}

/**
 * A fleet whose refresh history is `history` (newest first, one per page) and
 * whose new refresh goes through `progress`, one state per poll.
 */
function fleetHandlers(options: {
  history?: InstanceRefresh[];
  progress?: InstanceRefresh[];
  group?: AutoScalingGroup;
  versions?: LaunchTemplateVersion[];
}): Handlers {
  const history = options.history ?? [];
  const progress = options.progress ?? [{ Status: 'Successful', PercentageComplete: 100 }];
  const versions = options.versions ?? [];
  return {
    DescribeAutoScalingGroupsCommand: () => ({ AutoScalingGroups: [options.group ?? group()] }),
    DescribeInstanceRefreshesCommand: (input: { InstanceRefreshIds?: string[]; NextToken?: string }, call) => {
      if (input.InstanceRefreshIds) {
        const polls = call - (history.length === 0 ? 1 : history.length);
        const state = progress[Math.min(polls - 1, progress.length - 1)];
        return { InstanceRefreshes: [{ InstanceRefreshId: 'ir-new', ...state }] };
      }
      const i = Number(input.NextToken ?? 0);
      return {
        InstanceRefreshes: history.slice(i, i + 1),
        NextToken: i + 1 < history.length ? String(i + 1) : undefined,
      };
    },
    StartInstanceRefreshCommand: () => ({ InstanceRefreshId: 'ir-new' }),
    UpdateAutoScalingGroupCommand: () => ({}),
    DescribeAlarmsCommand: (input: { AlarmNames: string[] }) => ({
      MetricAlarms: input.AlarmNames.filter((n) => ALARMS.includes(n)).map((AlarmName) => ({ AlarmName })),
    }),
    DescribeLaunchTemplateVersionsCommand: (input: {
      Versions?: string[];
      MinVersion?: string;
      MaxVersion?: string;
    }) => ({
      LaunchTemplateVersions: versions.filter((v) =>
        input.Versions
          ? input.Versions.includes(String(v.VersionNumber))
          : v.VersionNumber! >= Number(input.MinVersion) && v.VersionNumber! <= Number(input.MaxVersion),
      ),
    }),
    CreateLaunchTemplateVersionCommand: () => ({
      LaunchTemplateVersion: { VersionNumber: Math.max(0, ...versions.map((x) => x.VersionNumber ?? 0)) + 1 },
    }),
  };
}

const v = (n: number, image: string, description?: string): LaunchTemplateVersion => ({
  VersionNumber: n,
  VersionDescription: description,
  LaunchTemplateData: { ImageId: image },
});

describe('rotate', () => {
  test('starts a launch-before-terminate refresh with auto rollback on the current version and follows it', async () => {
    const clients = fakeClients(
      fleetHandlers({
        history: [{ InstanceRefreshId: 'ir-old', Status: 'Successful' }],
        progress: [
          { Status: 'Pending' },
          { Status: 'InProgress', PercentageComplete: 0, InstancesToUpdate: 2 },
          { Status: 'InProgress', PercentageComplete: 0, InstancesToUpdate: 2 },
          { Status: 'InProgress', PercentageComplete: 50, InstancesToUpdate: 1 },
          { Status: 'Successful', PercentageComplete: 100, InstancesToUpdate: 0 },
        ],
      }),
    );
    const out = io();
    await expect(rotate(clients, env, { pollSeconds: 2 }, out)).resolves.toBe(0);
    expect(clients.inputs('StartInstanceRefreshCommand')).toEqual([
      {
        AutoScalingGroupName: GROUP,
        Strategy: 'Rolling',
        DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: 'lt-0abc', Version: '7' } },
        Preferences: {
          AlarmSpecification: { Alarms: ALARMS },
          MinHealthyPercentage: 100,
          MaxHealthyPercentage: 200,
          AutoRollback: true,
          SkipMatching: false,
          InstanceWarmup: env.fleet.instanceWarmupSeconds,
          ScaleInProtectedInstances: 'Refresh',
          StandbyInstances: 'Terminate',
        },
      },
    ]);
    // One line per change of progress, not per poll.
    expect(out.lines).toEqual([
      expect.stringMatching(
        /^started instance refresh ir-new of acme-saas-dev-fleet on launch template lt-0abc version 7 /,
      ),
      '12:00:00Z  Pending',
      '12:00:00Z  InProgress, 0%, 2 instance(s) to update',
      '12:00:00Z  InProgress, 50%, 1 instance(s) to update',
      '12:00:00Z  Successful, 100%, 0 instance(s) to update',
      'instance refresh ir-new succeeded: every node of acme-saas-dev-fleet runs launch template version 7',
    ]);
    expect(out.sleeps).toEqual([2000, 2000, 2000, 2000]);
  });

  test('--no-wait returns once the refresh has started', async () => {
    const clients = fakeClients(fleetHandlers({}));
    const out = io();
    await expect(rotate(clients, env, { wait: false }, out)).resolves.toBe(0);
    expect(clients.inputs('DescribeInstanceRefreshesCommand').filter((i) => i.InstanceRefreshIds)).toEqual([]);
    expect(out.lines[1]).toMatch(
      /not waiting \(--no-wait\); follow it with: aws autoscaling describe-instance-refreshes/,
    );
  });

  test.each(ACTIVE_REFRESH_STATUSES)(
    'refuses while a refresh is %s, even one found on a later page',
    async (status) => {
      const clients = fakeClients(
        fleetHandlers({
          history: [
            { InstanceRefreshId: 'ir-done', Status: 'Successful' },
            { InstanceRefreshId: 'ir-busy', Status: status as InstanceRefresh['Status'], PercentageComplete: 40 },
          ],
        }),
      );
      const run = rotate(clients, env, {}, io());
      await expect(run).rejects.toThrow(OperationError);
      await expect(run).rejects.toThrow(
        new RegExp(`instance refresh ir-busy of ${GROUP} is ${status}, 40% done; only one refresh can run at a time`),
      );
      expect(clients.inputs('StartInstanceRefreshCommand')).toEqual([]);
    },
  );

  test('losing the race to another refresh is the same refusal', async () => {
    const clients = fakeClients({
      ...fleetHandlers({}),
      StartInstanceRefreshCommand: () => {
        throw awsError('InstanceRefreshInProgressFault', 'An Instance Refresh is already in progress');
      },
    });
    await expect(rotate(clients, env, {}, io())).rejects.toThrow(
      /another instance refresh of acme-saas-dev-fleet started first/,
    );
  });

  test.each([
    ['Failed', /ir-new of acme-saas-dev-fleet failed \(health checks failed\)/],
    ['Cancelled', /was cancelled/],
    ['RollbackSuccessful', /failed and was rolled back: the fleet runs its previous configuration again/],
    ['RollbackFailed', /failed and so did its rollback; check the group's activity/],
  ])('a refresh that ends %s is an OperationError (exit 1)', async (status, message) => {
    const clients = fakeClients(
      fleetHandlers({
        progress: [{ Status: status as InstanceRefresh['Status'], StatusReason: 'health checks failed' }],
      }),
    );
    const run = rotate(clients, env, {}, io());
    await expect(run).rejects.toThrow(OperationError);
    await expect(run).rejects.toThrow(message);
  });

  test('a group on $Latest is refused: automatic rollback needs a numbered version', async () => {
    const clients = fakeClients(fleetHandlers({ group: group('$Latest') }));
    await expect(rotate(clients, env, {}, io())).rejects.toThrow(/uses launch template version "\$Latest"/);
  });

  test('no fleet is an OperationError that says what was looked for', async () => {
    const clients = fakeClients({ DescribeAutoScalingGroupsCommand: () => ({ AutoScalingGroups: [] }) });
    await expect(rotate(clients, env, {}, io())).rejects.toThrow(
      /no Auto Scaling group tagged application=acme-saas, environment=dev, saas:component=app-fleet in eu-west-1/,
    );
  });

  test('a dry run changes nothing and still reports a running refresh', async () => {
    const idle = fakeClients(fleetHandlers({}));
    const out = io();
    await expect(rotate(idle, env, { dryRun: true }, out)).resolves.toBe(0);
    expect(out.lines).toEqual([
      expect.stringMatching(/^dry run: would start an instance refresh of acme-saas-dev-fleet/),
    ]);
    expect(idle.inputs('StartInstanceRefreshCommand')).toEqual([]);

    const busy = fakeClients(fleetHandlers({ history: [{ InstanceRefreshId: 'ir-busy', Status: 'InProgress' }] }));
    await expect(rotate(busy, env, { dryRun: true }, io())).rejects.toThrow(/ir-busy .* is InProgress/);
  });
});

describe('rollback version selection', () => {
  test('the newest earlier version with another literal AMI wins', () => {
    const rejected = new Set(['ami-0ccc']);
    const versions = [v(3, 'ami-0ccc'), v(2, 'resolve:ssm:/aws/service/x'), v(1, 'ami-0aaa'), v(4, 'ami-0ccc')];
    expect(pickRollbackTarget(versions, rejected)).toEqual({ version: 1, imageId: 'ami-0aaa' });
  });

  test('an image an earlier rollback moved away from is never chosen again', () => {
    const rejected = new Set(['ami-0aaa']);
    const versions = [
      v(4, 'ami-0aaa', 'ops rollback: ami-0aaa (version 2) replaces ami-0bbb'),
      v(3, 'ami-0bbb'),
      v(2, 'ami-0aaa'),
      v(1, 'ami-0999'),
    ];
    expect(pickRollbackTarget(versions, rejected)).toEqual({ version: 1, imageId: 'ami-0999' });
  });

  test('walks back window by window until it finds another image', async () => {
    const versions = [v(1, 'ami-0aaa'), ...Array.from({ length: 24 }, (_, i) => v(i + 2, 'ami-0bbb'))];
    const clients = fakeClients(fleetHandlers({ versions }));
    await expect(findRollbackTarget(clients.ec2, 'lt-0abc', versions[24])).resolves.toEqual({
      version: 1,
      imageId: 'ami-0aaa',
    });
    expect(clients.inputs('DescribeLaunchTemplateVersionsCommand').map((i) => [i.MinVersion, i.MaxVersion])).toEqual([
      ['15', '24'],
      ['5', '14'],
      ['1', '4'],
    ]);
  });
});

describe('rollback', () => {
  const versions = [v(5, 'ami-0aaa'), v(6, 'ami-0aaa'), v(7, 'ami-0bbb', 'golden image ami-0bbb')];

  test('creates a version from the current one with the previous image, points the group at it and refreshes', async () => {
    const clients = fakeClients(fleetHandlers({ versions }));
    const out = io();
    await expect(rollback(clients, env, {}, out)).resolves.toBe(0);
    expect(clients.inputs('CreateLaunchTemplateVersionCommand')).toEqual([
      {
        LaunchTemplateId: 'lt-0abc',
        SourceVersion: '7',
        VersionDescription: 'ops rollback: ami-0aaa (version 6) replaces ami-0bbb',
        LaunchTemplateData: { ImageId: 'ami-0aaa' },
      },
    ]);
    expect(clients.inputs('UpdateAutoScalingGroupCommand')).toEqual([
      { AutoScalingGroupName: GROUP, LaunchTemplate: { LaunchTemplateId: 'lt-0abc', Version: '8' } },
    ]);
    expect(clients.inputs('StartInstanceRefreshCommand')[0]).toMatchObject({
      DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: 'lt-0abc', Version: '8' } },
      Preferences: {
        AlarmSpecification: { Alarms: ALARMS },
        MinHealthyPercentage: 100,
        MaxHealthyPercentage: 200,
        AutoRollback: true,
        SkipMatching: false,
      },
    });
    // The group is switched before the refresh starts, so scale-outs already launch the good image.
    const order = clients.calls.map((c) => c.command);
    expect(order.indexOf('UpdateAutoScalingGroupCommand')).toBeLessThan(order.indexOf('StartInstanceRefreshCommand'));
    expect(out.lines[0]).toBe(
      'created launch template lt-0abc version 8: image ami-0aaa (of version 6) replaces ami-0bbb (of version 7)',
    );
  });

  test('refuses while a refresh is in progress, before changing anything', async () => {
    const clients = fakeClients(
      fleetHandlers({ versions, history: [{ InstanceRefreshId: 'ir-busy', Status: 'RollbackInProgress' }] }),
    );
    await expect(rollback(clients, env, {}, io())).rejects.toThrow(
      /ir-busy of acme-saas-dev-fleet is RollbackInProgress/,
    );
    const commands = clients.calls.map((c) => c.command);
    expect(commands).not.toContain('CreateLaunchTemplateVersionCommand');
    expect(commands).not.toContain('UpdateAutoScalingGroupCommand');
    expect(commands).not.toContain('StartInstanceRefreshCommand');
  });

  test('a failed refresh says the group keeps launching the rollback version', async () => {
    const clients = fakeClients(fleetHandlers({ versions, progress: [{ Status: 'RollbackSuccessful' }] }));
    await expect(rollback(clients, env, {}, io())).rejects.toThrow(
      /failed and was rolled back: .*; acme-saas-dev-fleet stays on launch template version 8 \(image ami-0aaa\) for new nodes$/,
    );
  });

  test('with no earlier image there is nothing to roll back to', async () => {
    const clients = fakeClients(fleetHandlers({ versions: [v(6, 'ami-0bbb'), v(7, 'ami-0bbb')] }));
    await expect(rollback(clients, env, {}, io())).rejects.toThrow(
      'no version of launch template lt-0abc before 7 has an image other than ami-0bbb; there is nothing to roll back to',
    );
  });

  test('a dry run names the version it would use and changes nothing', async () => {
    const clients = fakeClients({
      ...fleetHandlers({ versions }),
      DescribeInstanceRefreshesCommand: () => {
        throw awsError('InternalFailure', 'not implemented');
      },
    });
    const out = io();
    await expect(rollback(clients, env, { dryRun: true }, out)).resolves.toBe(0);
    expect(out.lines).toEqual([
      'warning: could not check for a running instance refresh (InternalFailure: not implemented); the real run checks again',
      'dry run: would create a version of launch template lt-0abc from version 7 in which image ami-0aaa (of version 6) replaces ami-0bbb (of version 7), point acme-saas-dev-fleet at it and replace every node',
    ]);
    expect(clients.calls.map((c) => c.command)).not.toContain('CreateLaunchTemplateVersionCommand');
  });
});

describe('fleet-health alarms (IMM-9)', () => {
  test('rotate and rollback refuse before changing anything when an alarm the refresh watches is missing', async () => {
    const versions = [v(6, 'ami-0aaa'), v(7, 'ami-0bbb')];
    for (const run of [rotate, rollback]) {
      const clients = fakeClients({
        ...fleetHandlers({ versions }),
        DescribeAlarmsCommand: () => ({ MetricAlarms: [{ AlarmName: ALARMS[0] }] }),
      });
      const error = await run(clients, env, {}, io()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OperationError);
      expect((error as Error).message).toMatch(
        new RegExp(`^fleet-health alarm\\(s\\) ${ALARMS[1]} not found in eu-west-1 .*deploy the App stack`),
      );
      expect(clients.inputs('CreateLaunchTemplateVersionCommand')).toEqual([]);
      expect(clients.inputs('UpdateAutoScalingGroupCommand')).toEqual([]);
      expect(clients.inputs('StartInstanceRefreshCommand')).toEqual([]);
    }
  });
});
