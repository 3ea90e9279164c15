import { readFileSync } from 'node:fs';
import { runCli } from '../../lib/ops/cli';
import { tempDir } from '../helpers/app';
import { freePort, MOTO_CREDENTIALS } from '../helpers/moto';
import { writeTestConfig } from './config';
import { ACCOUNT, awsError, fakeClients, type Handlers } from './fakes';
import { EMPTY_LIVE, fakeLiveClients } from './live/fakes';
import { cliEnv, runOps } from './run-ops';

const config = writeTestConfig(tempDir('ops-cli-'), ACCOUNT);

/** An account with nothing deployed: every "exists" check fails. */
const emptyAccount: Handlers = {
  DescribeTrailsCommand: () => ({ trailList: [] }),
  DescribeAutoScalingGroupsCommand: () => ({ AutoScalingGroups: [] }),
  GetEbsEncryptionByDefaultCommand: () => ({ EbsEncryptionByDefault: true }),
  DescribeVpcsCommand: () => ({ Vpcs: [] }),
  GetDocumentCommand: () => {
    throw awsError('InvalidDocument');
  },
  GetParameterCommand: () => {
    throw awsError('ParameterNotFound');
  },
};

async function run(argv: string[], handlers: Handlers = emptyAccount) {
  let stdout = '';
  let stderr = '';
  const regions: string[] = [];
  const code = await runCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: {},
    createClients: (region) => {
      regions.push(region);
      return fakeClients(handlers, region);
    },
    createLiveClients: (region) => fakeLiveClients({ ...EMPTY_LIVE, ...handlers }, region),
    now: () => new Date('2030-06-01T12:00:00Z'),
    sleep: async () => undefined,
  });
  return { code, stdout, stderr, regions };
}

describe('runCli', () => {
  test('verify prints the table for the environment of the config, in its region, and exits 1 on violations', async () => {
    const r = await run(['verify', '--env', 'dev', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.regions).toEqual(['eu-west-1']);
    expect(r.stdout).toMatch(
      /^OPS-1 verify: environment dev, account 123456789012, eu-west-1, 2030-06-01T12:00:00.000Z/,
    );
    expect(r.stdout).toMatch(/^trail\.exists +\(account\) +FAIL +no CloudTrail trail is visible from eu-west-1/m);
    expect(r.stdout).toMatch(/31 checks: 2 PASS, 28 FAIL, 1 ERROR: violations found \(exit 1\)/);
    expect(r.stderr).toBe('');
  });

  test('verify --json prints only the JSON report', async () => {
    const r = await run(['verify', '--env', 'dev', '--config', config, '--json']);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ control: 'OPS-1', environment: 'dev', exitCode: 1, summary: { FAIL: 28 } });
  });

  test('verify --report DIR writes the live evidence report, every control of the catalog in it', async () => {
    const dir = tempDir('ops-live-report-');
    const r = await run(['verify', '--env', 'dev', '--config', config, '--report', dir, '--assembly', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`live evidence report: ${dir}/dev.live.md, ${dir}/dev.live.json\n`);
    const json = JSON.parse(readFileSync(`${dir}/dev.live.json`, 'utf8'));
    expect(json).toMatchObject({ kind: 'live', environment: { name: 'dev', account: ACCOUNT }, exitCode: 1 });
    expect(json.controls).toHaveLength(43);
    expect(json.controls.find((c: { control: string }) => c.control === 'OPS-3')).toMatchObject({
      status: 'ERROR',
      evidence: [expect.objectContaining({ value: '(not read)' })],
    });
    const md = readFileSync(`${dir}/dev.live.md`, 'utf8');
    expect(md).toMatch(/^# Live security evidence: dev/);
    expect(md).toContain('| | resource | property | value found | value required |'.replace('| |', '|  |'));
  });

  test('credentials of another account are refused before any check (exit 2)', async () => {
    const r = await run(['verify', '--env', 'dev', '--config', config], {
      ...emptyAccount,
      GetCallerIdentityCommand: () => ({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/x' }),
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /the credentials are for account 999999999999 .* but environment "dev" is account 123456789012; use credentials for 123456789012/,
    );
    expect(r.stdout).toBe('');
  });

  test('missing credentials say how to provide them (exit 2), also as JSON with --json', async () => {
    const r = await run(['verify', '--env', 'dev', '--config', config, '--json'], {
      GetCallerIdentityCommand: () => {
        throw awsError('CredentialsProviderError', 'Could not load credentials from any providers');
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /no AWS credentials found .*set AWS_PROFILE .* or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
    );
    expect(JSON.parse(r.stdout)).toMatchObject({ exitCode: 2, error: expect.stringMatching(/no AWS credentials/) });
  });

  test('rotate refused because of a running refresh exits 1 with the reason on stderr', async () => {
    const r = await run(['rotate', '--env', 'dev', '--config', config], {
      DescribeAutoScalingGroupsCommand: () => ({
        AutoScalingGroups: [
          { AutoScalingGroupName: 'fleet', LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '3' } },
        ],
      }),
      DescribeInstanceRefreshesCommand: () => ({
        InstanceRefreshes: [{ InstanceRefreshId: 'ir-1', Status: 'InProgress' }],
      }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^ops rotate: instance refresh ir-1 of fleet is InProgress; only one refresh can run at a time/,
    );
  });

  test('an AWS error during rotate is exit 2 with its classified message', async () => {
    const r = await run(['rotate', '--env', 'dev', '--config', config, '--no-wait'], {
      DescribeAutoScalingGroupsCommand: () => {
        throw awsError('AccessDenied', 'not authorized to perform autoscaling:DescribeAutoScalingGroups');
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/access denied \(AccessDenied: not authorized/);
  });

  test.each([
    [[], 2, /usage: ops <command>/, 'stderr'],
    [['help'], 0, /usage: ops <command>/, 'stdout'],
    [['verify', '--help'], 0, /--max-delivery-age-hours N/, 'stdout'],
    [['deploy'], 2, /unknown command "deploy"; commands: verify, rotate, rollback, release\nRun "ops help"/, 'stderr'],
    [['verify', '--config', config], 2, /--env is required; environments in .*: dev, qa/, 'stderr'],
    [
      ['verify', '--env', 'prod', '--config', config],
      2,
      /unknown environment "prod" in .*; allowed: dev, qa/,
      'stderr',
    ],
    [
      ['rollback', '--env', 'dev', '--config', '/nonexistent.yaml'],
      2,
      /configuration file \/nonexistent.yaml not found; pass an existing YAML or JSON file with --config PATH/,
      'stderr',
    ],
    [['release', '--help'], 0, /usage: ops release[\s\S]*--artifact FILE[\s\S]*--version V/, 'stdout'],
    [['release', '--env', 'dev', '--config', config, '--version', '1.0.0'], 2, /--artifact is required/, 'stderr'],
    [['release', '--env', 'dev', '--config', config, '--artifact', 'a.tgz'], 2, /--version is required/, 'stderr'],
    [['rollback', '--env', 'dev', '--config', config, '--json'], 2, /--json needs --to-release/, 'stderr'],
    [['rollback', '--help'], 0, /--to-release V\|previous/, 'stdout'],
  ] as const)('%j exits %i', async (argv, code, message, stream) => {
    const r = await run([...argv]);
    expect(r.code).toBe(code);
    expect(r[stream]).toMatch(message);
  });
});

describe('bin/ops.ts as a user runs it', () => {
  test('an unknown flag exits 2 naming the flag and the allowed ones', async () => {
    const r = await runOps(['verify', '--env', 'dev', '--colour'], cliEnv());
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain(
      'ops verify: unknown flag --colour for "verify"; allowed: --env, --config, --json, --max-delivery-age-hours, --trail, --assembly, --report, --help',
    );
  });

  test('release --help answers (npm run release -- --help)', async () => {
    const r = await runOps(['release', '--help'], cliEnv());
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: ops release --env NAME/);
    expect(r.stdout).toContain('--checksum-file FILE');
  });

  test('an unknown environment of the demo config exits 2 listing the environments', async () => {
    const r = await runOps(['rotate', '--env', 'production'], cliEnv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown environment "production" in .*config\/demo.yaml; allowed: dev, staging, prod/);
  });

  test('an unreachable endpoint exits 2 and says what to check', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const env = cliEnv({
      AWS_ENDPOINT_URL: closed,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    });
    const r = await runOps(['verify', '--env', 'dev', '--config', config], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ops verify: cannot reach ${closed} (AWS_ENDPOINT_URL) (ECONNREFUSED`);
    expect(r.stderr).toMatch(/check the network, proxy and AWS_ENDPOINT_URL/);
  });

  test('missing credentials exit 2 and say how to provide them', async () => {
    // The endpoint is a closed local port so that nothing could ever reach AWS.
    const env = cliEnv({ AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}` });
    const r = await runOps(['verify', '--env', 'dev', '--config', config], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ops verify: no AWS credentials found/);
  });
});
