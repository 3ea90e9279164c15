import { execFile } from 'node:child_process';
import * as path from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStacksCommand,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { BackupClient, ListBackupVaultsCommand } from '@aws-sdk/client-backup';
import { DescribeInstancesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { tempDir } from '../helpers/app';
import { findMotoServer, MOTO_ACCOUNT, type MotoServer, useMoto } from '../helpers/moto';
import { testConfig } from './config';
import { cliEnv, motoEnv } from './run-ops';

/**
 * npm run teardown against moto: refusals, the plan, confirmation, and the
 * deletion of what the retain policies keep. A small stack of the shape CDK
 * writes (retained bucket, log group and key) is created straight in moto for
 * the fast cases; the last test deploys the whole local environment with
 * `npm run deploy:local` and checks that nothing of it is left.
 */

const ROOT = path.join(__dirname, '..', '..');
/**
 * moto with the deletions its CloudFormation lacks (scripts/deploy-local/moto_server.py: route tables, NAT
 * gateways, endpoints..., and backup vaults), run by the Python beside moto_server (the pyenv shims).
 */
const python = path.join(path.dirname(findMotoServer()), 'python3');
const moto = useMoto({
  command: [existsSync(python) ? python : 'python3', path.join(ROOT, 'scripts', 'deploy-local', 'moto_server.py')],
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runTeardown(args: readonly string[], env: NodeJS.ProcessEnv, timeout = 120_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join('bin', 'teardown.ts'), ...args],
      { cwd: ROOT, env, timeout, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

const clientConfig = (m: MotoServer, region: string) => ({ ...m.clientConfig, region });

/** A config file with `dev` (and `qa`) in moto's account, eu-west-1, DR eu-central-1. */
function configFile(): string {
  const file = path.join(tempDir('teardown-config-'), 'teardown.yaml');
  writeFileSync(file, stringify(testConfig(MOTO_ACCOUNT)));
  return file;
}

/** What CDK writes for a stateful stack: a retained bucket, log group and key. */
function smallTemplate(prefix: string): string {
  return JSON.stringify({
    Resources: {
      LogKey: {
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: {
          Description: `${prefix} key`,
          KeyPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${MOTO_ACCOUNT}:root` },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          },
        },
      },
      Logs: {
        Type: 'AWS::S3::Bucket',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { BucketName: `${prefix}-logs`, VersioningConfiguration: { Status: 'Enabled' } },
      },
      Group: {
        Type: 'AWS::Logs::LogGroup',
        DeletionPolicy: 'Retain',
        Properties: { LogGroupName: `/${prefix}/app`, RetentionInDays: 365 },
      },
      Topic: { Type: 'AWS::SNS::Topic' },
    },
  });
}

async function createSmallStack(m: MotoServer, env: string, terminationProtection = false): Promise<void> {
  const cfn = new CloudFormationClient(clientConfig(m, 'eu-west-1'));
  const name = `${env}-LogArchive`;
  await cfn.send(
    new CreateStackCommand({
      StackName: name,
      TemplateBody: smallTemplate(`td-${env}`),
      EnableTerminationProtection: terminationProtection,
    }),
  );
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60 }, { StackName: name });
  const s3 = new S3Client({ ...clientConfig(m, 'eu-west-1'), forcePathStyle: true });
  for (let i = 0; i < 3; i++) {
    await s3.send(new PutObjectCommand({ Bucket: `td-${env}-logs`, Key: 'a.log', Body: `v${i}` }));
  }
  cfn.destroy();
  s3.destroy();
}

async function leftovers(m: MotoServer, region: string, prefix: string) {
  const cfn = new CloudFormationClient(clientConfig(m, region));
  const s3 = new S3Client({ ...clientConfig(m, region), forcePathStyle: true });
  const logs = new CloudWatchLogsClient(clientConfig(m, region));
  const kms = new KMSClient(clientConfig(m, region));
  try {
    const stacks = (await cfn.send(new ListStacksCommand({}))).StackSummaries ?? [];
    const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
    const groups = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
    // moto's DescribeKey fails on keys its CloudFormation created (their policy is stored as an object), so
    // the keys are listed and compared with those teardown reports as scheduled.
    const keyIds = ((await kms.send(new ListKeysCommand({}))).Keys ?? []).map((k) => k.KeyId as string);
    return {
      stacks: stacks
        .filter((s) => s.StackName?.startsWith(prefix) && s.StackStatus !== 'DELETE_COMPLETE')
        .map((s) => s.StackName),
      buckets: buckets.map((b) => b.Name).filter((n) => n?.includes(prefix)),
      logGroups: groups.map((g) => g.logGroupName).filter((n) => n?.includes(prefix)),
      keyIds,
    };
  } finally {
    for (const c of [cfn, s3, logs, kms]) c.destroy();
  }
}

/** Key IDs the teardown output says it scheduled for deletion (in the plan's region column). */
function scheduledKeys(stdout: string, region?: string): string[] {
  const scheduled = [...stdout.matchAll(/ok +key (\S+) (?:scheduled for deletion|already pending deletion)/g)].map(
    (m) => m[1],
  );
  if (!region) return scheduled;
  const inRegion = new Set(
    [...stdout.matchAll(/schedule key deletion in 7 days +(\S+) \(([a-z0-9-]+),/g)]
      .filter((m) => m[2] === region)
      .map((m) => m[1]),
  );
  return scheduled.filter((k) => inRegion.has(k));
}

/** What of environment `name` moto holds in the primary (us-east-1) and DR (us-west-2) region of config/local.yaml. */
async function environmentIn(m: MotoServer, name: string) {
  const found = {
    stacks: [] as string[],
    buckets: [] as string[],
    logGroups: [] as string[],
    databases: [] as string[],
    vaults: [] as string[],
    runningInstances: [] as string[],
    parameters: [] as string[],
    vpcs: [] as string[],
    keyIds: {} as Record<string, string[]>,
  };
  for (const region of ['us-east-1', 'us-west-2']) {
    const left = await leftovers(m, region, name);
    found.stacks.push(...(left.stacks as string[]));
    found.logGroups.push(...(left.logGroups as string[]));
    if (region === 'us-east-1') found.buckets.push(...(left.buckets as string[]));
    found.keyIds[region] = left.keyIds;
    const config = clientConfig(m, region);
    const rds = new RDSClient(config);
    const backup = new BackupClient(config);
    const ec2 = new EC2Client(config);
    const ssm = new SSMClient(config);
    try {
      found.databases.push(
        ...((await rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((d) => d.DBInstanceIdentifier!),
      );
      found.vaults.push(
        ...((await backup.send(new ListBackupVaultsCommand({}))).BackupVaultList ?? []).map((v) => v.BackupVaultName!),
      );
      const reservations = (await ec2.send(new DescribeInstancesCommand({}))).Reservations ?? [];
      found.runningInstances.push(
        ...reservations
          .flatMap((x) => x.Instances ?? [])
          .filter((i) => i.State?.Name !== 'terminated')
          .map((i) => `${i.InstanceId} (${i.State?.Name})`),
      );
      const vpcs = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
      found.vpcs.push(...vpcs.filter((v) => !v.IsDefault).map((v) => v.VpcId!));
      const params = await ssm.send(new GetParametersByPathCommand({ Path: `/acme-saas/${name}`, Recursive: true }));
      found.parameters.push(...(params.Parameters ?? []).map((p) => `${p.Name} (${region})`));
    } finally {
      for (const c of [rds, backup, ec2, ssm]) c.destroy();
    }
  }
  return found;
}

describe('npm run teardown', () => {
  test('--help describes the flags', async () => {
    const r = await runTeardown(['--help'], cliEnv());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/usage: npm run teardown -- --env NAME \[--config PATH\] \[--dry-run\] \[--yes\]/);
    for (const flag of ['--dry-run', '--yes', '--no-final-snapshot', '--config PATH']) expect(r.stdout).toContain(flag);
  });

  test('refuses a production environment before asking AWS anything', async () => {
    const r = await runTeardown(['--env', 'prod', '--yes'], cliEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /environment "prod" is production \(production: true in the configuration\); teardown is refused/,
    );
    expect(r.stdout).toBe('');
  });

  test('rejects an unknown flag, naming the allowed ones', async () => {
    const r = await runTeardown(['--env', 'dev', '--force'], cliEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown flag --force for "teardown"; allowed: --env, --config, --dry-run, --yes/);
  });

  test('refuses when a deployed stack has termination protection, whatever the configuration says', async () => {
    const m = moto.get();
    await createSmallStack(m, 'qa', true);
    const cfn = new CloudFormationClient(clientConfig(m, 'eu-west-1'));
    const r = await runTeardown(['--env', 'qa', '--config', configFile(), '--yes'], motoEnv(m));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/termination protection is on for qa-LogArchive \(eu-west-1\).*teardown is refused/);
    expect((await cfn.send(new DescribeStacksCommand({ StackName: 'qa-LogArchive' }))).Stacks?.[0].StackStatus).toBe(
      'CREATE_COMPLETE',
    );
    cfn.destroy();
  });

  test('--dry-run lists what it would delete and changes nothing; no terminal and no --yes changes nothing', async () => {
    const m = moto.get();
    await createSmallStack(m, 'dev');
    const config = configFile();
    const dry = await runTeardown(['--env', 'dev', '--config', config, '--dry-run'], motoEnv(m));
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/delete stack +dev-LogArchive \(eu-west-1\)/);
    expect(dry.stdout).toMatch(
      /empty \(every version\) and delete bucket +td-dev-logs \(eu-west-1, retained by dev-LogArchive\)/,
    );
    expect(dry.stdout).toMatch(/delete log group +\/td-dev\/app/);
    expect(dry.stdout).toMatch(/schedule key deletion in 7 days/);
    expect(dry.stdout).toMatch(/--dry-run: nothing was changed/);
    const unconfirmed = await runTeardown(['--env', 'dev', '--config', config], motoEnv(m));
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/nobody to confirm \(no terminal\); pass --yes/);
    const after = await leftovers(m, 'eu-west-1', 'td-dev');
    expect(after.buckets).toEqual(['td-dev-logs']);
    expect(after.logGroups).toEqual(['/td-dev/app']);
  });

  test('--yes deletes the stack, then empties and deletes the retained bucket, the log group, and schedules the key', async () => {
    const m = moto.get();
    const r = await runTeardown(['--env', 'dev', '--config', configFile(), '--yes'], motoEnv(m));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok +deleted bucket td-dev-logs \(\d+ object versions\)/);
    expect(r.stdout).toMatch(/teardown: environment "dev" removed \(1 stack, 3 retained resources\)/);
    const after = await leftovers(m, 'eu-west-1', 'td-dev');
    expect(after).toMatchObject({ buckets: [], logGroups: [] });
    const cfn = new CloudFormationClient(clientConfig(m, 'eu-west-1'));
    await expect(cfn.send(new DescribeStacksCommand({ StackName: 'dev-LogArchive' }))).rejects.toThrow(
      /does not exist/,
    );
    cfn.destroy();
    expect(scheduledKeys(r.stdout)).toHaveLength(1);
    expect(after.keyIds).toEqual(expect.arrayContaining(scheduledKeys(r.stdout)));
    // Run again: nothing is deployed, nothing to do.
    const again = await runTeardown(['--env', 'dev', '--config', configFile(), '--yes'], motoEnv(m));
    expect([again.code, again.stdout]).toEqual([0, expect.stringMatching(/nothing to do/)]);
  });
});

// deploy:local dominates this test (teardown itself takes about 10 s against moto), so it runs only with
// TEARDOWN_E2E=1; see docs/deploying.md ("Trying teardown locally") for the measured times.
(process.env.TEARDOWN_E2E === '1' ? describe : describe.skip)(
  'deploy:local, then teardown: nothing of the local environment is left',
  () => {
    test('every stack, bucket, log group, database, vault, parameter and instance is gone, every key pending deletion', async () => {
      const m = moto.get();
      const env = { ...process.env, DEPLOY_LOCAL_ENDPOINT: m.endpoint };
      const deploy = await new Promise<Run>((resolve) => {
        execFile(
          'bash',
          [path.join(ROOT, 'scripts', 'deploy-local.sh')],
          { cwd: ROOT, env, timeout: 1_500_000, maxBuffer: 20 * 1024 * 1024 },
          (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        );
      });
      expect([deploy.code, deploy.stdout.slice(-3000), deploy.stderr.slice(-2000)]).toEqual([
        0,
        expect.anything(),
        expect.anything(),
      ]);
      const before = await environmentIn(m, 'local');
      expect(before.stacks.length).toBe(10);
      expect(before.buckets.length).toBeGreaterThan(0);
      expect(before.logGroups.length).toBeGreaterThan(0);
      expect(before.databases).toEqual(['acme-saas-local-db']);
      expect(before.vaults.length).toBe(2);
      expect(before.runningInstances.length).toBeGreaterThan(0);
      expect(before.parameters.length).toBeGreaterThan(0);
      expect(before.vpcs.length).toBe(1);

      const started = Date.now();
      const r = await runTeardown(
        ['--env', 'local', '--config', 'config/local.yaml', '--yes', '--no-final-snapshot'],
        motoEnv(m),
        600_000,
      );
      const seconds = Math.round((Date.now() - started) / 1000);
      // TEARDOWN_E2E_OUTPUT=FILE keeps what teardown printed, with its time.
      const output = process.env.TEARDOWN_E2E_OUTPUT;
      if (output) writeFileSync(output, `${r.stdout}\nteardown took ${seconds} s\n`);
      expect([
        r.code,
        r.stderr,
        r.stdout.split('\n').filter((l) => /^ {2}(FAIL|SKIP|RETRY|LEFT)|^ {2}- /.test(l)),
      ]).toEqual([0, '', []]);
      expect(r.stdout).toMatch(/teardown: environment "local" removed \(10 stacks, \d+ retained resources\)/);

      const after = await environmentIn(m, 'local');
      expect({ ...after, keyIds: undefined }).toEqual({
        stacks: [],
        buckets: [],
        logGroups: [],
        databases: [],
        vaults: [],
        runningInstances: [],
        parameters: [],
        vpcs: [],
        keyIds: undefined,
      });
      // Keys are never deleted at once: every key of each region (all the environment's) is scheduled.
      for (const region of ['us-east-1', 'us-west-2']) {
        expect(after.keyIds[region].length).toBeGreaterThan(0);
        expect(scheduledKeys(r.stdout, region).sort()).toEqual([...after.keyIds[region]].sort());
      }
    }, 1_800_000);
  },
);
