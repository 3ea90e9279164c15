import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cfnLintIdentity, findCfnLint } from '../../lib/sdlc/lint/cfn-lint';
import { lintTemplates, type LintOptions, type LintResult } from '../../lib/sdlc/lint/lint';
import { ROOT, tempDir } from '../helpers/app';

/**
 * A fake cfn-lint: logs each run's arguments, answers --version with
 * $FAKE_VERSION, reports an error (exit 2) for a template containing "BAD", a
 * warning (exit 4) for one containing "WARN", and crashes for "CRASH".
 */
const FAKE = `#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo "cfn-lint $FAKE_VERSION"; exit 0; fi
echo "$*" >> "$FAKE_LOG"
rc=0
for f in "$@"; do
  case "$f" in --*|parseable) continue ;; esac
  if grep -q CRASH "$f"; then echo "Traceback (most recent call last): boom"; exit 1; fi
  if grep -q BAD "$f"; then echo "$f:1:1:1:2:E3001:Invalid resource"; rc=$((rc | 2)); fi
  if grep -q WARN "$f"; then echo "$f:2:1:2:5:W2001:Parameter not used"; rc=$((rc | 4)); fi
done
exit $rc
`;

interface Setup {
  readonly dir: string;
  readonly outdir: string;
  readonly cacheDir: string;
  readonly log: string;
  version: string;
  lint(extra?: Partial<LintOptions>): Promise<LintResult & { out: string; err: string }>;
  /** Templates cfn-lint was run on since the last call. */
  linted(): string[];
  write(name: string, body: string): string;
}

function setup(): Setup {
  const dir = tempDir('lint-cache-test-');
  const outdir = path.join(dir, 'cdk.out');
  mkdirSync(path.join(outdir, 'assembly-dev'), { recursive: true });
  const fake = path.join(dir, 'cfn-lint');
  writeFileSync(fake, FAKE);
  chmodSync(fake, 0o755);
  const log = path.join(dir, 'calls.log');
  const s: Setup = {
    dir,
    outdir,
    cacheDir: path.join(dir, 'cache'),
    log,
    version: '1.0.0',
    async lint(extra = {}) {
      let out = '';
      let err = '';
      const r = await lintTemplates({
        outdir,
        cacheDir: s.cacheDir,
        jobs: 1,
        cwd: dir,
        env: { ...process.env, CFN_LINT: fake, FAKE_VERSION: s.version, FAKE_LOG: log },
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
        ...extra,
      });
      return { ...r, out, err };
    },
    linted() {
      if (!existsSync(log)) return [];
      const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      writeFileSync(log, '');
      return calls
        .flatMap((c) => c.split(' ').filter((a) => a.endsWith('.template.json')))
        .map((f) => path.basename(f));
    },
    write(name, body) {
      const file = path.join(outdir, name);
      writeFileSync(file, body);
      return file;
    },
  };
  return s;
}

test('a second run with nothing changed starts no cfn-lint and prints the cached warnings again', async () => {
  const s = setup();
  s.write('A.template.json', '{"Resources":{}}');
  const warnFile = s.write('assembly-dev/B.template.json', '{"WARN":1}');
  const first = await s.lint();
  expect(first).toMatchObject({ exitCode: 0, templates: 2, cached: 0, linted: 2, processes: 1 });
  expect(s.linted().sort()).toEqual(['A.template.json', 'B.template.json']);
  expect(first.out).toContain(`${warnFile}:2:1:2:5:W2001:Parameter not used`);

  const second = await s.lint();
  expect(second).toMatchObject({ exitCode: 0, templates: 2, cached: 2, linted: 0, processes: 0 });
  expect(s.linted()).toEqual([]);
  expect(second.out).toContain(`${warnFile}:2:1:2:5:W2001:Parameter not used`);
  expect(second.out).toContain('2 already passed, cached; 0 linted');
});

test('a changed template, cfn-lint version or configuration lints again', async () => {
  const s = setup();
  s.write('A.template.json', '{"Resources":{}}');
  s.write('B.template.json', '{"Resources":{"X":{}}}');
  await s.lint();
  s.linted();

  s.write('B.template.json', '{"Resources":{"Y":{}}}');
  expect(await s.lint()).toMatchObject({ cached: 1, linted: 1 });
  expect(s.linted()).toEqual(['B.template.json']);

  s.version = '1.0.1';
  expect(await s.lint()).toMatchObject({ cached: 0, linted: 2 });
  expect(s.linted()).toHaveLength(2);
  expect(await s.lint()).toMatchObject({ cached: 2, linted: 0 });

  writeFileSync(path.join(s.dir, '.cfnlintrc'), 'ignore_checks:\n  - W3005\n');
  expect(await s.lint()).toMatchObject({ cached: 0, linted: 2 });
  writeFileSync(path.join(s.dir, '.cfnlintrc'), 'ignore_checks:\n  - W3006\n');
  expect(await s.lint()).toMatchObject({ cached: 0, linted: 2 });
  expect(await s.lint()).toMatchObject({ cached: 2, linted: 0 });
});

test('a template with errors fails and is never cached as passed', async () => {
  const s = setup();
  s.write('A.template.json', '{"Resources":{}}');
  const bad = s.write('Bad.template.json', '{"BAD":1}');
  const first = await s.lint();
  expect(first).toMatchObject({ exitCode: 1, failedTemplates: [bad] });
  expect(first.out).toContain(`${bad}:1:1:1:2:E3001:Invalid resource`);
  expect(first.err).toMatch(/found errors in 1 of 2 templates/);
  s.linted();
  const second = await s.lint();
  expect(second).toMatchObject({ exitCode: 1, cached: 1, linted: 1, failedTemplates: [bad] });
  expect(s.linted()).toEqual(['Bad.template.json']);
});

test('a corrupt or mismatched cache entry is ignored and the template linted again', async () => {
  const s = setup();
  s.write('A.template.json', '{"Resources":{}}');
  await s.lint();
  s.linted();
  const [entry] = readdirSync(s.cacheDir);
  const file = path.join(s.cacheDir, entry);
  for (const corrupt of ['{"schema":1,"key":"', '', JSON.stringify({ schema: 1, key: 'other', lines: [] }), '[]']) {
    writeFileSync(file, corrupt);
    expect(await s.lint()).toMatchObject({ exitCode: 0, cached: 0, linted: 1 });
    expect(s.linted()).toEqual(['A.template.json']);
  }
  expect(await s.lint()).toMatchObject({ exitCode: 0, cached: 1, linted: 0 });
});

test('a cfn-lint that crashes fails the lint (exit 2) and nothing of its run is cached', async () => {
  const s = setup();
  s.write('A.template.json', '{"Resources":{}}');
  s.write('B.template.json', '{"CRASH":1}');
  const r = await s.lint();
  expect(r.exitCode).toBe(2);
  expect(r.err).toMatch(/cfn-lint exited with 1 over 2 templates without a result this script can read/);
  expect(existsSync(s.cacheDir) ? readdirSync(s.cacheDir) : []).toEqual([]);
});

test('templates are split across the processes (--jobs), and --no-cache lints everything and records nothing', async () => {
  const s = setup();
  for (const n of ['A', 'B', 'C', 'D']) s.write(`${n}.template.json`, `{"${n}":"${'x'.repeat(n.charCodeAt(0))}"}`);
  const r = await s.lint({ jobs: 2 });
  expect(r).toMatchObject({ exitCode: 0, linted: 4, processes: 2 });
  const calls = readFileSync(s.log, 'utf8').split('\n').filter(Boolean);
  expect(calls).toHaveLength(2);
  for (const call of calls) expect(call.split(' ').filter((a) => a.endsWith('.template.json'))).toHaveLength(2);
  writeFileSync(s.log, '');

  const uncached = setup();
  uncached.write('A.template.json', '{}');
  await uncached.lint({ cacheDir: undefined });
  expect(await uncached.lint({ cacheDir: undefined })).toMatchObject({ cached: 0, linted: 1 });
  expect(existsSync(uncached.cacheDir)).toBe(false);
});

test('no templates, or a CFN_LINT that is not executable, is a clear error', async () => {
  const s = setup();
  await expect(s.lint()).rejects.toThrow(/no templates \(\*\.template\.json\) under .*cdk\.out; run the synth first/);
  s.write('A.template.json', '{}');
  await expect(s.lint({ env: { ...process.env, CFN_LINT: path.join(s.dir, 'missing') } })).rejects.toThrow(
    /CFN_LINT=.*missing is not an executable file/,
  );
});

describe('the real cfn-lint', () => {
  const env = { ...process.env, PATH: `${path.join(os.homedir(), '.pyenv', 'shims')}:${process.env.PATH}` };

  test('is identified by its version without running it, and passes a good template, caches it, fails a bad one', async () => {
    const identity = cfnLintIdentity(findCfnLint(env));
    expect(identity).toMatch(/cfn-lint \d+\.\d+\.\d+/);
    const dir = tempDir('lint-real-');
    const outdir = path.join(dir, 'cdk.out');
    mkdirSync(outdir);
    writeFileSync(
      path.join(outdir, 'Good.template.json'),
      JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic' } } }),
    );
    const bad = path.join(outdir, 'Bad.template.json');
    writeFileSync(bad, JSON.stringify({ Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { Nope: 1 } } } }));
    const options = {
      outdir,
      cacheDir: path.join(dir, 'cache'),
      jobs: 1,
      cwd: dir,
      env,
      stdout: () => {},
      stderr: () => {},
    };
    const first = await lintTemplates(options);
    expect(first).toMatchObject({ exitCode: 1, linted: 2, failedTemplates: [bad] });
    // Without the bad template, the good one is a cache hit: no cfn-lint process at all.
    rmSync(bad);
    const second = await lintTemplates(options);
    expect(second).toMatchObject({ exitCode: 0, cached: 1, linted: 0, processes: 0 });
  });

  test('the command line answers --help and rejects a bad --jobs, CFN_LINT_JOBS or second OUTDIR (exit 2)', () => {
    const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync('node', ['--import', 'tsx', 'scripts/lint-templates.ts', ...args], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: node --import tsx scripts\/lint-templates\.ts \[OUTDIR\]/);
    expect(help.stdout).toMatch(/\n {2}--jobs N +cfn-lint processes in parallel \(default: the CPU count/);
    // The common usage-error form of every CLI (lib/cli/args.ts): the message, then where the help is.
    const bad = cli(['--jobs', '0']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      'lint-templates: --jobs must be a whole number >= 1 (got "0")\n' +
        'Run "node --import tsx scripts/lint-templates.ts --help" for its flags.\n',
    );
    const two = cli(['a', 'b']);
    expect(two.status).toBe(2);
    expect(two.stderr).toMatch(/^lint-templates: expected at most one cloud assembly directory, got "a", "b"\n/);
    const env = cli([path.join(os.tmpdir(), 'no-such-assembly')], { CFN_LINT_JOBS: 'many' });
    expect(env.status).toBe(2);
    expect(env.stderr).toBe('lint-templates: CFN_LINT_JOBS must be a whole number >= 1 (got "many")\n');
  });
});
