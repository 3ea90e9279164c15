import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load';
import { tempDir } from '../helpers/app';

/**
 * scripts/deploy-local.sh (npm run deploy:local): its refusals, which end
 * before moto starts, and the template patches and stack order of its helper.
 * The end-to-end run against moto takes about a minute and is not repeated
 * here; docs/operations.md ("deploy:local") shows its output.
 */

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'deploy-local.sh');
const HELPER = path.join(ROOT, 'scripts', 'deploy-local', 'moto_cfn.py');
const SHIMS = path.join(process.env.HOME ?? '', '.pyenv', 'shims');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile('bash', [SCRIPT, ...args], { cwd: ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

/** A shell environment with node but nothing of the user's AWS setup. */
function baseEnv(pathDirs: readonly string[], home: string): NodeJS.ProcessEnv {
  return { PATH: pathDirs.join(path.delimiter), HOME: home, TMPDIR: tempDir('deploy-local-tmp-') };
}

const systemPath = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'];

function python(args: readonly string[]): string {
  return execFileSync('python3', [HELPER, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}${path.delimiter}${SHIMS}` },
  });
}

describe('scripts/deploy-local.sh', () => {
  test('exits 2 and says how to install moto when moto_server is nowhere', async () => {
    const r = await run([], baseEnv(systemPath, tempDir('deploy-local-home-')));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/moto_server not found on PATH or in .*\/\.pyenv\/shims; install it with: pip install/);
    expect(r.stdout).not.toMatch(/synth/);
  });

  test('refuses an environment outside moto account 123456789012 before starting anything', async () => {
    const r = await run(['--config', 'config/demo.yaml'], { ...process.env, PATH: systemPath.join(path.delimiter) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/environment dev is in account 111111111111; moto answers as 123456789012/);
    expect(r.stdout).not.toMatch(/moto_server|synthesized/);
  });

  test('rejects unknown arguments with its usage', async () => {
    const r = await run(['--bogus'], process.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown argument --bogus/);
    expect(r.stderr).toMatch(/usage: npm run deploy:local/);
  });
});

describe('config/local.yaml', () => {
  test('is valid and puts one environment in moto account, us-east-1 with DR in us-west-2', () => {
    const envs = loadConfig(path.join(ROOT, 'config', 'local.yaml')).environments;
    expect(envs.map((e) => [e.name, e.account, e.region, e.drRegion])).toEqual([
      ['local', '123456789012', 'us-east-1', 'us-west-2'],
    ]);
    // A certificate ARN (not a DNS-validated certificate): moto's CloudFormation cannot create certificates.
    expect(envs[0].ingress.certificate.arn).toBeDefined();
  });
});

describe('scripts/deploy-local/moto_cfn.py', () => {
  /** A two-stack cloud assembly like cdk synth writes: stage "local", App depends on Base. */
  function assembly(): { dir: string; app: string } {
    const dir = tempDir('deploy-local-asm-');
    const stage = path.join(dir, 'assembly-local');
    mkdirSync(stage);
    writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          'assembly-local': {
            type: 'cdk:cloud-assembly',
            properties: { directoryName: 'assembly-local', displayName: 'local' },
          },
        },
      }),
    );
    const stack = (id: string, name: string, region: string, dependencies: string[] = []) => ({
      type: 'aws:cloudformation:stack',
      environment: `aws://123456789012/${region}`,
      displayName: `local/${name}`,
      dependencies: [...dependencies, `${id}.assets`],
      properties: { templateFile: `${id}.template.json`, stackName: `local-${name}` },
    });
    writeFileSync(
      path.join(stage, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          localApp: stack('localApp', 'App', 'us-east-1', ['localBase']),
          'localApp.assets': { type: 'cdk:asset-manifest' },
          localBase: stack('localBase', 'Base', 'us-west-2'),
        },
      }),
    );
    writeFileSync(path.join(stage, 'localBase.template.json'), JSON.stringify({ Resources: {} }));
    const app = path.join(stage, 'localApp.template.json');
    writeFileSync(
      app,
      JSON.stringify({
        Resources: {
          Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: {}, Tags: [{ Key: 'environment', Value: 'local' }] } },
          RestrictSg: { Type: 'Custom::VpcRestrictDefaultSG', Properties: { ServiceToken: 'x' } },
          Vpc: { Type: 'AWS::EC2::VPC', DependsOn: ['RestrictSg'], Properties: {} },
          Role: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: {},
              Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [] } }],
            },
          },
          Params: { Type: 'AWS::RDS::DBParameterGroup', Properties: {} },
          Db: { Type: 'AWS::RDS::DBInstance', Properties: { DBParameterGroupName: { Ref: 'Params' } } },
          Doc: { Type: 'AWS::SSM::Document', Properties: { Content: { schemaVersion: '1.0' } } },
          Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} },
          Tg: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: {} },
          Https: {
            Type: 'AWS::ElasticLoadBalancingV2::Listener',
            Properties: { Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/old' }] },
          },
        },
        Outputs: {
          Lb: { Value: { 'Fn::GetAtt': ['Alb', 'LoadBalancerFullName'] } },
          Tg: { Value: { 'Fn::GetAtt': ['Tg', 'TargetGroupFullName'] } },
        },
      }),
    );
    return { dir, app };
  }

  test('orders the stage stacks by dependency and names their regions', () => {
    const { dir } = assembly();
    const rows = python(['plan', dir, 'local'])
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
      ['local/Base', 'local-Base', 'us-west-2', '-'],
      ['local/App', 'local-App', 'us-east-1', 'local/Base'],
    ]);
  });

  test('patches only what moto cannot take, and says what it changed', () => {
    const { dir, app } = assembly();
    const out = python(['patch', dir, 'local', 'arn:aws:acm:us-east-1:123456789012:certificate/old=arn:moto']);
    const t = JSON.parse(readFileSync(app, 'utf8'));
    expect(t.Resources.Key.Properties.Tags).toEqual([{ TagKey: 'environment', TagValue: 'local' }]);
    expect(t.Resources.Key.Properties.KeyPolicy).toEqual({ 'Fn::ToJsonString': {} });
    expect(t.Resources.Role.Properties.Policies[0].PolicyDocument).toEqual({ 'Fn::ToJsonString': { Statement: [] } });
    expect(t.Resources.RestrictSg).toBeUndefined();
    expect(t.Resources.Vpc.DependsOn).toBeUndefined();
    expect(t.Resources.Db.Properties.DBParameterGroupName).toBeUndefined();
    expect(t.Resources.Doc.Properties).toEqual({
      DocumentFormat: 'JSON',
      Content: { 'Fn::ToJsonString': { schemaVersion: '1.0' } },
    });
    expect(t.Resources.Https.Properties.Certificates).toEqual([{ CertificateArn: 'arn:moto' }]);
    const split = { 'Fn::Split': ['/', { Ref: 'Alb' }] };
    expect(t.Outputs.Lb.Value).toEqual({
      'Fn::Join': ['/', [1, 2, 3].map((i) => ({ 'Fn::Select': [i, split] }))],
    });
    expect(t.Outputs.Tg.Value).toEqual({ 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Tg' }] }] });
    expect(out.trim().split('\n')).toHaveLength(9);
    expect(out).toMatch(/^local\/App: RestrictSg \(Custom::VpcRestrictDefaultSG\): removed/m);
  });
});

/**
 * The whole run against moto, ending with the live evidence report (OPS-3).
 * It takes 3-12 minutes (measured: 181 s, 276 s and 737 s on 2 CPUs shared with other jobs), so the
 * default suite leaves it out; DEPLOY_LOCAL_E2E=1 runs it.
 */
const e2e = process.env.DEPLOY_LOCAL_E2E === '1' ? describe : describe.skip;
e2e('npm run deploy:local (DEPLOY_LOCAL_E2E=1)', () => {
  test('deploys every stack and ends with a live report covering at least 30 controls', async () => {
    const reportDir = tempDir('deploy-local-report-');
    const r = await new Promise<Run>((resolve) => {
      execFile(
        'bash',
        [SCRIPT],
        { cwd: ROOT, env: { ...process.env, DEPLOY_LOCAL_REPORT_DIR: reportDir }, timeout: 1_200_000 },
        (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
      );
    });
    expect(r.stdout).toMatch(/deploy:local: OK \(exit 0\)/);
    expect(r.stdout).toMatch(/^## Summary/m);
    const report = JSON.parse(readFileSync(path.join(reportDir, 'local.live.json'), 'utf8')) as {
      summary: { covered: number; counts: Record<string, number> };
    };
    expect(report.summary.covered).toBeGreaterThanOrEqual(30);
  }, 1_260_000);
});
