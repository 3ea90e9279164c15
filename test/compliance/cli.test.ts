import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseEvidenceArgs, runEvidenceCli } from '../../lib/compliance/evidence/cli';
import { loadCloudAssembly } from '../../lib/compliance/evidence/assembly';
import type { EvidenceReport } from '../../lib/compliance/evidence/report';
import { tempDir } from '../helpers/app';
import { context, ENV, stacks, writeAssembly } from './fixture';

function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = runEvidenceCli(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    now: () => new Date('2030-01-01T00:00:00Z'),
  });
  return { code, stdout, stderr };
}

describe('arguments', () => {
  test('defaults: cdk.out, reports beside it, both formats', () => {
    expect(parseEvidenceArgs([])).toEqual({ assembly: 'cdk.out', format: 'both', help: false });
    expect(parseEvidenceArgs(['out', '--out', 'x', '--format=md', '--env', 'prod'])).toEqual({
      assembly: 'out',
      out: 'x',
      format: 'md',
      env: 'prod',
      help: false,
    });
  });

  test.each([
    [['--outdir', 'x'], /unknown flag --outdir for "evidence"; allowed: --out, --env, --format, --help/],
    [['--out'], /--out needs a value: --out DIR/],
    [['--out', '--env', 'x'], /--out needs a value: --out DIR/],
    [['--format', 'pdf'], /--format must be one of both, md, json \(got "pdf"\)/],
    [['a', 'b'], /at most one cloud assembly directory, got "a", "b"/],
    [['--env', 'a', '--env', 'b'], /--env is given more than once/],
  ])('%j exits 2 naming the flag and what is allowed', (argv, message) => {
    const r = run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/\nRun "npm run evidence -- --help" for its flags\.\n$/);
    expect(r.stdout).toBe('');
  });

  test('--help prints the usage and exits 0', () => {
    const r = run(['--help']);
    expect([r.code, r.stdout]).toEqual([0, expect.stringMatching(/^usage: .*--out DIR/)]);
  });
});

describe('on a hand-written cloud assembly', () => {
  test('a directory that is not a cloud assembly exits 2 with what to do', () => {
    const r = run([path.join(tempDir(), 'nothing')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/manifest\.json not found: not a cloud assembly; run `npm run synth` first/);
  });

  test('an unknown --env exits 2 listing the environments', () => {
    const dir = tempDir();
    writeAssembly(dir);
    expect(run([dir, '--env', 'qa'])).toMatchObject({
      code: 2,
      stderr: `evidence: --env must be one of ${ENV} (got "qa")\n`,
    });
  });

  test('the loader reads stacks, manifest properties, template hashes and the nag report', () => {
    const dir = tempDir();
    writeAssembly(dir);
    const assembly = loadCloudAssembly(dir);
    expect(assembly.environments.map((e) => e.name)).toEqual([ENV]);
    const [env] = assembly.environments;
    expect(env.stacks.map((s) => [s.stackName, s.region, s.terminationProtection])).toEqual(
      stacks().map((s) => [s.stackName, s.region, true]),
    );
    for (const s of env.stacks) expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(assembly.nag?.packs.map((p) => p.pack)).toEqual(context().nag?.packs.map((p) => p.pack));
  });

  test('writes <env>.md and <env>.json and exits 0 when production passes', () => {
    const dir = tempDir();
    writeAssembly(dir);
    const r = run([dir]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(readFileSync(path.join(dir, 'evidence', `${ENV}.json`), 'utf8')) as EvidenceReport;
    // The summary line uses the report's own words and counts: N/A is NOT_APPLICABLE only.
    const c = report.summary.counts;
    expect(r.stdout).toMatch(
      new RegExp(
        `^evidence: prod \\(production\\): 37 PASS, 0 FAIL, ${c.NOT_APPLICABLE} N/A, ${c.NOT_IMPLEMENTED} NOT IMPLEMENTED, ${c.MANUAL} MANUAL -> `,
      ),
    );
    const md = readFileSync(path.join(dir, 'evidence', `${ENV}.md`), 'utf8');
    expect(md).toContain(`| N/A | ${c.NOT_APPLICABLE} |`);
    expect(report.generatedAt).toBe('2030-01-01T00:00:00.000Z');
    expect(report.summary.failing).toEqual([]);
    expect(existsSync(path.join(dir, 'evidence', `${ENV}.md`))).toBe(true);
  });

  test('a failing control in production exits 1, naming the environment and the controls', () => {
    const dir = tempDir();
    writeAssembly(dir);
    // A week-long HSTS on the listener, as an engineer might set while testing.
    const file = path.join(dir, `assembly-${ENV}`, `${ENV}Ingress.template.json`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('max-age=63072000', 'max-age=604800'));
    const out = tempDir();
    const r = run([dir, '--out', out, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`evidence: production environment ${ENV} fails NET-3; see ${path.join(out, `${ENV}.md`)}\n`);
    expect(existsSync(path.join(out, `${ENV}.json`))).toBe(true);
    expect(existsSync(path.join(out, `${ENV}.md`))).toBe(false);
  });

  test('the same failure outside production is reported but does not stop the build', () => {
    const dir = tempDir();
    const unprotected = stacks().map((s) => {
      const resources = structuredClone(s.template.Resources ?? {});
      // Compliance-mode locks are production signals too: relax them with termination protection.
      for (const r of Object.values(resources)) {
        const lock = (r.Properties as Record<string, Record<string, unknown>> | undefined)?.LockConfiguration;
        if (lock) delete lock.ChangeableForDays;
        const retention = (
          r.Properties?.ObjectLockConfiguration as { Rule?: { DefaultRetention?: { Mode?: string } } } | undefined
        )?.Rule?.DefaultRetention;
        if (retention) retention.Mode = 'GOVERNANCE';
      }
      return { ...s, terminationProtection: false, template: { ...s.template, Resources: resources } };
    });
    const ingress = unprotected.find((s) => s.stackName === `${ENV}-Ingress`)!;
    (ingress.template.Resources!.Https.Properties as Record<string, unknown>).SslPolicy = 'ELBSecurityPolicy-2016-08';
    writeAssembly(dir, unprotected);
    const r = run([dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^evidence: prod: \d+ PASS, 1 FAIL/);
  });
});
