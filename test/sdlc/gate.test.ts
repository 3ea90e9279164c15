import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load';
import { gateRequested, runSynthGate, SYNTH_GATE_ENV } from '../../lib/sdlc/gate';
import { CDK_CONTEXT, ROOT, synthConfig, tempDir } from '../helpers/app';

/** A fake cfn-lint: an error (exit 2) for a template containing "FAKE_LINT_ERROR", else a clean pass. */
const FAKE = `#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo "cfn-lint 9.9.9"; exit 0; fi
rc=0
for f in "$@"; do
  case "$f" in --*|parseable) continue ;; esac
  if grep -q FAKE_LINT_ERROR "$f"; then echo "$f:1:1:1:2:E3001:Invalid resource"; rc=2; fi
done
exit $rc
`;

const config = loadConfig();
const prod = config.environments.find((e) => e.production)!;
let shared: string;
let fake: string;
beforeAll(() => {
  shared = synthConfig(config).outdir;
  const dir = tempDir('gate-fake-');
  fake = path.join(dir, 'cfn-lint');
  writeFileSync(fake, FAKE);
  chmodSync(fake, 0o755);
});

/** A private copy of the demo assembly (the shared one must not be written to). */
function assemblyCopy(): string {
  const outdir = path.join(tempDir('gate-'), 'cdk.out');
  cpSync(shared, outdir, { recursive: true });
  return outdir;
}

/** The template file of one stack of the copy, by its display name (e.g. "prod/App"). */
function templateOf(outdir: string, env: string, stack: string): string {
  const manifest = JSON.parse(readFileSync(path.join(outdir, `assembly-${env}`, 'manifest.json'), 'utf8'));
  const artifact = Object.values<{ displayName?: string; properties?: { templateFile?: string } }>(
    manifest.artifacts,
  ).find((a) => a.displayName === `${env}/${stack}`)!;
  return path.join(outdir, `assembly-${env}`, artifact.properties!.templateFile!);
}

async function gate(outdir: string, env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const code = await runSynthGate({
    outdir,
    root: ROOT,
    env: { ...process.env, CFN_LINT: fake, CFN_LINT_CACHE_DIR: tempDir('gate-cache-'), ...env },
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
  });
  return { code, out, err };
}

test('runs only when SAAS_SYNTH_GATE is 1, and npm run synth sets it on the synth itself', () => {
  expect(SYNTH_GATE_ENV).toBe('SAAS_SYNTH_GATE');
  expect([gateRequested({}), gateRequested({ SAAS_SYNTH_GATE: '0' }), gateRequested({ SAAS_SYNTH_GATE: '1' })]).toEqual(
    [false, false, true],
  );
  expect(readFileSync(path.join(ROOT, 'scripts', 'synth.sh'), 'utf8')).toMatch(
    /^SAAS_SYNTH_GATE=1 CDK_VALIDATION=false npx --no-install cdk synth /m,
  );
});

test('a clean assembly: cfn-lint over every template, then the evidence report, exit 0', async () => {
  const outdir = assemblyCopy();
  const r = await gate(outdir);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  const lint = r.out.indexOf('lint-templates: 32 templates (0 already passed, cached; 32 linted');
  const report = r.out.indexOf(`evidence: ${prod.name} (production): `);
  expect(lint).toBeGreaterThanOrEqual(0);
  expect(report).toBeGreaterThan(lint);
  for (const env of config.environments)
    expect(existsSync(path.join(outdir, 'evidence', `${env.name}.json`))).toBe(true);
});

test('a cfn-lint error fails the gate with 1 before any report is written', async () => {
  const outdir = assemblyCopy();
  const file = templateOf(outdir, 'dev', 'Network');
  const template = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...template, Description: 'FAKE_LINT_ERROR' }));
  const r = await gate(outdir);
  expect(r.code).toBe(1);
  expect(r.out).toContain(`${file}:1:1:1:2:E3001:Invalid resource`);
  expect(r.err).toContain('cfn-lint found errors in 1 of 32 templates');
  expect(existsSync(path.join(outdir, 'evidence'))).toBe(false);
});

test('a FAILing control of the production environment fails the gate with 1, with the report written', async () => {
  const outdir = assemblyCopy();
  const file = templateOf(outdir, prod.name, 'App');
  const template = JSON.parse(readFileSync(file, 'utf8'));
  const asg = Object.values<{ Type: string; Properties: Record<string, unknown> }>(template.Resources).find(
    (r) => r.Type === 'AWS::AutoScaling::AutoScalingGroup',
  )!;
  asg.Properties.MaxInstanceLifetime = 30 * 86_400;
  writeFileSync(file, JSON.stringify(template));
  const r = await gate(outdir);
  expect(r.code).toBe(1);
  const report = JSON.parse(readFileSync(path.join(outdir, 'evidence', `${prod.name}.json`), 'utf8'));
  const imm3 = report.controls.find((c: { control: string }) => c.control === 'IMM-3');
  expect(imm3.status).toBe('FAIL');
});

test('a bad CFN_LINT_JOBS is refused with 2, naming the variable and what it takes', async () => {
  const r = await gate(assemblyCopy(), { CFN_LINT_JOBS: 'many' });
  expect(r.code).toBe(2);
  expect(r.err).toContain('CFN_LINT_JOBS must be a whole number >= 1 (got "many")');
});

test('the CDK app runs the gate after synthesis when asked, and its exit code is the gate’s', () => {
  const run = (cfnLint: string) => {
    const outdir = path.join(tempDir('gate-app-'), 'cdk.out');
    const r = spawnSync('node', ['--import', 'tsx', 'bin/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(CDK_CONTEXT),
        CDK_VALIDATION: 'false',
        CFN_LINT: cfnLint,
        CFN_LINT_CACHE_DIR: tempDir('gate-app-cache-'),
        [SYNTH_GATE_ENV]: '1',
      },
    });
    return { ...r, outdir };
  };
  const ok = run(fake);
  expect(ok.stderr).toBe('');
  expect(ok.status).toBe(0);
  expect(existsSync(path.join(ok.outdir, 'evidence', `${prod.name}.json`))).toBe(true);

  const failing = path.join(tempDir('gate-fail-'), 'cfn-lint');
  writeFileSync(failing, FAKE.replace('grep -q FAKE_LINT_ERROR "$f"', 'true'));
  chmodSync(failing, 0o755);
  const bad = run(failing);
  expect(bad.status).toBe(1);
  expect(existsSync(path.join(bad.outdir, 'evidence'))).toBe(false);
}, 120_000);
