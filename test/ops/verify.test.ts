import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { Trail } from '@aws-sdk/client-cloudtrail';
import type { Instance, NetworkInterface, SecurityGroup, Volume, Vpc } from '@aws-sdk/client-ec2';
import { buildReport, exitCodeOf, renderJson, renderTable } from '../../lib/ops/report';
import {
  type CheckResult,
  evaluateInstance,
  evaluateTrail,
  fleetLifetime,
  type InstanceContext,
  internetIngress,
  verifyEnvironment,
} from '../../lib/ops/verify';
import { RELEASE_TAG, releaseBlock } from '../../lib/release/contract';
import { testEnvironment } from './config';
import { ACCOUNT, awsError, fakeClients, type Handlers } from './fakes';

const NOW = new Date('2030-06-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const env = testEnvironment('dev', ACCOUNT);
const GOLDEN = 'ami-0aaa1111';
const PARAM = '/acme-saas/dev/golden-ami/latest';
const RELEASE_PARAM = '/acme-saas/dev/release/current';
const RELEASE = `1.4.2 ${'a'.repeat(64)}`;
const userData = (release: string) => Buffer.from(`#!/bin/bash\n${releaseBlock(release)}\n`).toString('base64');

const goodTrail: Trail = {
  Name: 'org-trail',
  TrailARN: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org-trail`,
  HomeRegion: 'eu-west-1',
  IsMultiRegionTrail: true,
  LogFileValidationEnabled: true,
  KmsKeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/k`,
};
const goodStatus = { IsLogging: true, LatestDeliveryTime: hoursAgo(1) };

function instance(id: string, overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id,
    ImageId: GOLDEN,
    LaunchTime: hoursAgo(5),
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: `vol-${id}` } }],
    NetworkInterfaces: [{ NetworkInterfaceId: `eni-${id}` }],
    State: { Name: 'running' },
    Tags: [{ Key: RELEASE_TAG, Value: RELEASE }],
    ...overrides,
  };
}
const volume = (instanceId: string, encrypted = true): Volume => ({
  VolumeId: `vol-${instanceId}`,
  Encrypted: encrypted,
  Attachments: [{ InstanceId: instanceId, VolumeId: `vol-${instanceId}` }],
});
const ctx: InstanceContext = {
  goldenAmi: GOLDEN,
  goldenParameter: PARAM,
  lifetimeSeconds: 3 * 86_400,
  lifetimeSource: 'test',
  now: NOW,
};
const statuses = (rows: readonly CheckResult[]) => Object.fromEntries(rows.map((r) => [r.check, r.status]));

describe('evaluateTrail (LOG-1)', () => {
  test('a logging, multi-region, validated, KMS-encrypted trail that delivered recently passes', () => {
    const rows = evaluateTrail(goodTrail, goodStatus, 24, NOW);
    expect(rows.map((r) => r.check)).toEqual([
      'trail.exists',
      'trail.logging',
      'trail.multi-region',
      'trail.log-file-validation',
      'trail.kms-encryption',
      'trail.delivery',
    ]);
    expect(rows.every((r) => r.status === 'PASS' && r.control === 'LOG-1')).toBe(true);
  });

  test('each broken promise is its own FAIL', () => {
    const rows = evaluateTrail(
      { ...goodTrail, IsMultiRegionTrail: false, LogFileValidationEnabled: false, KmsKeyId: undefined },
      { IsLogging: false, StopLoggingTime: hoursAgo(2), LatestDeliveryTime: hoursAgo(3) },
      24,
      NOW,
    );
    expect(statuses(rows)).toEqual({
      'trail.exists': 'PASS',
      'trail.logging': 'FAIL',
      'trail.multi-region': 'FAIL',
      'trail.log-file-validation': 'FAIL',
      'trail.kms-encryption': 'FAIL',
      'trail.delivery': 'PASS',
    });
    expect(rows.find((r) => r.check === 'trail.logging')?.detail).toMatch(/not logging since 2030-06-01T10:00:00.000Z/);
  });

  test.each([
    [
      'an old delivery',
      { IsLogging: true, LatestDeliveryTime: hoursAgo(30) },
      24,
      'FAIL',
      /30.0 h ago .*older than 24 h/,
    ],
    [
      'the same delivery under a longer threshold',
      { IsLogging: true, LatestDeliveryTime: hoursAgo(30) },
      48,
      'PASS',
      /30.0 h ago/,
    ],
    ['no delivery at all', { IsLogging: true }, 24, 'FAIL', /no log delivery recorded/],
    [
      'a delivery error',
      { IsLogging: true, LatestDeliveryTime: hoursAgo(1), LatestDeliveryError: 'AccessDenied' },
      24,
      'FAIL',
      /latest delivery failed: AccessDenied/,
    ],
  ])('delivery: %s', (_what, status, maxHours, expected, detail) => {
    const row = evaluateTrail(goodTrail, status, maxHours, NOW).find((r) => r.check === 'trail.delivery')!;
    expect(row.status).toBe(expected);
    expect(row.detail).toMatch(detail);
  });
});

describe('evaluateInstance (IMM-2, IMM-3, IMM-6, NET-1)', () => {
  test('a hardened node on the golden image within its lifetime passes every check', () => {
    const rows = evaluateInstance(instance('i-1'), [volume('i-1')], ctx);
    expect(statuses(rows)).toEqual({
      'fleet.golden-ami': 'PASS',
      'fleet.instance-age': 'PASS',
      'fleet.imdsv2': 'PASS',
      'fleet.ebs-encrypted': 'PASS',
      'fleet.no-public-ip': 'PASS',
    });
  });

  // moto stamps every instance with the time it was created, so this path is only tested here.
  test('a node older than the lifetime fails', () => {
    const rows = evaluateInstance(instance('i-1', { LaunchTime: hoursAgo(73) }), [volume('i-1')], ctx);
    const age = rows.find((r) => r.check === 'fleet.instance-age')!;
    expect(age.status).toBe('FAIL');
    expect(age.detail).toMatch(/launched 3.0 d ago .* beyond the 3.0 d lifetime/);
  });

  test.each([
    [
      'an old image',
      { ImageId: 'ami-0bbb2222' },
      'fleet.golden-ami',
      /runs ami-0bbb2222, not the golden AMI ami-0aaa1111 .*ops rotate/,
    ],
    ['IMDSv1', { MetadataOptions: { HttpTokens: 'optional' as const } }, 'fleet.imdsv2', /HttpTokens=optional: IMDSv1/],
    ['a public IP', { PublicIpAddress: '54.1.2.3' }, 'fleet.no-public-ip', /public IP 54.1.2.3/],
    [
      'a public IP on a secondary interface',
      { NetworkInterfaces: [{}, { Association: { PublicIp: '54.9.9.9' } }] as NetworkInterface[] },
      'fleet.no-public-ip',
      /54.9.9.9/,
    ],
  ])('%s fails its check only', (_what, overrides, check, detail) => {
    const rows = evaluateInstance(instance('i-1', overrides), [volume('i-1')], ctx);
    expect(rows.filter((r) => r.status !== 'PASS')).toEqual([expect.objectContaining({ check, status: 'FAIL' })]);
    expect(rows.find((r) => r.check === check)?.detail).toMatch(detail);
  });

  test('a disabled metadata service passes the IMDSv2 check', () => {
    const rows = evaluateInstance(
      instance('i-1', { MetadataOptions: { HttpEndpoint: 'disabled' } }),
      [volume('i-1')],
      ctx,
    );
    expect(rows.find((r) => r.check === 'fleet.imdsv2')).toMatchObject({ status: 'PASS', detail: /disabled/ });
  });

  test('an unencrypted volume fails; a volume DescribeVolumes did not return is an ERROR', () => {
    expect(
      evaluateInstance(instance('i-1'), [volume('i-1', false)], ctx).find((r) => r.check === 'fleet.ebs-encrypted'),
    ).toMatchObject({ status: 'FAIL', detail: 'unencrypted volume(s): vol-i-1' });
    expect(evaluateInstance(instance('i-1'), [], ctx).find((r) => r.check === 'fleet.ebs-encrypted')).toMatchObject({
      status: 'ERROR',
    });
  });

  test('without a readable golden AMI the image row is left to the parameter row', () => {
    const rows = evaluateInstance(instance('i-1'), [volume('i-1')], { ...ctx, goldenAmi: undefined });
    expect(rows.map((r) => r.check)).not.toContain('fleet.golden-ami');
  });
});

describe('fleetLifetime (IMM-3)', () => {
  test("uses the group's MaxInstanceLifetime", () => {
    expect(fleetLifetime({ MaxInstanceLifetime: 86_400 } as AutoScalingGroup, env)).toEqual({
      seconds: 86_400,
      source: 'MaxInstanceLifetime of the group',
    });
  });
  test('falls back to the configured lifetime when the group reports none', () => {
    expect(fleetLifetime({} as AutoScalingGroup, env).seconds).toBe(env.fleet.maxInstanceLifetimeDays * 86_400);
  });
});

describe('internetIngress (NET-2)', () => {
  const rule = (IpProtocol: string, FromPort?: number, ToPort?: number, cidr = '0.0.0.0/0') => ({
    IpPermissions: [
      {
        IpProtocol,
        FromPort,
        ToPort,
        ...(cidr.includes(':') ? { Ipv6Ranges: [{ CidrIpv6: cidr }] } : { IpRanges: [{ CidrIp: cidr }] }),
      },
    ],
  });
  test.each<[string, SecurityGroup, boolean, 'allowed' | 'violation' | 'none', RegExp | null]>([
    ['ALB: tcp 443 from anywhere', rule('tcp', 443, 443), true, 'allowed', null],
    ['ALB: tcp 80 from ::/0', rule('tcp', 80, 80, '::/0'), true, 'allowed', null],
    ['ALB: tcp 22 from anywhere', rule('tcp', 22, 22), true, 'violation', /SSH\/RDP must never/],
    ['ALB: tcp 8443 from anywhere', rule('tcp', 8443, 8443), true, 'violation', /ALB admits only tcp 443 and 80/],
    ['ALB: a range 80-443', rule('tcp', 80, 443), true, 'violation', /tcp 80-443/],
    ['ALB: udp 443', rule('udp', 443, 443), true, 'violation', /udp 443/],
    ['other group: tcp 443 from anywhere', rule('tcp', 443, 443), false, 'violation', /only the ALB's security group/],
    [
      'other group: all traffic from ::/0',
      rule('-1', undefined, undefined, '::/0'),
      false,
      'violation',
      /all traffic .*SSH\/RDP/,
    ],
    ['other group: tcp 3389', rule('tcp', 3389, 3389), false, 'violation', /SSH\/RDP/],
    ['other group: every tcp port', rule('tcp', 0, 65535), false, 'violation', /tcp 0-65535 .*SSH\/RDP/],
    ['other group: icmp', rule('icmp', 8, -1), false, 'violation', /icmp from 0.0.0.0\/0/],
    ['other group: tcp 22 from a private range', rule('tcp', 22, 22, '10.0.0.0/8'), false, 'none', null],
    [
      'a group reference only',
      {
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] }],
      },
      false,
      'none',
      null,
    ],
  ])('%s', (_what, group, isAlb, expected, detail) => {
    const { violations, allowed } = internetIngress(group, isAlb);
    expect({ violations: violations.length > 0, allowed: allowed.length > 0 }).toEqual({
      violations: expected === 'violation',
      allowed: expected === 'allowed',
    });
    if (detail) expect(violations.join('; ')).toMatch(detail);
  });
});

/** One item per page, so every list call has to follow NextToken to see everything. */
function onePerPage<T>(key: string, items: readonly T[]) {
  return (input: { NextToken?: string }) => {
    const i = Number(input.NextToken ?? 0);
    return { [key]: items.slice(i, i + 1), NextToken: i + 1 < items.length ? String(i + 1) : undefined };
  };
}

interface World {
  trails: Trail[];
  trailStatus: Record<string, object>;
  groups: AutoScalingGroup[];
  instances: Instance[];
  volumes: Volume[];
  golden: string | Error;
  release: string | Error;
  ebsDefault: boolean;
  vpcs: Vpc[];
  groupsInVpc: SecurityGroup[];
  interfaces: NetworkInterface[];
}

const fleetGroup: AutoScalingGroup = {
  AutoScalingGroupName: 'dev-fleet',
  LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '4' },
  MaxInstanceLifetime: 259_200,
  Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2' }] as AutoScalingGroup['Instances'],
} as AutoScalingGroup;

function compliantWorld(): World {
  return {
    trails: [goodTrail],
    trailStatus: { [goodTrail.TrailARN!]: goodStatus },
    groups: [fleetGroup],
    instances: [instance('i-1'), instance('i-2')],
    volumes: [volume('i-1'), volume('i-2')],
    golden: GOLDEN,
    release: RELEASE,
    ebsDefault: true,
    vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.10.0.0/16' }],
    groupsInVpc: [
      {
        GroupId: 'sg-fleet',
        GroupName: 'fleet',
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, UserIdGroupPairs: [{ GroupId: 'sg-alb' }] }],
      },
      // Not tagged: recognised as the ALB's group through the ALB's network interface only.
      {
        GroupId: 'sg-alb',
        GroupName: 'alb',
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            IpRanges: [{ CidrIp: '0.0.0.0/0' }],
            Ipv6Ranges: [{ CidrIpv6: '::/0' }],
          },
          { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      },
    ],
    interfaces: [
      { NetworkInterfaceId: 'eni-i-1', Description: 'Primary network interface', Groups: [{ GroupId: 'sg-fleet' }] },
      { NetworkInterfaceId: 'eni-alb', Description: 'ELB app/dev-alb/0123', Groups: [{ GroupId: 'sg-alb' }] },
    ],
  };
}

function handlersFor(w: World): Handlers {
  return {
    DescribeTrailsCommand: () => ({ trailList: w.trails }),
    GetTrailStatusCommand: (input: { Name: string }) => w.trailStatus[input.Name] ?? {},
    // An empty first page with a token, as AWS may send: only a paginating caller finds the fleet.
    DescribeAutoScalingGroupsCommand: (input: { NextToken?: string }) =>
      input.NextToken ? { AutoScalingGroups: w.groups } : { AutoScalingGroups: [], NextToken: '1' },
    GetParameterCommand: (input: { Name: string }) => {
      const value = input.Name === RELEASE_PARAM ? w.release : w.golden;
      if (value instanceof Error) throw value;
      return { Parameter: { Value: value } };
    },
    DescribeLaunchTemplateVersionsCommand: () => ({
      LaunchTemplateVersions: [{ LaunchTemplateData: { UserData: userData(RELEASE) } }],
    }),
    DescribeInstancesCommand: (input: { NextToken?: string }) => {
      const page = onePerPage('Instances', w.instances)(input);
      return { Reservations: [{ Instances: page.Instances }], NextToken: page.NextToken };
    },
    DescribeVolumesCommand: onePerPage('Volumes', w.volumes),
    GetEbsEncryptionByDefaultCommand: () => ({ EbsEncryptionByDefault: w.ebsDefault }),
    DescribeVpcsCommand: onePerPage('Vpcs', w.vpcs),
    DescribeSecurityGroupsCommand: onePerPage('SecurityGroups', w.groupsInVpc),
    DescribeNetworkInterfacesCommand: onePerPage('NetworkInterfaces', w.interfaces),
  };
}

describe('verifyEnvironment', () => {
  test('a compliant environment passes, with every list call followed to its last page', async () => {
    const clients = fakeClients(handlersFor(compliantWorld()));
    const rows = await verifyEnvironment(clients, env, { now: NOW });
    expect(rows.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(exitCodeOf(rows)).toBe(0);
    expect(rows.filter((r) => r.check === 'fleet.imdsv2').map((r) => r.resource)).toEqual(['i-1', 'i-2']);
    expect(rows.find((r) => r.resource.startsWith('sg-alb'))).toMatchObject({
      resource: 'sg-alb (alb, ALB)',
      detail: 'internet may reach tcp 443 from 0.0.0.0/0, tcp 443 from ::/0, tcp 80 from 0.0.0.0/0',
    });
    for (const command of [
      'DescribeAutoScalingGroupsCommand',
      'DescribeInstancesCommand',
      'DescribeVolumesCommand',
      'DescribeSecurityGroupsCommand',
      'DescribeNetworkInterfacesCommand',
    ]) {
      expect([command, clients.inputs(command).map((i) => i.NextToken)]).toEqual([command, [undefined, '1']]);
    }
    expect(clients.inputs('DescribeAutoScalingGroupsCommand')[0].Filters).toEqual([
      { Name: 'tag:application', Values: ['acme-saas'] },
      { Name: 'tag:environment', Values: ['dev'] },
      { Name: 'tag:saas:component', Values: ['app-fleet'] },
    ]);
    expect(clients.inputs('GetParameterCommand')).toEqual([{ Name: PARAM }, { Name: RELEASE_PARAM }]);
  });

  test('the best of several trails is reported, and --trail picks one by name', async () => {
    const w = compliantWorld();
    const stopped: Trail = { ...goodTrail, Name: 'a-old', TrailARN: 'arn:old' };
    w.trails = [stopped, goodTrail];
    w.trailStatus['arn:old'] = { IsLogging: false };
    const best = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW });
    expect(best.find((r) => r.check === 'trail.exists')?.detail).toMatch(/best of 2 trails \(also a-old\)/);
    expect(best.filter((r) => r.check.startsWith('trail.')).every((r) => r.status === 'PASS')).toBe(true);

    const named = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW, trailName: 'a-old' });
    expect(named.find((r) => r.check === 'trail.logging')).toMatchObject({ resource: 'a-old', status: 'FAIL' });

    const missing = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW, trailName: 'nope' });
    expect(missing.find((r) => r.check === 'trail.exists')).toMatchObject({
      status: 'FAIL',
      detail: 'no trail named nope is visible from eu-west-1; trails: a-old, org-trail',
    });
  });

  test('an account without a trail, fleet or VPC fails those checks', async () => {
    const w = compliantWorld();
    w.trails = [];
    w.groups = [];
    w.vpcs = [];
    const rows = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW });
    expect(rows.filter((r) => r.status === 'FAIL').map((r) => r.check)).toEqual([
      'trail.exists',
      'fleet.exists',
      'network.vpc',
    ]);
  });

  test('a missing golden AMI parameter is one FAIL naming the parameter', async () => {
    const w = compliantWorld();
    w.golden = awsError('ParameterNotFound');
    const rows = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW });
    expect(rows.filter((r) => r.status !== 'PASS')).toEqual([
      expect.objectContaining({ check: 'fleet.golden-ami', resource: PARAM, status: 'FAIL' }),
    ]);
  });

  test('a call that stays throttled after the SDK retries is an ERROR row; the other checks still run', async () => {
    const w = compliantWorld();
    const clients = fakeClients({
      ...handlersFor(w),
      DescribeInstancesCommand: () => {
        throw awsError('ThrottlingException', 'Rate exceeded', 5);
      },
    });
    const rows = await verifyEnvironment(clients, env, { now: NOW, endpoint: 'moto' });
    expect(rows.filter((r) => r.status !== 'PASS')).toEqual([
      expect.objectContaining({
        check: 'fleet.exists',
        status: 'ERROR',
        detail: 'AWS kept throttling the request (ThrottlingException) after 5 attempts; wait a minute and run again',
      }),
    ]);
    expect(rows.some((r) => r.check === 'trail.delivery' && r.status === 'PASS')).toBe(true);
    expect(exitCodeOf(rows)).toBe(2);
  });

  test('a violation outranks an ERROR in the exit code', async () => {
    const w = compliantWorld();
    w.ebsDefault = false;
    const clients = fakeClients({
      ...handlersFor(w),
      DescribeTrailsCommand: () => {
        throw awsError('AccessDeniedException', 'not allowed');
      },
    });
    const rows = await verifyEnvironment(clients, env, { now: NOW });
    expect(rows.filter((r) => r.status !== 'PASS').map((r) => `${r.check} ${r.status}`)).toEqual([
      'trail.exists ERROR',
      'ebs.encryption-by-default FAIL',
    ]);
    expect(exitCodeOf(rows)).toBe(1);
  });
});

describe('report', () => {
  const rows: CheckResult[] = [
    { check: 'trail.logging', control: 'LOG-1', resource: 'org-trail', status: 'PASS', detail: 'logging' },
    {
      check: 'fleet.imdsv2',
      control: 'IMM-6',
      resource: 'i-0123456789',
      status: 'FAIL',
      detail: 'HttpTokens=optional',
    },
  ];
  const report = buildReport({ environment: 'dev', account: ACCOUNT, region: 'eu-west-1', checkedAt: NOW }, rows);

  test('the table has the check, resource, status and detail columns and a summary', () => {
    expect(renderTable(report).split('\n')).toEqual([
      `OPS-1 verify: environment dev, account ${ACCOUNT}, eu-west-1, 2030-06-01T12:00:00.000Z`,
      '',
      'CHECK          RESOURCE      STATUS  DETAIL',
      'trail.logging  org-trail     PASS    logging',
      'fleet.imdsv2   i-0123456789  FAIL    HttpTokens=optional',
      '',
      '2 checks: 1 PASS, 1 FAIL, 0 ERROR: violations found (exit 1)',
      '',
    ]);
  });

  test('the JSON report carries the summary, exit code and every result', () => {
    expect(JSON.parse(renderJson(report))).toEqual({
      control: 'OPS-1',
      environment: 'dev',
      account: ACCOUNT,
      region: 'eu-west-1',
      checkedAt: '2030-06-01T12:00:00.000Z',
      exitCode: 1,
      summary: { checks: 2, PASS: 1, FAIL: 1, ERROR: 0 },
      results: rows,
    });
  });
});

describe('the false passes of issue 16 are FAIL rows', () => {
  test('the internet spelled as two wider-than-private ranges (IPv4 and IPv6) is internet ingress', () => {
    const group: SecurityGroup = {
      GroupId: 'sg-x',
      IpPermissions: [
        {
          IpProtocol: 'tcp',
          FromPort: 8443,
          ToPort: 8443,
          IpRanges: [{ CidrIp: '0.0.0.0/1' }, { CidrIp: '128.0.0.0/1' }, { CidrIp: '10.0.0.0/8' }],
          Ipv6Ranges: [{ CidrIpv6: '2000::/3' }, { CidrIpv6: 'fd00::/8' }],
        },
      ],
    };
    const { violations } = internetIngress(group, false);
    expect(violations).toEqual([
      "tcp 8443 from 0.0.0.0/1: only the ALB's security group may admit internet traffic",
      "tcp 8443 from 128.0.0.0/1: only the ALB's security group may admit internet traffic",
      "tcp 8443 from 2000::/3: only the ALB's security group may admit internet traffic",
    ]);
  });

  test('a prefix list that resolves to public ranges is the internet; one of private ranges is not', () => {
    const group: SecurityGroup = {
      GroupId: 'sg-x',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, PrefixListIds: [{ PrefixListId: 'pl-public' }] },
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, PrefixListIds: [{ PrefixListId: 'pl-private' }] },
      ],
    };
    const lists = new Map([
      ['pl-public', ['10.1.0.0/16', '203.0.114.0/24']],
      ['pl-private', ['10.1.0.0/16', '192.168.0.0/16', '100.64.0.0/10']],
    ]);
    expect(internetIngress(group, false, lists).violations).toEqual([
      'tcp 22 from 203.0.114.0/24 (prefix list pl-public): SSH/RDP must never be open to the internet',
    ]);
  });

  test('an instance beside the fleet in its VPC, carrying the fleet tags, fails fleet.membership', async () => {
    const w = compliantWorld();
    const fleetTagged = [
      { Key: 'application', Value: 'acme-saas' },
      { Key: 'environment', Value: 'dev' },
      { Key: 'saas:component', Value: 'app-fleet' },
      { Key: RELEASE_TAG, Value: RELEASE },
    ];
    w.instances.push(instance('i-3', { Tags: fleetTagged }));
    w.volumes.push(volume('i-3'));
    const rows = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW });
    expect(rows.filter((r) => r.status !== 'PASS')).toEqual([
      expect.objectContaining({
        check: 'fleet.membership',
        control: 'IMM-2',
        resource: 'i-3',
        status: 'FAIL',
        detail: expect.stringContaining('(it carries the fleet tags)'),
      }),
    ]);
  });

  test('a stopped member is reported (FAIL fleet.state), its other checks still made', async () => {
    const w = compliantWorld();
    w.instances[1] = instance('i-2', { State: { Name: 'stopped' }, MetadataOptions: { HttpTokens: 'optional' } });
    const rows = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW });
    expect(rows.filter((r) => r.status !== 'PASS').map((r) => `${r.check} ${r.resource}`)).toEqual([
      'fleet.state i-2',
      'fleet.imdsv2 i-2',
    ]);
  });

  test('Image Builder build and test instances are recognised, not failed for their base image', async () => {
    const w = compliantWorld();
    w.instances.push(
      instance('i-9', {
        ImageId: 'ami-base',
        Tags: [{ Key: 'Ec2ImageBuilderArn', Value: 'arn:aws:imagebuilder:eu-west-1:1:image/acme-saas-dev/1.0.0/1' }],
      }),
    );
    w.volumes.push(volume('i-9'));
    const rows = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW });
    expect(rows.filter((r) => r.status !== 'PASS')).toEqual([]);
    expect(rows.filter((r) => r.resource === 'i-9').map((r) => r.check)).toEqual(
      expect.arrayContaining(['fleet.membership', 'fleet.golden-ami', 'fleet.imdsv2', 'fleet.no-public-ip']),
    );
    expect(rows.find((r) => r.resource === 'i-9' && r.check === 'fleet.membership')?.detail).toMatch(/Image Builder/);
  });

  test('an instance on another release than the record, and a launch template naming another, fail IMM-9', async () => {
    const w = compliantWorld();
    w.instances[0] = instance('i-1', { Tags: [{ Key: RELEASE_TAG, Value: '1.4.1' }] });
    w.release = `1.5.0 ${'b'.repeat(64)}`;
    const rows = await verifyEnvironment(fakeClients(handlersFor(w)), env, { now: NOW });
    expect(rows.filter((r) => r.status !== 'PASS').map((r) => `${r.check} ${r.resource}`)).toEqual([
      'fleet.launch-template-release dev-fleet',
      'fleet.release i-1',
      'fleet.release i-2',
    ]);
  });
});
