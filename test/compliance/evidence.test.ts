import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runEvidenceCli } from '../../lib/compliance/evidence/cli';
import type { EvidenceReport } from '../../lib/compliance/evidence/report';
import { CONTROLS } from '../../lib/compliance/controls';
import { loadConfig } from '../../lib/config/load';
import { pipelineName } from '../../lib/config/naming';
import { synthConfig, tempDir } from '../helpers/app';

const config = loadConfig();
let out: string;
let result: { code: number; stdout: string; stderr: string };
beforeAll(() => {
  const synth = synthConfig(config);
  out = tempDir();
  let stdout = '';
  let stderr = '';
  const code = runEvidenceCli([synth.outdir, '--out', out], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  result = { code, stdout, stderr };
});

const report = (env: string): EvidenceReport => JSON.parse(readFileSync(path.join(out, `${env}.json`), 'utf8'));
const markdown = (env: string): string => readFileSync(path.join(out, `${env}.md`), 'utf8');

/** Controls only the running account shows (MANUAL), and those whose status depends on the environment. */
const NOT_FROM_TEMPLATES = new Set<string>(['SDLC-3', 'OPS-1', 'OPS-2', 'OPS-3', 'NET-7', 'LOG-5', 'SDLC-2']);
/** What the demo configuration implements, from the catalog; everything else must not claim PASS. */
const IMPLEMENTED = [
  ...CONTROLS.map((c) => c.id).filter((id) => !NOT_FROM_TEMPLATES.has(id)),
  // The demo configuration has a delivery pipeline.
  ...(config.pipeline ? ['SDLC-2'] : []),
];
/** Controls whose implementation has not been built: the report must say so instead of claiming PASS. */
const NOT_YET: Record<string, string> = {
  'NET-7': 'NOT_APPLICABLE',
  'SDLC-2': 'NOT_IMPLEMENTED',
};
const expectedStatus = (id: string, owner: boolean) =>
  IMPLEMENTED.includes(id) ? 'PASS' : id === 'LOG-5' ? (owner ? 'PASS' : 'MANUAL') : (NOT_YET[id] ?? 'MANUAL');

test('the demo synth passes: exit 0, one summary line per environment', () => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  // The last line names the SARIF and JUnit files (test/compliance/findings.test.ts).
  expect(
    result.stdout
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('evidence: findings -> ')),
  ).toEqual(
    config.environments.map((e) =>
      expect.stringMatching(
        new RegExp(`^evidence: ${e.name}${e.production ? ' \\(production\\)' : ''}: \\d+ PASS, 0 FAIL`),
      ),
    ),
  );
});

describe.each(config.environments.map((e) => [e.name, e] as const))('%s', (name, env) => {
  test('every implemented control PASSES, computed from the templates; the rest never claims PASS', () => {
    const r = report(name);
    // LOG-5's services exist in the templates only where this environment owns them.
    const owner = ['guardduty', 'securityhub', 'config'].every((s) => env.audit.manage.includes(s as never));
    expect(Object.fromEntries(r.controls.map((c) => [c.control, c.status]))).toEqual(
      Object.fromEntries(CONTROLS.map((c) => [c.id, expectedStatus(c.id, owner)])),
    );
    for (const c of r.controls.filter((x) => x.status === 'PASS'))
      expect([c.control, c.evidence.length > 0]).toEqual([c.control, true]);
  });

  test('production follows termination protection', () => {
    const r = report(name);
    expect(r.environment.production).toBe(env.production);
    expect(r.environment.stacks.every((s) => s.terminationProtection === env.production)).toBe(true);
  });

  test('evidence rows name the templates’ values (e.g. the TLS policy and the instance lifetime)', () => {
    const r = report(name);
    const rows = (id: string) => r.controls.find((c) => c.control === id)!.evidence;
    expect(rows('NET-3')).toContainEqual(
      expect.objectContaining({
        stack: `${name}-Ingress`,
        path: 'Properties.SslPolicy',
        value: env.ingress.tlsPolicy,
        ok: true,
      }),
    );
    expect(rows('IMM-3')).toContainEqual(
      expect.objectContaining({
        stack: `${name}-App`,
        value: expect.stringContaining(`(${env.fleet.maxInstanceLifetimeDays} days)`),
        ok: true,
      }),
    );
    expect(rows('DATA-1')).toContainEqual(
      expect.objectContaining({ path: 'Properties.Parameters.rds.force_ssl', value: '1' }),
    );
  });

  test('the nag summary counts every pack and lists each acknowledgment with its control-named reason', () => {
    const r = report(name);
    expect(r.summary.nag!.map((p) => [p.pack, p.errors])).toEqual(
      expect.arrayContaining([
        ['AwsSolutions', 0],
        ['NIST.800.53.R5', 0],
        ['HIPAA.Security', 0],
        ['PCI.DSS.321', 0],
      ]),
    );
    expect(r.summary.acknowledgments.length).toBeGreaterThan(10);
    for (const a of r.summary.acknowledgments) {
      expect(a.reason).toMatch(/^[A-Z]+-\d+: /);
      // The environment's own, and those of the delivery stacks every environment shares.
      const owner = [`${name}/`, pipelineName(config.environments[0].tags.application)].find((p) =>
        a.acknowledgedAt.startsWith(p),
      );
      expect([a.acknowledgedAt, owner]).toEqual([a.acknowledgedAt, expect.any(String)]);
    }
  });

  test('the Markdown has the summary, the nag findings, a section per control with frameworks, and the diagram', () => {
    const md = markdown(name);
    expect(md).toMatch(new RegExp(`^# Security evidence: ${name}\\n`));
    for (const heading of [
      '## Summary',
      '### cdk-nag findings',
      '### Acknowledged findings',
      '### Framework mapping',
      '## Architecture (drawn from the templates)',
      '## Controls',
    ]) {
      expect(md).toContain(`\n${heading}\n`);
    }
    for (const c of CONTROLS) expect(md).toContain(`\n### ${c.id}\n`);
    expect(md).toMatch(/- NIST 800-53 rev5: SC-8, SC-8\(1\)/);
    expect(md).toMatch(/- PCI DSS 4\.0: /);
    expect(md).toMatch(/- SOC 2: /);
    expect(md).toContain(`How to verify: run \`npm run verify -- --env ${name}\``);
  });

  test('the diagram is drawn from the templates: internet, WAF, ALB, fleet, database, endpoints, DR region', () => {
    const d = report(name).diagram;
    expect(d.startsWith('flowchart LR\n')).toBe(true);
    expect(d).toMatch(/internet -->\|HTTPS\| \S+WebAcl/);
    expect(d).toMatch(/WebAcl\S* --> \S+PublicEntry/);
    expect(d).toMatch(new RegExp(`PublicEntry\\S* -->\\|HTTPS ${env.ingress.appPort}\\| \\S+FleetASG`));
    expect(d).toMatch(new RegExp(`FleetASG\\S* -->\\|TLS ${env.database.port}\\| \\S+Database`));
    expect(d).toContain(`${env.database.multiAz ? 'Multi-AZ' : 'single-AZ'}, TLS enforced`);
    expect(d).toMatch(/9 VPC endpoints/);
    expect(d).toContain(`DR region ${env.drRegion}`);
    expect(d).toMatch(/==>\|backup copies\|/);
    expect(d).toMatch(/==>\|replication\|/);
  });
});
