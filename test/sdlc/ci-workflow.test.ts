import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { JUNIT_FILE, SARIF_FILE } from '../../lib/compliance/evidence/findings';
import { ROOT } from '../helpers/app';

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Record<string, unknown>;
}
interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(readFileSync(path.join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8')) as Workflow;
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const uses = (action: string) => steps.filter((s) => s.uses?.split('@')[0] === action);

/** The npm commands of a shell text, in order, without output-only flags (`--silent`, `--no-audit`, `--no-fund`). */
function npmCommands(shell: string): string[] {
  return shell
    .split('\n')
    .map((l) => l.replace(/#.*$/, ''))
    .flatMap((l) => l.split(/&&|\|\||;|\|/))
    .map((c) => c.trim().replace(/^(if\s+!\s*|!\s*)/, ''))
    .filter((c) => /^npm\s/.test(c))
    .map((c) =>
      c
        .split(/\s+/)
        .filter((w) => !['--silent', '--no-audit', '--no-fund', '2>&1'].includes(w))
        .join(' '),
    );
}

test('runs on push and pull request', () => {
  expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push']);
});

test('Node 20, and cfn-lint from requirements-ci.txt', () => {
  expect(uses('actions/setup-node').map((s) => String(s.with?.['node-version']))).toEqual(['20']);
  expect(steps.some((s) => /pip install -r requirements-ci\.txt/.test(s.run ?? ''))).toBe(true);
  expect(readFileSync(path.join(ROOT, 'requirements-ci.txt'), 'utf8')).toMatch(/^cfn-lint==/m);
});

test('runs the same npm commands as .ci/run, in the same order', () => {
  const ci = npmCommands(readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8'));
  expect(ci).toEqual(['npm ci', 'npm test', 'npm run synth', 'npm run audit:deps']);
  expect(npmCommands(steps.map((s) => s.run ?? '').join('\n'))).toEqual(ci);
});

test("the README's two commands are among them", () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  expect(readme).toContain('npm ci && npm run synth');
  expect(readme).toMatch(/^npm test\b/m);
  const run = npmCommands(steps.map((s) => s.run ?? '').join('\n'));
  expect(run).toEqual(expect.arrayContaining(['npm ci', 'npm run synth', 'npm test']));
});

test('uploads the SARIF to code scanning, with security-events: write, even when synth failed', () => {
  const [upload] = uses('github/codeql-action/upload-sarif');
  expect(upload.with?.sarif_file).toBe(`cdk.out/evidence/${SARIF_FILE}`);
  expect(upload.if).toMatch(/always\(\)/);
  const job = Object.values(workflow.jobs).find((j) => j.steps.includes(upload))!;
  expect(job.permissions?.['security-events']).toBe('write');
  // Nothing else may write: the top-level default stays read-only.
  expect(workflow.permissions).toEqual({ contents: 'read' });
  // After the step that writes it.
  expect(steps.indexOf(upload)).toBeGreaterThan(steps.findIndex((s) => s.run === 'npm run synth'));
});

test('uploads cdk.out/evidence (reports, SARIF, JUnit) as a build artifact', () => {
  const [artifact] = uses('actions/upload-artifact');
  expect(artifact.with?.path).toBe('cdk.out/evidence');
  expect(artifact.if).toMatch(/always\(\)/);
  expect(JUNIT_FILE).toMatch(/\.xml$/);
});

test('every action is pinned to a version', () => {
  for (const s of steps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w.-]+\/[\w./-]+@v?\d+/);
});
