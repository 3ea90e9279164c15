import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InstanceRefresh } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateLaunchTemplateCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { fleetHealthAlarmNames } from '../../lib/config/naming';
import { runCli } from '../../lib/ops/cli';
import { createClients, type OpsClients } from '../../lib/ops/clients';
import { recordedRelease, releaseOfLaunchTemplateVersion } from '../../lib/ops/release';
import {
  releaseBucketParameterName,
  releaseObjectKey,
  releaseOfUserData,
  releaseParameterName,
  renderBootScript,
} from '../../lib/release/contract';
import { tempDir } from '../helpers/app';
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, useMoto } from '../helpers/moto';
import { testEnvironment, writeTestConfig } from './config';
import { fakeClients, type Handlers } from './fakes';

/**
 * IMM-9: `release` and `rollback --to-release` against moto's S3, EC2 launch
 * templates, SSM and CloudWatch alarms. moto answers StartInstanceRefresh
 * with HTTP 500, so the Auto Scaling side is an in-memory fake that keeps the
 * group's launch template version and plays a refresh through the states a
 * test gives it. Every refusal asserts that nothing changed in moto.
 */

const moto = useMoto();
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const REGION = 'eu-west-1';
const APP = 'acme-saas';
const GROUP = 'acme-saas-dev-fleet';
const BUCKET = 'acme-saas-dev-releases';
const ALARMS = Object.values(fleetHealthAlarmNames(APP, 'dev'));
const RECORD = releaseParameterName(APP, 'dev');

const dir = tempDir('ops-release-');
const config = writeTestConfig(dir, MOTO_ACCOUNT);
let ec2: EC2Client;
let s3: S3Client;
let ssm: SSMClient;
let ltId: string;

/** The Auto Scaling fake: the group, its refreshes, and what was started. */
const fleet = {
  version: '1',
  /** States the next refresh goes through, one per poll. */
  progress: [{ Status: 'Successful', PercentageComplete: 100 }] as InstanceRefresh[],
  running: undefined as InstanceRefresh | undefined,
  /** Refreshes that ended, newest first, as DescribeInstanceRefreshes lists them. */
  history: [] as InstanceRefresh[],
  started: [] as Record<string, unknown>[],
};
const FINAL = ['Successful', 'Failed', 'Cancelled', 'RollbackSuccessful', 'RollbackFailed'];

function autoscalingHandlers(): Handlers {
  let polls = 0;
  let desired: string | undefined;
  return {
    DescribeAutoScalingGroupsCommand: () => ({
      AutoScalingGroups: [
        { AutoScalingGroupName: GROUP, LaunchTemplate: { LaunchTemplateId: ltId, Version: fleet.version } },
      ],
    }),
    DescribeInstanceRefreshesCommand: (input: { InstanceRefreshIds?: string[] }) => {
      if (!input.InstanceRefreshIds) {
        return { InstanceRefreshes: [...(fleet.running ? [fleet.running] : []), ...fleet.history] };
      }
      const state = fleet.progress[Math.min(polls++, fleet.progress.length - 1)];
      // Like Auto Scaling: a refresh with a desired configuration moves the group only when it succeeds.
      if (state.Status === 'Successful' && desired) fleet.version = desired;
      if (FINAL.includes(state.Status!) && desired) {
        fleet.history.unshift({
          InstanceRefreshId: `ir-${fleet.history.length + 1}`,
          Status: state.Status,
          DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: ltId, Version: desired } },
        });
        desired = undefined;
      }
      return { InstanceRefreshes: [{ InstanceRefreshId: 'ir-1', ...state }] };
    },
    StartInstanceRefreshCommand: (input: { DesiredConfiguration: { LaunchTemplate: { Version: string } } }) => {
      fleet.started.push(input);
      desired = input.DesiredConfiguration.LaunchTemplate.Version;
      return { InstanceRefreshId: 'ir-1' };
    },
  };
}

/** Real clients on moto, except Auto Scaling (and, when given, S3). */
function hybridClients(overrides: Partial<OpsClients> = {}): OpsClients {
  const real = createClients(REGION, { endpoint: moto.get().endpoint, credentials: MOTO_CREDENTIALS });
  return { ...real, autoscaling: fakeClients(autoscalingHandlers(), REGION).autoscaling, ...overrides };
}

async function run(argv: string[], options: { clients?: () => OpsClients; maxArtifactBytes?: number } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli([...argv, '--config', config], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: { AWS_ENDPOINT_URL: moto.get().endpoint },
    createClients: options.clients ?? (() => hybridClients()),
    now: () => new Date('2030-06-01T12:00:00Z'),
    sleep: async () => undefined,
    maxArtifactBytes: options.maxArtifactBytes,
  });
  return { code, stdout, stderr };
}

/** A gzip tarball like `npm run app:pack` writes, and its `.sha256` beside it. */
function pack(name: string, content: string, sidecar = true): { file: string; sha256: string } {
  const src = path.join(dir, `${name}-src`);
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, 'server.js'), content);
  const file = path.join(dir, `${name}.tgz`);
  execFileSync('tar', ['-czf', file, '-C', src, '.']);
  const sha256 = createHash('sha256')
    .update(execFileSync('cat', [file]))
    .digest('hex');
  if (sidecar) writeFileSync(`${file}.sha256`, `${sha256}  ${name}.tgz\n`);
  return { file, sha256 };
}

async function versions(): Promise<LaunchTemplateVersion[]> {
  const out = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: ltId }));
  return (out.LaunchTemplateVersions ?? []).sort((a, b) => a.VersionNumber! - b.VersionNumber!);
}

async function record(): Promise<string | undefined> {
  return (await ssm.send(new GetParameterCommand({ Name: RECORD }))).Parameter?.Value;
}

async function objectVersions(): Promise<string[]> {
  const out = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));
  return (out.Versions ?? []).map((v) => `${v.Key}@${v.VersionId}`).sort();
}

/** Everything a release could change: launch template versions, the record, the objects, started refreshes. */
async function snapshot() {
  return {
    versions: (await versions()).length,
    record: await record(),
    objects: await objectVersions(),
    started: fleet.started.length,
    group: fleet.version,
  };
}

const boot = (release: string) =>
  renderBootScript(release, {
    releaseBucket: BUCKET,
    region: REGION,
    env: {
      PORT: '8443',
      TLS_CERT: '/etc/app/tls/cert.pem',
      TLS_KEY: '/etc/app/tls/key.pem',
      RELEASE_FILE: '/etc/app/release.json',
      AWS_REGION: REGION,
      DB_HOST: 'db.internal',
      DB_PORT: '5432',
      DB_NAME: 'app',
      DB_USER: 'app_rw',
      DB_CA_FILE: '/etc/app/rds-ca.pem',
      DB_MASTER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db',
      DATA_BUCKET: 'acme-saas-dev-data',
      UPLOAD_URL_TTL_SECONDS: '300',
      LOG_DIR: '/var/log/app',
    },
  });

let v1: { file: string; sha256: string };
let v2: { file: string; sha256: string };

beforeAll(async () => {
  const clientConfig = { ...moto.get().clientConfig, region: REGION };
  ec2 = new EC2Client(clientConfig);
  s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  ssm = new SSMClient(clientConfig);
  const cloudwatch = new CloudWatchClient(clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  await ssm.send(
    new PutParameterCommand({ Name: releaseBucketParameterName(APP, 'dev'), Value: BUCKET, Type: 'String' }),
  );
  await ssm.send(new PutParameterCommand({ Name: RECORD, Value: 'none -', Type: 'String' }));
  for (const AlarmName of ALARMS) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_Target_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }
  cloudwatch.destroy();
  const lt = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: GROUP,
      LaunchTemplateData: {
        ImageId: 'ami-0123456789abcdef0',
        UserData: Buffer.from(boot('none -')).toString('base64'),
        TagSpecifications: [
          { ResourceType: 'instance', Tags: [{ Key: 'application', Value: APP }] },
          { ResourceType: 'volume', Tags: [{ Key: 'application', Value: APP }] },
        ],
      },
    }),
  );
  ltId = lt.LaunchTemplate!.LaunchTemplateId!;
  v1 = pack('app-1.0.0', 'console.log("1.0.0")\n');
  v2 = pack('app-1.1.0', 'console.log("1.1.0")\n');
}, 60_000);

afterAll(() => {
  for (const client of [ec2, s3, ssm]) client?.destroy();
});

beforeEach(() => {
  fleet.progress = [{ Status: 'Successful', PercentageComplete: 100 }];
  fleet.running = undefined;
});

const release = (artifact: string, version: string, ...extra: string[]) =>
  run(['release', '--env', 'dev', '--artifact', artifact, '--version', version, ...extra]);

describe('release bad input changes nothing', () => {
  test('an environment not in the config (exit 2, environments listed)', async () => {
    const before = await snapshot();
    const r = await run(['release', '--env', 'prod-eu', '--artifact', v1.file, '--version', '1.0.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown environment "prod-eu" in ${config}; allowed: dev, qa`);
    expect(await snapshot()).toEqual(before);
  });

  test('a version that does not match the pattern (exit 2, the pattern named)', async () => {
    const before = await snapshot();
    const r = await release(v1.file, '-1.0/../x');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--version "-1.0\/..\/x" is not a release version; allowed: a letter or digit, then/);
    expect(await snapshot()).toEqual(before);
  });

  test('a file that is not a gzip tarball: plain text, and gzip that is not tar (exit 2)', async () => {
    const before = await snapshot();
    const text = path.join(dir, 'notes.tgz');
    writeFileSync(text, 'just text\n');
    const r = await release(text, '1.0.0');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--artifact ${text} is not gzip data (it starts with 6a75, not 1f8b); a release must be a gzip-compressed tarball`,
    );
    const gz = path.join(dir, 'notes.gz');
    writeFileSync(gz, gzipSync(Buffer.alloc(2048, 'x')));
    const g = await release(gz, '1.0.0');
    expect(g.code).toBe(2);
    expect(g.stderr).toContain(`--artifact ${gz} is gzip data but not a tar archive (no ustar header)`);
    const missing = await release(path.join(dir, 'nope.tgz'), '1.0.0');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--artifact .*nope\.tgz does not exist or cannot be read \(ENOENT\)/);
    expect(await snapshot()).toEqual(before);
  });

  test('an artifact over the size limit (a small limit injected; exit 2, both sizes named)', async () => {
    const before = await snapshot();
    const r = await run(['release', '--env', 'dev', '--artifact', v1.file, '--version', '1.0.0'], {
      maxArtifactBytes: 64,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--artifact .*app-1\.0\.0\.tgz is \d+ bytes \(0\.0 MiB\); a release may be at most 64 bytes/,
    );
    expect(await snapshot()).toEqual(before);
  });

  test('a checksum mismatch with the .sha256 beside the artifact, and with --checksum-file (exit 2)', async () => {
    const before = await snapshot();
    const art = pack('app-bad', 'console.log("bad")\n', false);
    writeFileSync(`${art.file}.sha256`, `${'0'.repeat(64)}  app-bad.tgz\n`);
    const r = await release(art.file, '9.9.9');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `checksum mismatch: ${art.file} has SHA-256 ${art.sha256} but ${art.file}.sha256 says ${'0'.repeat(64)}`,
    );
    const other = path.join(dir, 'other.sha256');
    writeFileSync(other, `${v1.sha256}\n`);
    const g = await release(v2.file, '9.9.9', '--checksum-file', other);
    expect(g.code).toBe(2);
    expect(g.stderr).toContain(`checksum mismatch: ${v2.file} has SHA-256 ${v2.sha256} but ${other} says ${v1.sha256}`);
    writeFileSync(other, 'not a checksum\n');
    const bad = await release(v2.file, '9.9.9', '--checksum-file', other);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`checksum file ${other} does not start with a SHA-256; allowed: 64 hex digits`);
    expect(await snapshot()).toEqual(before);
  });

  test('a refresh already running (exit 1, the existing refusal)', async () => {
    fleet.running = { InstanceRefreshId: 'ir-busy', Status: 'InProgress', PercentageComplete: 40 };
    const before = await snapshot();
    const r = await release(v1.file, '1.0.0');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `instance refresh ir-busy of ${GROUP} is InProgress, 40% done; only one refresh can run at a time`,
    );
    expect(await snapshot()).toEqual(before);
  });

  test('a corrupted upload is rejected by S3 (ChecksumSHA256) and nothing is recorded (exit 1)', async () => {
    // moto does not verify ChecksumSHA256, so this S3 does what S3 does: hash what arrived and compare.
    const corrupting = fakeClients(
      {
        HeadObjectCommand: () => {
          throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
        },
        PutObjectCommand: async (input: { Body: NodeJS.ReadableStream; ChecksumSHA256: string }) => {
          const chunks: Buffer[] = [];
          for await (const c of input.Body) chunks.push(Buffer.from(c as Buffer));
          const received = Buffer.concat(chunks);
          received[received.length - 1] ^= 0xff; // one bit flipped on the way
          const actual = createHash('sha256').update(received).digest('base64');
          if (actual !== input.ChecksumSHA256) {
            throw Object.assign(new Error('The SHA256 you specified did not match the calculated checksum.'), {
              name: 'BadDigest',
              $metadata: { httpStatusCode: 400 },
            });
          }
          return {};
        },
      },
      REGION,
    );
    const before = await snapshot();
    const r = await run(['release', '--env', 'dev', '--artifact', v1.file, '--version', '1.0.0'], {
      clients: () => hybridClients({ s3: corrupting.s3 }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `S3 rejected the upload of ${v1.file} to s3://${BUCKET}/releases/1.0.0/app.tgz (BadDigest: The SHA256 you specified did not match the calculated checksum.): the bytes it received do not have SHA-256 ${v1.sha256}; nothing was stored or recorded`,
    );
    expect(corrupting.inputs('PutObjectCommand')[0]).toMatchObject({
      ChecksumSHA256: Buffer.from(v1.sha256, 'hex').toString('base64'),
      Metadata: { sha256: v1.sha256, version: '1.0.0' },
    });
    expect(await snapshot()).toEqual(before);
  });

  test('a missing fleet-health alarm is named before anything changes (exit 1)', async () => {
    const before = await snapshot();
    const r = await run(['release', '--env', 'qa', '--artifact', v1.file, '--version', '1.0.0'], {
      clients: () =>
        hybridClients({
          autoscaling: fakeClients(
            {
              DescribeAutoScalingGroupsCommand: () => ({
                AutoScalingGroups: [
                  {
                    AutoScalingGroupName: 'acme-saas-qa-fleet',
                    LaunchTemplate: { LaunchTemplateId: ltId, Version: '1' },
                  },
                ],
              }),
              DescribeInstanceRefreshesCommand: () => ({ InstanceRefreshes: [] }),
            },
            REGION,
          ).autoscaling,
        }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'fleet-health alarm(s) acme-saas-qa-fleet-target-5xx, acme-saas-qa-fleet-unhealthy-targets not found in eu-west-1',
    );
    expect(await snapshot()).toEqual(before);
  });

  test('--dry-run prints the plan and changes nothing', async () => {
    const before = await snapshot();
    const r = await release(v1.file, '1.0.0', '--dry-run');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `dry run: would upload to s3://${BUCKET}/releases/1.0.0/app.tgz, create a version of launch template ${ltId} from version 1 naming release 1.0.0, record "1.0.0 ${v1.sha256}" (was "none -") and start an instance refresh of ${GROUP} that rolls back on alarm ${ALARMS.join(', ')}`,
    );
    expect(await snapshot()).toEqual(before);
  });
});

describe('release', () => {
  test('uploads with the checksum, creates a version with the release block and tag, records it and refreshes alarm-gated', async () => {
    fleet.progress = [
      { Status: 'Pending' },
      { Status: 'InProgress', PercentageComplete: 50, InstancesToUpdate: 1 },
      { Status: 'Successful', PercentageComplete: 100, InstancesToUpdate: 0 },
    ];
    const r = await release(v1.file, '1.0.0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: releaseObjectKey('1.0.0') }));
    const bytes = Buffer.from(await body.Body!.transformToByteArray());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(v1.sha256);
    expect(body.Metadata).toEqual({ sha256: v1.sha256, version: '1.0.0' });

    const all = await versions();
    expect(all).toHaveLength(2);
    const created = all[1];
    expect(releaseOfLaunchTemplateVersion(created)).toEqual({ version: '1.0.0', sha256: v1.sha256 });
    // Only the release block changed in the boot script.
    const script = Buffer.from(created.LaunchTemplateData!.UserData!, 'base64').toString();
    expect(script.replace(/RELEASE='[^']*'/, "RELEASE='x'")).toBe(
      boot('none -').replace(/RELEASE='[^']*'/, "RELEASE='x'"),
    );
    expect(created.LaunchTemplateData!.TagSpecifications).toEqual([
      {
        ResourceType: 'instance',
        Tags: [
          { Key: 'application', Value: APP },
          { Key: 'saas:release', Value: '1.0.0' },
        ],
      },
      { ResourceType: 'volume', Tags: [{ Key: 'application', Value: APP }] },
    ]);
    expect(await record()).toBe(`1.0.0 ${v1.sha256}`);
    expect(await recordedRelease(hybridClients(), testEnvironment('dev', MOTO_ACCOUNT))).toEqual({
      version: '1.0.0',
      sha256: v1.sha256,
    });
    expect(fleet.started.at(-1)).toEqual({
      AutoScalingGroupName: GROUP,
      Strategy: 'Rolling',
      DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: ltId, Version: '2' } },
      Preferences: {
        AlarmSpecification: { Alarms: ALARMS },
        MinHealthyPercentage: 100,
        MaxHealthyPercentage: 200,
        InstanceWarmup: 300,
        AutoRollback: true,
        SkipMatching: false,
        ScaleInProtectedInstances: 'Refresh',
        StandbyInstances: 'Terminate',
      },
    });
    expect(fleet.version).toBe('2');
    expect(r.stdout.split('\n')).toEqual([
      `artifact ${v1.file}: ${bytes.length} bytes, gzip tarball, SHA-256 ${v1.sha256} (matches ${v1.file}.sha256)`,
      `uploaded ${bytes.length} bytes to s3://${BUCKET}/releases/1.0.0/app.tgz (S3 checked the SHA-256)`,
      `created launch template ${ltId} version 2 from version 1: release 1.0.0 (tag saas:release=1.0.0), same image`,
      `recorded 1.0.0 ${v1.sha256} in ${RECORD}`,
      `started instance refresh ir-1 of ${GROUP} on launch template ${ltId} version 2 (min healthy 100%, max healthy 200%: new nodes launch before old ones terminate; automatic rollback on, and on alarm ${ALARMS.join(', ')})`,
      '12:00:00Z  Pending',
      '12:00:00Z  InProgress, 50%, 1 instance(s) to update',
      '12:00:00Z  Successful, 100%, 0 instance(s) to update',
      `instance refresh ir-1 succeeded: every node of ${GROUP} runs release 1.0.0 (launch template version 2)`,
      '',
    ]);
  });

  test('a version that exists with another checksum is refused (exit 1) and nothing changes', async () => {
    const before = await snapshot();
    const r = await run(['release', '--env', 'dev', '--artifact', v2.file, '--version', '1.0.0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `release 1.0.0 already exists in s3://${BUCKET}/releases/1.0.0/app.tgz with SHA-256 ${v1.sha256}, not ${v2.sha256}; a version is immutable: give this artifact a new --version`,
    );
    expect(await snapshot()).toEqual(before);
  });

  test('the same version with the same checksum reuses the object (no second upload)', async () => {
    const objects = await objectVersions();
    const r = await release(v1.file, '1.0.0', '--json');
    expect(r.code).toBe(0);
    expect(await objectVersions()).toEqual(objects);
    expect(JSON.parse(r.stdout)).toMatchObject({
      control: 'IMM-9',
      command: 'release',
      environment: 'dev',
      release: { version: '1.0.0', sha256: v1.sha256 },
      previous: { version: '1.0.0', sha256: v1.sha256 },
      uploaded: false,
      launchTemplate: { id: ltId, version: '3', sourceVersion: '2' },
      refresh: { id: 'ir-1', status: 'Successful' },
      exitCode: 0,
    });
    expect(r.stderr).toContain('release 1.0.0 is already in s3://');
  });

  test('a refresh that rolls back puts the record back to the previous release (exit 1)', async () => {
    fleet.progress = [
      { Status: 'InProgress', PercentageComplete: 50 },
      { Status: 'RollbackInProgress', StatusReason: `alarm ${ALARMS[0]} is in ALARM` },
      { Status: 'RollbackSuccessful', StatusReason: `alarm ${ALARMS[0]} is in ALARM` },
    ];
    const r = await release(v2.file, '1.1.0');
    expect(r.code).toBe(1);
    expect(await record()).toBe(`1.0.0 ${v1.sha256}`);
    expect(fleet.version).toBe('3');
    expect(r.stderr).toContain(
      `ops release: instance refresh ir-1 of ${GROUP} failed and was rolled back: the fleet runs its previous configuration again (alarm ${ALARMS[0]} is in ALARM); ${GROUP} stays on launch template version 3 (release 1.0.0); the release record ${RECORD} is back to 1.0.0 ${v1.sha256}`,
    );
    // The object stays (versions are immutable); shipping it again reuses it.
    expect((await objectVersions()).some((o) => o.startsWith('releases/1.1.0/'))).toBe(true);
  });

  test('ships a second release', async () => {
    const r = await release(v2.file, '1.1.0');
    expect(r.code).toBe(0);
    expect(await record()).toBe(`1.1.0 ${v2.sha256}`);
    expect(fleet.version).toBe('5');
  });
});

describe('rollback --to-release', () => {
  test('an unknown version is an error listing the releases there are; nothing changes', async () => {
    const before = await snapshot();
    const r = await run(['rollback', '--env', 'dev', '--to-release', '0.9.0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `unknown release "0.9.0": no launch template version of ${ltId} names it; allowed: 1.1.0 (launch template version 5), 1.0.0 (launch template version 3) or previous`,
    );
    expect(await snapshot()).toEqual(before);
  });

  test('the release already running is refused', async () => {
    const r = await run(['rollback', '--env', 'dev', '--to-release', '1.1.0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${GROUP} already runs release 1.1.0 (launch template version 5); nothing to do`);
  });

  test('previous returns to the release before, from the current version, alarm-gated', async () => {
    const before = await versions();
    const r = await run(['rollback', '--env', 'dev', '--to-release', 'previous']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const after = await versions();
    expect(after).toHaveLength(before.length + 1);
    const created = after.at(-1)!;
    expect(releaseOfLaunchTemplateVersion(created)).toEqual({ version: '1.0.0', sha256: v1.sha256 });
    expect(created.VersionDescription).toBe(
      'ops release rollback: release 1.0.0 (of version 3) replaces release 1.1.0',
    );
    expect(created.LaunchTemplateData!.TagSpecifications![0].Tags).toContainEqual({
      Key: 'saas:release',
      Value: '1.0.0',
    });
    expect(await record()).toBe(`1.0.0 ${v1.sha256}`);
    expect(fleet.started.at(-1)).toMatchObject({
      DesiredConfiguration: { LaunchTemplate: { LaunchTemplateId: ltId, Version: String(created.VersionNumber) } },
      Preferences: { AlarmSpecification: { Alarms: ALARMS }, AutoRollback: true, SkipMatching: false },
    });
    expect(r.stdout).toContain(
      `release 1.0.0 (SHA-256 ${v1.sha256}, from launch template version 3) is in s3://${BUCKET}/releases/1.0.0/app.tgz; it replaces release 1.1.0`,
    );
  });

  test('previous after a rollback does not return to the release it moved away from', async () => {
    const r = await run(['rollback', '--env', 'dev', '--to-release', 'previous', '--dry-run']);
    // Versions newest first: 6 (1.0.0, replaced 1.1.0), 5 (1.1.0: rejected), 4 (1.1.0 rolled back), 3 (1.0.0 = current), 2, 1 (none).
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('names a release other than 1.0.0; there is nothing to roll back to');
  });

  test('a release whose object is gone from the bucket is refused before anything changes', async () => {
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET, Prefix: 'releases/1.1.0/' }));
    for (const v of listed.Versions ?? []) {
      await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: v.Key, VersionId: v.VersionId }));
    }
    const before = await snapshot();
    const r = await run(['rollback', '--env', 'dev', '--to-release', '1.1.0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `release 1.1.0 (launch template version 5) is not in s3://${BUCKET}/releases/1.1.0/app.tgz any more; nodes could not boot it`,
    );
    expect(await snapshot()).toEqual(before);
  });

  test('the placeholder is not a release to return to', async () => {
    const r = await run(['rollback', '--env', 'dev', '--to-release', 'none']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to-release none is not a release');
  });
});

test('releaseOfUserData reads what the CLI wrote', () => {
  expect(releaseOfUserData(boot(`2.0.0 ${'a'.repeat(64)}`))).toEqual({ version: '2.0.0', sha256: 'a'.repeat(64) });
});

describe('a refresh that cannot start', () => {
  test('losing the race to another refresh puts the record back and names the unused launch template version', async () => {
    const v3 = pack('app-1.2.0', 'console.log("1.2.0")\n');
    const recordBefore = await record();
    const racing = fakeClients(
      {
        ...autoscalingHandlers(),
        StartInstanceRefreshCommand: () => {
          throw Object.assign(new Error('An Instance Refresh is already in progress'), {
            name: 'InstanceRefreshInProgressFault',
            $metadata: { httpStatusCode: 400 },
          });
        },
      },
      REGION,
    );
    const r = await run(['release', '--env', 'dev', '--artifact', v3.file, '--version', '1.2.0', '--json'], {
      clients: () => hybridClients({ autoscaling: racing.autoscaling }),
    });
    expect(r.code).toBe(1);
    expect(await record()).toBe(recordBefore);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ control: 'IMM-9', command: 'release', exitCode: 1 });
    expect(out.error).toMatch(
      new RegExp(
        `^another instance refresh of ${GROUP} started first .*; no refresh started; launch template version \\d+ exists but nothing uses it; ${GROUP} is unchanged; the release record ${RECORD} is back to ${recordBefore}`,
      ),
    );
  });
});

test('a launch template whose boot script has no release block is refused before anything changes', async () => {
  const old = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'pre-release-fleet',
      LaunchTemplateData: {
        ImageId: 'ami-0123456789abcdef0',
        UserData: Buffer.from('#!/bin/bash\n').toString('base64'),
      },
    }),
  );
  const oldId = old.LaunchTemplate!.LaunchTemplateId!;
  const before = await snapshot();
  const autoscaling = fakeClients(
    {
      DescribeAutoScalingGroupsCommand: () => ({
        AutoScalingGroups: [{ AutoScalingGroupName: GROUP, LaunchTemplate: { LaunchTemplateId: oldId, Version: '1' } }],
      }),
      DescribeInstanceRefreshesCommand: () => ({ InstanceRefreshes: [] }),
    },
    REGION,
  ).autoscaling;
  const r = await run(['release', '--env', 'dev', '--artifact', v1.file, '--version', '7.0.0'], {
    clients: () => hybridClients({ autoscaling }),
  });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    `launch template ${oldId} version 1: the launch template version has no release block in its user data; deploy the App stack`,
  );
  expect(await snapshot()).toEqual(before);
  const listed = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: oldId }));
  expect(listed.LaunchTemplateVersions).toHaveLength(1);
});

test('previous skips a release whose refresh was rolled back', async () => {
  fleet.progress = [{ Status: 'Successful', PercentageComplete: 100 }];
  const a = pack('app-1.3.0', 'console.log("1.3.0")\n');
  const b = pack('app-1.4.0', 'console.log("1.4.0")\n');
  const c = pack('app-1.5.0', 'console.log("1.5.0")\n');
  expect((await release(a.file, '1.3.0')).code).toBe(0);
  fleet.progress = [{ Status: 'RollbackSuccessful', StatusReason: `alarm ${ALARMS[1]} is in ALARM` }];
  expect((await release(b.file, '1.4.0')).code).toBe(1);
  fleet.progress = [{ Status: 'Successful', PercentageComplete: 100 }];
  expect((await release(c.file, '1.5.0')).code).toBe(0);
  const r = await run(['rollback', '--env', 'dev', '--to-release', 'previous', '--dry-run']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/naming release 1\.3\.0 instead of 1\.5\.0/);
});

test('--no-wait returns once the refresh has started; the record names the new release', async () => {
  const d = pack('app-1.6.0', 'console.log("1.6.0")\n');
  const r = await release(d.file, '1.6.0', '--no-wait', '--json');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(out).toMatchObject({ release: { version: '1.6.0' }, refresh: { id: 'ir-1' }, exitCode: 0 });
  expect(out.refresh.status).toBeUndefined();
  expect(await record()).toBe(`1.6.0 ${d.sha256}`);
  expect(r.stderr).toContain('not waiting (--no-wait); follow it with: aws autoscaling describe-instance-refreshes');
});
