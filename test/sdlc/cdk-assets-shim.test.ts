/**
 * The delivery pipeline's stand-in for cdk-assets (scripts/pipeline/cdk-assets.mjs):
 * it takes the arguments CDK Pipelines passes and publishes through the pinned
 * aws-cdk CLI. Run as a process, the way the asset steps run it; the last test
 * publishes for real, into moto.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, CfnWaitConditionHandle, Stack, Stage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ASSET_SHIM } from '../../lib/constructs/delivery-pipeline';
import { CDK_CONTEXT, ROOT, tempDir } from '../helpers/app';
import { MOTO_CREDENTIALS, useMoto } from '../helpers/moto';

const SHIM = path.join(ROOT, ASSET_SHIM.source);
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

/** A cloud assembly like the pipeline's: a stage in another account with one file asset. */
function assembly(): { dir: string; manifest: string } {
  const content = tempDir();
  writeFileSync(path.join(content, 'index.html'), '<h1>asset</h1>');
  const app = new App({ outdir: tempDir(), context: CDK_CONTEXT, builtinCloudFormationValidation: false });
  const stage = new Stage(app, 'dev', { env: { account: ACCOUNT, region: REGION } });
  const stack = new Stack(stage, 'App');
  const asset = new s3assets.Asset(stack, 'Site', { path: content });
  new CfnWaitConditionHandle(stack, 'Uses').addMetadata('asset', asset.s3ObjectUrl);
  const dir = app.synth().directory;
  const manifest = readdirSync(path.join(dir, 'assembly-dev')).find((f) => f.endsWith('.assets.json'))!;
  return { dir, manifest: `assembly-dev/${manifest}` };
}

function runShim(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [SHIM, ...args], { cwd, env: { ...process.env, ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A stand-in CLI that records its arguments and exits with the given code. */
function fakeCli(exitCode: number): { cli: string; args: () => string[] } {
  const dir = tempDir();
  const log = path.join(dir, 'args.json');
  const cli = path.join(dir, 'cdk');
  writeFileSync(
    cli,
    `#!/usr/bin/env node\nrequire('fs').writeFileSync(${JSON.stringify(log)}, JSON.stringify([process.cwd(), ...process.argv.slice(2)]));\nprocess.exit(${exitCode});\n`,
  );
  chmodSync(cli, 0o755);
  return { cli, args: () => JSON.parse(readFileSync(log, 'utf8')) as string[] };
}

let built: { dir: string; manifest: string };
beforeAll(() => {
  built = assembly();
});

test('the arguments CDK Pipelines passes become one publish-assets call for the stack of that manifest', () => {
  const fake = fakeCli(0);
  const r = runShim(['--path', built.manifest, '--verbose', 'publish', 'abc:111111111111-eu-west-1'], built.dir, {
    CDK_CLI: fake.cli,
  });
  expect([r.code, r.stderr]).toEqual([0, expect.stringContaining('-> ')]);
  expect(fake.args()).toEqual([
    expect.stringMatching(new RegExp(`${path.basename(built.dir)}$`)),
    '--app',
    '.',
    'publish-assets',
    '--unstable=publish-assets',
    '--exclusively',
    'dev/App',
    '--verbose',
  ]);
});

test("the CLI's failure is the step's failure", () => {
  const fake = fakeCli(3);
  expect(runShim(['--path', built.manifest, 'publish', 'a:b'], built.dir, { CDK_CLI: fake.cli }).code).toBe(3);
});

test.each([
  [['publish', 'a:b'], /--path is required/],
  [['--path', 'x.assets.json', 'ls'], /only "publish" is supported \(got ls\)/],
  [['--path', 'x.assets.json', '--profile', 'p', 'publish'], /unknown option --profile/],
  [['--path', 'assembly-dev/nope.assets.json', 'publish', 'a:b'], /is not an asset manifest listed in/],
])('refuses %j with exit 2 and a usage line', (args, message) => {
  const r = runShim(args, built.dir, { CDK_CLI: '/bin/false' });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/usage: cdk-assets --path ASSET_MANIFEST/);
});

test('a manifest with container image assets is refused: the asset steps have no Docker', () => {
  const dir = tempDir();
  cpSync(built.dir, dir, { recursive: true });
  const file = path.join(dir, built.manifest);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ ...manifest, dockerImages: { abc: {} } }));
  const r = runShim(['--path', built.manifest, 'publish', 'abc:x'], dir, { CDK_CLI: '/bin/true' });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/has container image assets \(abc\); this shim publishes file assets only/);
});

describe('against moto', () => {
  const moto = useMoto();

  test('publishes the asset into the target account through its file-publishing role, with the pinned CLI', async () => {
    const { endpoint } = moto.get();
    const role = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-file-publishing-role-${ACCOUNT}-${REGION}`;
    const sts = new STSClient({ region: REGION, endpoint, credentials: MOTO_CREDENTIALS });
    const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'bootstrap' }));
    const credentials = {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken,
    };
    // What `cdk bootstrap` leaves in the target account: the assets bucket and the version parameter.
    const bucket = `cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`;
    const s3 = new S3Client({ region: REGION, endpoint, credentials, forcePathStyle: true });
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    await new SSMClient({ region: REGION, endpoint, credentials }).send(
      new PutParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version', Type: 'String', Value: '30' }),
    );

    const r = runShim(['--path', built.manifest, 'publish', 'a:b'], built.dir, {
      CDK_CLI: path.join(ROOT, 'node_modules', '.bin', 'cdk'),
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      CDK_DISABLE_VERSION_CHECK: '1',
    });
    // The CLI logs to stderr, or to stdout when CI=true.
    expect([r.code, r.stdout + r.stderr]).toEqual([0, expect.stringContaining('Assets published successfully')]);

    const manifest = JSON.parse(readFileSync(path.join(built.dir, built.manifest), 'utf8')) as {
      files: Record<string, { destinations: Record<string, { objectKey: string }> }>;
    };
    const expected = Object.values(manifest.files).flatMap((f) =>
      Object.values(f.destinations).map((d) => d.objectKey),
    );
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key).sort()).toEqual(expected.sort());
  }, 60_000);
});
