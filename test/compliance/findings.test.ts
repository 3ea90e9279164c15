import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runEvidenceCli } from '../../lib/compliance/evidence/cli';
import { JUNIT_FILE, SARIF_FILE } from '../../lib/compliance/evidence/findings';
import { FINGERPRINT_KEY, fingerprint, nagRuleId, type SarifLog } from '../../lib/compliance/evidence/sarif';
import { CONTROLS } from '../../lib/compliance/controls';
import { loadConfig } from '../../lib/config/load';
import { ROOT, synthConfig, tempDir } from '../helpers/app';
import { validateSarif } from '../helpers/sarif-multitool';
import { childrenNamed, parseXml, type XmlElement } from '../helpers/xml';

const config = loadConfig();
const prod = config.environments.find((e) => e.production)!;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  out: string;
}
function evidence(assembly: string): Run {
  const out = tempDir('findings-');
  let stdout = '';
  let stderr = '';
  const code = runEvidenceCli([assembly, '--out', out], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr, out };
}
const sarifOf = (run: Run): SarifLog => JSON.parse(readFileSync(path.join(run.out, SARIF_FILE), 'utf8'));
const junitOf = (run: Run): XmlElement => parseXml(readFileSync(path.join(run.out, JUNIT_FILE), 'utf8'));
const nagReportOf = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: unknown[]; suppressedViolations: { ruleName: string }[] }[];
  };

// The demo as synthesized, and a copy weakened on disk: prod's fleet lives 30 days (IMM-3 FAIL) and one
// acknowledged cdk-nag finding is turned back into an open one.
let outdir: string;
let demo: Run;
let again: Run;
let weakened: Run;
let weakenedDir: string;
let asgLogicalId: string;
let reopened: { ruleName: string; violatingConstructs: { constructPath: string }[] };
beforeAll(() => {
  outdir = synthConfig(config).outdir;
  demo = evidence(outdir);
  again = evidence(outdir);

  weakenedDir = path.join(tempDir('weakened-'), 'cdk.out');
  cpSync(outdir, weakenedDir, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(weakenedDir, `assembly-${prod.name}`, 'manifest.json'), 'utf8'));
  const appStack = Object.values<{ displayName?: string; properties?: { templateFile?: string } }>(
    manifest.artifacts,
  ).find((a) => a.displayName === `${prod.name}/App`)!;
  const templateFile = path.join(weakenedDir, `assembly-${prod.name}`, appStack.properties!.templateFile!);
  const template = JSON.parse(readFileSync(templateFile, 'utf8'));
  asgLogicalId = Object.entries<{ Type: string }>(template.Resources).find(
    ([, r]) => r.Type === 'AWS::AutoScaling::AutoScalingGroup',
  )![0];
  template.Resources[asgLogicalId].Properties.MaxInstanceLifetime = 30 * 86_400;
  writeFileSync(templateFile, JSON.stringify(template, null, 1));
  const report = nagReportOf(weakenedDir);
  const pack = report.pluginReports.find((p) => p.pluginName === 'AwsSolutions')!;
  reopened = pack.suppressedViolations.shift() as typeof reopened;
  pack.violations.push(reopened);
  writeFileSync(path.join(weakenedDir, 'validation-report.json'), JSON.stringify(report));
  weakened = evidence(weakenedDir);
});

describe('findings.sarif', () => {
  test('is written next to the reports by the evidence CLI (npm run synth, npm run evidence)', () => {
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain(
      `evidence: findings -> ${path.join(demo.out, SARIF_FILE)}, ${path.join(demo.out, JUNIT_FILE)}`,
    );
  });

  test('the Microsoft SARIF multitool validates it, and the weakened one, with no errors', () => {
    const [v, w] = validateSarif(path.join(demo.out, SARIF_FILE), path.join(weakened.out, SARIF_FILE));
    expect([v.errors, w.errors]).toEqual([[], []]);
    // The one warning left: the tool has no public informationUri (the repository's address is the user's).
    expect(v.warnings.map((x) => x.ruleId)).toEqual(['SARIF2005']);
  });

  test('the validation does fail broken files (the check above can fail)', () => {
    const broken = (edit: (result: Record<string, unknown>) => void) => {
      const log = sarifOf(demo) as unknown as { runs: { results: Record<string, unknown>[] }[] };
      edit(log.runs[0].results[0]);
      const file = path.join(tempDir('broken-sarif-'), 'broken.sarif');
      writeFileSync(file, JSON.stringify(log));
      return file;
    };
    const [noMessage, badLevel] = validateSarif(
      broken((r) => delete r.message),
      broken((r) => (r.level = 'fatal')),
    );
    expect(noMessage.errors.map((e) => e.ruleId)).toContain('JSON1002');
    expect(badLevel.errors.map((e) => e.text)).toEqual([expect.stringContaining('"fatal" is not one of')]);
  });

  test('one run; rules are the 43 catalog controls and every cdk-nag rule that appears', () => {
    const sarif = sarifOf(demo);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const ids = sarif.runs[0].tool.driver.rules.map((r) => r.id);
    expect(ids.slice(0, CONTROLS.length)).toEqual(CONTROLS.map((c) => c.id));
    const nagRules = new Set(
      nagReportOf(outdir).pluginReports.flatMap((p) =>
        [...p.violations, ...p.suppressedViolations].map((v) => nagRuleId((v as { ruleName: string }).ruleName)),
      ),
    );
    expect(new Set(ids.slice(CONTROLS.length))).toEqual(nagRules);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('the demo has no open finding: one suppressed result per acknowledged nag finding, each with its reason', () => {
    const results = sarifOf(demo).runs[0].results;
    const acknowledged = nagReportOf(outdir).pluginReports.flatMap((p) =>
      p.suppressedViolations.flatMap((v) =>
        (v as unknown as { violatingConstructs: { constructPath: string }[] }).violatingConstructs.map(
          (c) => `${v.ruleName} ${c.constructPath}`,
        ),
      ),
    );
    expect(results.map((r) => `${r.properties.finding} ${r.properties.constructPath}`).sort()).toEqual(
      [...new Set(acknowledged)].sort(),
    );
    for (const r of results) {
      expect(r.suppressions).toEqual([{ kind: 'inSource', justification: expect.stringMatching(/^[A-Z]+-\d+: .+/) }]);
    }
  });

  test('every result is located at a source line of the repository, with its template as a related location', () => {
    const results = sarifOf(demo).runs[0].results;
    for (const r of results) {
      const at = r.locations[0].physicalLocation;
      expect([r.ruleId, at.artifactLocation.uriBaseId]).toEqual([r.ruleId, '%SRCROOT%']);
      expect(at.artifactLocation.uri).toMatch(/^(lib|bin)\/[\w/-]+\.ts$/);
      const lines = readFileSync(path.join(ROOT, at.artifactLocation.uri), 'utf8').split('\n');
      expect(at.region!.startLine).toBeLessThanOrEqual(lines.length);
      const template = r.relatedLocations.find((l) => l.message.text.startsWith('template of'));
      expect(template?.physicalLocation.artifactLocation.uri).toMatch(/\.template\.json$/);
    }
    // Most point into the constructs, where the resources are made.
    const inConstructs = results.filter((r) =>
      r.locations[0].physicalLocation.artifactLocation.uri.startsWith('lib/constructs/'),
    );
    expect(inConstructs.length / results.length).toBeGreaterThan(0.6);
  });

  test('fingerprints are unique and stable: the same assembly gives the same file, byte for byte', () => {
    const fps = sarifOf(demo).runs[0].results.map((r) => r.partialFingerprints[FINGERPRINT_KEY]);
    expect(new Set(fps).size).toBe(fps.length);
    expect(readFileSync(path.join(again.out, SARIF_FILE), 'utf8')).toBe(
      readFileSync(path.join(demo.out, SARIF_FILE), 'utf8'),
    );
    expect(readFileSync(path.join(again.out, JUNIT_FILE), 'utf8')).toBe(
      readFileSync(path.join(demo.out, JUNIT_FILE), 'utf8'),
    );
  });

  test('a FAIL row is an error at the line that made the resource, fingerprinted by control, stack, logical ID and property', () => {
    expect(weakened.code).toBe(1);
    const results = sarifOf(weakened).runs[0].results.filter((r) => r.ruleId === 'IMM-3');
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(r.level).toBe('error');
    expect(r.suppressions).toBeUndefined();
    expect(r.message.text).toContain('2592000 s (30 days)');
    expect(r.partialFingerprints[FINGERPRINT_KEY]).toBe(
      fingerprint('IMM-3', `${prod.name}-App`, asgLogicalId, 'Properties.MaxInstanceLifetime'),
    );
    const source = readFileSync(path.join(ROOT, 'lib/constructs/app-fleet.ts'), 'utf8').split('\n');
    const created = source.findIndex((l) => l.includes('new autoscaling.AutoScalingGroup(')) + 1;
    expect(r.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'lib/constructs/app-fleet.ts', uriBaseId: '%SRCROOT%' },
      region: { startLine: created, startColumn: expect.any(Number) },
    });
    const template = r.relatedLocations[0].physicalLocation;
    const file = path.join(weakenedDir, `assembly-${prod.name}`, path.basename(template.artifactLocation.uri));
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').split('\n')[template.region!.startLine - 1]).toContain(`"${asgLogicalId}": {`);
  });

  test('an unacknowledged cdk-nag finding is an open result at its construct', () => {
    const all = sarifOf(weakened).runs[0].results.filter((r) => r.suppressions === undefined && r.ruleId !== 'IMM-3');
    // SDLC-1 (no open cdk-nag error) fails too, located at the validation report.
    const sdlc1 = all.filter((r) => r.ruleId === 'SDLC-1');
    expect(sdlc1.map((r) => r.locations[0].physicalLocation.artifactLocation.uri)).toEqual([
      expect.stringMatching(/validation-report\.json$/),
    ]);
    const open = all.filter((r) => r.ruleId !== 'SDLC-1');
    expect(open.map((r) => [r.ruleId, r.level, r.properties.constructPath])).toEqual(
      reopened.violatingConstructs.map((c) => [nagRuleId(reopened.ruleName), 'error', c.constructPath]),
    );
    // The same finding keeps its fingerprint whether acknowledged or not.
    const before = sarifOf(demo).runs[0].results.find(
      (r) =>
        r.properties.finding === reopened.ruleName && r.properties.constructPath === open[0].properties.constructPath,
    )!;
    expect(open[0].partialFingerprints).toEqual(before.partialFingerprints);
  });
});

describe('evidence.junit.xml', () => {
  test('parses; one test suite per environment, one test case per control', () => {
    const root = junitOf(demo);
    expect(root.name).toBe('testsuites');
    const suites = childrenNamed(root, 'testsuite');
    expect(suites.map((s) => s.attributes.name)).toEqual(config.environments.map((e) => e.name));
    for (const s of suites) {
      const cases = childrenNamed(s, 'testcase');
      expect(cases.map((c) => c.attributes.name)).toEqual(CONTROLS.map((c) => c.id));
      expect(Number(s.attributes.tests)).toBe(cases.length);
      const skipped = cases.filter((c) => childrenNamed(c, 'skipped').length > 0);
      expect(Number(s.attributes.skipped)).toBe(skipped.length);
      expect(Number(s.attributes.failures)).toBe(0);
    }
    expect(Number(root.attributes.tests)).toBe(CONTROLS.length * config.environments.length);
  });

  test('N/A, NOT IMPLEMENTED and MANUAL are skipped with the reason; PASS has neither failure nor skip', () => {
    const report = JSON.parse(readFileSync(path.join(demo.out, `${prod.name}.json`), 'utf8')) as {
      controls: { control: string; status: string; summary: string }[];
    };
    const suite = childrenNamed(junitOf(demo), 'testsuite').find((s) => s.attributes.name === prod.name)!;
    for (const c of report.controls) {
      const tc = childrenNamed(suite, 'testcase').find((t) => t.attributes.name === c.control)!;
      const skipped = childrenNamed(tc, 'skipped');
      if (c.status === 'PASS') {
        expect([c.control, tc.children.map((x) => x.name)]).toEqual([c.control, ['system-out']]);
      } else {
        const label = { NOT_APPLICABLE: 'N/A', NOT_IMPLEMENTED: 'NOT IMPLEMENTED', MANUAL: 'MANUAL' }[c.status];
        expect(skipped).toHaveLength(1);
        expect(skipped[0].attributes.message.startsWith(`${label}: ${c.summary}`)).toBe(true);
      }
    }
  });

  test('a FAIL control is a failure listing its failing rows', () => {
    const suite = childrenNamed(junitOf(weakened), 'testsuite').find((s) => s.attributes.name === prod.name)!;
    expect(suite.attributes.failures).toBe('1');
    const tc = childrenNamed(suite, 'testcase').find((t) => t.attributes.name === 'IMM-3')!;
    const [failure] = childrenNamed(tc, 'failure');
    expect(failure.attributes.type).toBe('FAIL');
    expect(failure.text).toContain(
      `${prod.name}-App ${asgLogicalId} AWS::AutoScaling::AutoScalingGroup Properties.MaxInstanceLifetime: found 2592000 s (30 days)`,
    );
  });

  test('the parser is strict: it rejects what is not well-formed', () => {
    expect(() => parseXml('<a><b></a>')).toThrow(/<\/a> closes <b>/);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate attribute/);
    expect(() => parseXml('<a>1 & 2</a>')).toThrow(/"&" not starting an entity/);
    expect(() => parseXml('<a/><b/>')).toThrow(/content after the root/);
    expect(() => parseXml('<a x=1/>')).toThrow(/not quoted/);
    expect(parseXml('<a t="&lt;&#10;">x &amp; y</a>')).toEqual({
      name: 'a',
      attributes: { t: '<\n' },
      children: [],
      text: 'x & y',
    });
  });
});
