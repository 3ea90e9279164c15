import { AttachInstancesCommand, AutoScalingClient, CreateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import {
  CloudTrailClient,
  CreateTrailCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DisableEbsEncryptionByDefaultCommand,
  EC2Client,
  EnableEbsEncryptionByDefaultCommand,
  RegisterImageCommand,
  type RunInstancesCommandInput,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { COMPONENT_TAG, COMPONENTS, fleetHealthAlarmNames, goldenAmiParameterName } from '../../lib/config/naming';
import type { VerifyReport } from '../../lib/ops/report';
import { tempDir } from '../helpers/app';
import { MOTO_ACCOUNT, useMoto } from '../helpers/moto';
import { writeTestConfig } from './config';
import { motoEnv, runOps } from './run-ops';

/**
 * The CLI against moto_server, run as a user runs it. First a compliant
 * environment (exit 0), then the same environment broken one promise at a time
 * (exit 1, every violation named), then a rollback plan over a long launch
 * template history.
 */

const moto = useMoto();
// The SDK's notice that releases after January 2027 need Node 22 would be printed by the setup clients.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REGION = 'eu-west-1';
const APP = 'acme-saas';
const tags = (environment: string, extra: Record<string, string> = {}) =>
  Object.entries({ application: APP, environment, ...extra }).map(([Key, Value]) => ({ Key, Value }));

let config: string;
let ec2: EC2Client;
let autoscaling: AutoScalingClient;
let cloudtrail: CloudTrailClient;
let golden: string;
let old: string;
let subnetId: string;
let vpcId: string;
let fleetGroupId: string;
const compliant: string[] = [];
const violators: Record<'imdsv1' | 'publicIp' | 'oldImage' | 'unencrypted', string> = {
  imdsv1: '',
  publicIp: '',
  oldImage: '',
  unencrypted: '',
};

const verify = (...extra: string[]) =>
  runOps(['verify', '--env', 'dev', '--config', config, ...extra], motoEnv(moto.get()));

async function launch(overrides: Partial<RunInstancesCommandInput> = {}): Promise<string> {
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: golden,
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      SecurityGroupIds: [fleetGroupId],
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      // moto does not apply EBS encryption by default to new volumes, so say it per volume.
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, Encrypted: true } }],
      ...overrides,
    }),
  );
  const id = out.Instances![0].InstanceId!;
  await autoscaling.send(
    new AttachInstancesCommand({ AutoScalingGroupName: 'acme-saas-dev-fleet', InstanceIds: [id] }),
  );
  return id;
}

async function openGroup(name: string, permissions: object[], extraTags: Record<string, string> = {}): Promise<string> {
  const group = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: name,
      Description: name,
      VpcId: vpcId,
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tags('dev', extraTags) }],
    }),
  );
  if (permissions.length > 0) {
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: group.GroupId, IpPermissions: permissions }));
  }
  return group.GroupId!;
}

beforeAll(async () => {
  const server = moto.get();
  const clientConfig = { ...server.clientConfig, region: REGION };
  ec2 = new EC2Client(clientConfig);
  autoscaling = new AutoScalingClient(clientConfig);
  cloudtrail = new CloudTrailClient(clientConfig);
  const ssm = new SSMClient(clientConfig);
  config = writeTestConfig(tempDir('ops-moto-'), MOTO_ACCOUNT);

  // moto creates an S3 bucket on a plain PUT; the S3 client is not a dependency of this project.
  const bucket = await fetch(`${server.endpoint}/acme-trail-logs`, { method: 'PUT' });
  expect(bucket.status).toBe(200);
  await cloudtrail.send(
    new CreateTrailCommand({
      Name: 'org-trail',
      S3BucketName: 'acme-trail-logs',
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      KmsKeyId: `arn:aws:kms:${REGION}:${MOTO_ACCOUNT}:key/00000000-0000-4000-8000-000000000001`,
    }),
  );
  await cloudtrail.send(new StartLoggingCommand({ Name: 'org-trail' }));
  await ec2.send(new EnableEbsEncryptionByDefaultCommand({}));

  // Registered rather than picked from moto's ~1,000 stock images: listing those takes seconds.
  const register = async (Name: string) =>
    (await ec2.send(new RegisterImageCommand({ Name, RootDeviceName: '/dev/xvda', Architecture: 'arm64' }))).ImageId!;
  old = await register('acme-saas-golden-1');
  golden = await register('acme-saas-golden-2');
  await ssm.send(new PutParameterCommand({ Name: goldenAmiParameterName(APP, 'dev'), Value: golden, Type: 'String' }));

  const vpc = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: '10.10.0.0/16',
      TagSpecifications: [{ ResourceType: 'vpc', Tags: tags('dev') }],
    }),
  );
  vpcId = vpc.Vpc!.VpcId!;
  subnetId = (
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.10.1.0/24', AvailabilityZone: `${REGION}a` }))
  ).Subnet!.SubnetId!;
  const albGroupId = await openGroup(
    'alb',
    [
      {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [{ CidrIpv6: '::/0' }],
      },
      { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ],
    { [COMPONENT_TAG]: COMPONENTS.entry },
  );
  fleetGroupId = await openGroup('fleet', []);
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: fleetGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, UserIdGroupPairs: [{ GroupId: albGroupId }] }],
    }),
  );

  const lt = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'acme-saas-dev-fleet',
      LaunchTemplateData: { ImageId: golden, MetadataOptions: { HttpTokens: 'required' } },
    }),
  );
  // Desired capacity 0: moto's own launches ignore the template's metadata options and volumes, so the
  // test launches the nodes itself and attaches them.
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'acme-saas-dev-fleet',
      LaunchTemplate: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId, Version: '1' },
      MinSize: 0,
      MaxSize: 10,
      DesiredCapacity: 0,
      VPCZoneIdentifier: subnetId,
      MaxInstanceLifetime: 3 * 86_400,
      Tags: [...tags('dev'), { Key: COMPONENT_TAG, Value: COMPONENTS.fleet }].map((t) => ({
        ...t,
        PropagateAtLaunch: true,
      })),
    }),
  );
  compliant.push(await launch(), await launch());
}, 60_000);

afterAll(() => {
  for (const client of [ec2, autoscaling, cloudtrail]) client?.destroy();
});

const row = (report: VerifyReport, check: string, resource: string) =>
  report.results.find((r) => r.check === check && r.resource.startsWith(resource));

/**
 * The OPS-1 checks this file sets up on moto. The live evidence families
 * (ALB, WAF, RDS, buckets, ...) and the release record are not created here,
 * so their rows FAIL; they are tested in test/ops/live/ and by deploy:local.
 */
const OPS1 = new Set([
  'trail.exists',
  'trail.logging',
  'trail.multi-region',
  'trail.log-file-validation',
  'trail.kms-encryption',
  'trail.delivery',
  'fleet.exists',
  'fleet.golden-ami',
  'fleet.instance-age',
  'fleet.imdsv2',
  'fleet.ebs-encrypted',
  'fleet.no-public-ip',
  'fleet.membership',
  'fleet.state',
  'ebs.encryption-by-default',
  'network.vpc',
  'network.internet-ingress',
]);
const ops1 = (report: VerifyReport) => report.results.filter((x) => OPS1.has(x.check));

describe('verify against moto', () => {
  test('a compliant environment passes every OPS-1 check (the live families are not set up here)', async () => {
    const json = await verify('--json');
    expect(json.stderr).toBe('');
    const report = JSON.parse(json.stdout) as VerifyReport;
    expect(ops1(report).filter((x) => x.status !== 'PASS')).toEqual([]);
    for (const id of compliant) {
      for (const check of ['golden-ami', 'instance-age', 'imdsv2', 'ebs-encrypted', 'no-public-ip']) {
        expect(row(report, `fleet.${check}`, id)?.status).toBe('PASS');
      }
    }
    expect(row(report, 'network.internet-ingress', '')?.status).toBe('PASS');
    expect(report.results.map((x) => x.check)).toEqual(
      expect.arrayContaining(['trail.delivery', 'ebs.encryption-by-default', 'network.vpc', 'fleet.exists']),
    );
  });

  test('each broken promise is reported and the run exits 1', async () => {
    await cloudtrail.send(new StopLoggingCommand({ Name: 'org-trail' }));
    await ec2.send(new DisableEbsEncryptionByDefaultCommand({}));
    violators.imdsv1 = await launch({ MetadataOptions: { HttpTokens: 'optional' } });
    violators.publicIp = await launch({
      SubnetId: undefined,
      SecurityGroupIds: undefined,
      NetworkInterfaces: [
        { DeviceIndex: 0, SubnetId: subnetId, Groups: [fleetGroupId], AssociatePublicIpAddress: true },
      ],
    });
    violators.oldImage = await launch({ ImageId: old });
    violators.unencrypted = await launch({
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8, Encrypted: false } }],
    });
    const ssh = await openGroup('debug-ssh', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
    ]);
    const admin = await openGroup('admin-ui', [
      { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
    ]);

    const r = await verify('--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as VerifyReport;
    const failures = ops1(report)
      .filter((x) => x.status !== 'PASS')
      .map((x) => [x.check, x.resource.split(' ')[0]]);
    expect(failures).toEqual(
      expect.arrayContaining([
        ['trail.logging', 'org-trail'],
        ['ebs.encryption-by-default', REGION],
        ['fleet.imdsv2', violators.imdsv1],
        ['fleet.no-public-ip', violators.publicIp],
        ['fleet.golden-ami', violators.oldImage],
        ['fleet.ebs-encrypted', violators.unencrypted],
        ['network.internet-ingress', ssh],
        ['network.internet-ingress', admin],
      ]),
    );
    // Nothing else: the compliant nodes and the ALB's group still pass.
    expect(failures).toHaveLength(8);
    expect(row(report, 'network.internet-ingress', ssh)?.detail).toBe(
      'tcp 22 from 0.0.0.0/0: SSH/RDP must never be open to the internet',
    );
    expect(row(report, 'fleet.golden-ami', violators.oldImage)?.detail).toContain(
      `runs ${old}, not the golden AMI ${golden}`,
    );

    const table = await verify();
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(new RegExp(`^fleet\\.imdsv2 +${violators.imdsv1} +FAIL +HttpTokens=optional`, 'm'));
    expect(table.stdout).toMatch(/^trail\.logging +org-trail +FAIL +not logging since/m);
  });

  test('--trail with a name the account does not have fails the trail check', async () => {
    const r = await verify('--trail', 'missing-trail', '--json');
    expect(r.code).toBe(1);
    expect(row(JSON.parse(r.stdout), 'trail.exists', 'missing-trail')).toMatchObject({
      status: 'FAIL',
      detail: `no trail named missing-trail is visible from ${REGION}; trails: org-trail`,
    });
  });
});

describe('rollback against moto', () => {
  test('--dry-run finds the previous image behind more versions than moto returns in one page', async () => {
    const lt = await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: 'acme-saas-qa-fleet',
        LaunchTemplateData: { ImageId: old },
      }),
    );
    const id = lt.LaunchTemplate!.LaunchTemplateId!;
    // Versions 2-20 all use the current image: moto lists at most 15 versions per call and no NextToken.
    for (let n = 2; n <= 20; n++) {
      await ec2.send(
        new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: id, LaunchTemplateData: { ImageId: golden } }),
      );
    }
    await autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'acme-saas-qa-fleet',
        LaunchTemplate: { LaunchTemplateId: id, Version: '20' },
        MinSize: 0,
        MaxSize: 2,
        DesiredCapacity: 0,
        VPCZoneIdentifier: subnetId,
        Tags: [...tags('qa'), { Key: COMPONENT_TAG, Value: COMPONENTS.fleet }].map((t) => ({
          ...t,
          PropagateAtLaunch: true,
        })),
      }),
    );

    // The alarms every refresh watches (IMM-9); a missing one is an error.
    const cloudwatch = new CloudWatchClient({ ...moto.get().clientConfig, region: REGION });
    for (const AlarmName of Object.values(fleetHealthAlarmNames(APP, 'qa'))) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName,
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'UnHealthyHostCount',
          Statistic: 'Maximum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    }
    cloudwatch.destroy();

    const r = await runOps(['rollback', '--env', 'qa', '--config', config, '--dry-run'], motoEnv(moto.get()));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // moto has no instance refresh API, so the dry run cannot look for a running one and says so.
    expect(r.stdout).toMatch(/^warning: could not check for a running instance refresh/m);
    expect(r.stdout).toContain(
      `dry run: would create a version of launch template ${id} from version 20 in which image ${old} (of version 1) replaces ${golden} (of version 20), point acme-saas-qa-fleet at it and replace every node`,
    );
  });
});
