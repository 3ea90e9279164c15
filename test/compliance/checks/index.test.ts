import { productionSignals, runChecks } from '../../../lib/compliance/checks';
import { CONTROLS } from '../../../lib/compliance/controls';
import { context, stacks, type FixtureEditor } from '../fixture';
import { baseline, changed, type Json } from './harness';

/** lib/compliance/checks/index.ts: every control of the catalog gets a result; what all checks share. */
describe('the hand-written fixture', () => {
  test('every template control passes; the others are never PASS', () => {
    expect(baseline).toEqual(
      Object.fromEntries(
        CONTROLS.map((c) => [
          c.id,
          (
            {
              'NET-7': 'NOT_APPLICABLE',
              'SDLC-2': 'NOT_IMPLEMENTED',
              'SDLC-3': 'MANUAL',
              'OPS-1': 'MANUAL',
              'OPS-2': 'MANUAL',
              'OPS-3': 'MANUAL',
            } as Record<string, string>
          )[c.id] ?? 'PASS',
        ]),
      ),
    );
  });

  test('every PASS lists evidence rows naming stack, logical ID, type, property and value', () => {
    for (const r of runChecks(context()).filter((x) => x.status === 'PASS')) {
      expect([r.control, r.evidence.length > 0]).toEqual([r.control, true]);
      for (const e of r.evidence) {
        expect(e).toEqual({
          stack: expect.any(String),
          logicalId: expect.any(String),
          type: expect.any(String),
          path: expect.any(String),
          value: expect.any(String),
          expected: expect.any(String),
          ok: true,
        });
      }
    }
  });
});

describe('every check', () => {
  test('MANUAL and NOT_IMPLEMENTED results carry a pointer to where the evidence is', () => {
    const results = runChecks(context((e) => e.remove('Audit', 'Trail')));
    for (const r of results.filter((x) => x.status !== 'PASS' && x.status !== 'FAIL')) {
      expect([r.control, r.pointer]).toEqual([r.control, expect.stringMatching(/.{20,}/)]);
    }
    expect(results.find((r) => r.control === 'OPS-1')!.pointer).toMatch(/npm run verify -- --env prod/);
  });

  test('a check that throws fails its control instead of disappearing', () => {
    const results = runChecks(
      context((e) => (e.find('Ingress', 'WebAcl').Properties.Rules = 'not a list' as unknown as Json[])),
    );
    expect(results.find((r) => r.control === 'NET-5')!.status).toBe('FAIL');
  });

  test('production is recognised by termination protection or by compliance-mode locks', () => {
    const all = stacks();
    expect(productionSignals(all).production).toBe(true);
    const unprotected = all.map((s) => ({ ...s, terminationProtection: false }));
    expect(productionSignals(unprotected)).toEqual({
      production: true,
      signals: ['2 backup vaults locked in compliance mode', '1 bucket with compliance-mode Object Lock'],
    });
    expect(
      productionSignals(
        all.filter((s) => s.stackName === 'prod-App').map((s) => ({ ...s, terminationProtection: false })),
      ).production,
    ).toBe(false);
  });
});

describe('removing what implements a control fails it', () => {
  test.each([
    [
      'the backup plan',
      { 'DATA-3': 'FAIL', 'DATA-5': 'FAIL', 'DATA-10': 'FAIL' },
      (e: FixtureEditor) => (e.remove('Data', 'Plan'), e.remove('Data', 'Selection')),
    ],
    ['the database', { 'DATA-1': 'FAIL', 'DATA-9': 'FAIL' }, (e: FixtureEditor) => e.remove('Data', 'Db')],
    [
      'the image pipeline',
      { 'IMM-1': 'FAIL', 'IMM-4': 'FAIL', 'IMM-10': 'FAIL', 'LOG-5': 'FAIL' },
      (e: FixtureEditor) => e.remove('Image', 'Pipeline'),
    ],
    ['the release bucket parameter', { 'IMM-9': 'FAIL' }, (e: FixtureEditor) => e.remove('Image', 'ReleaseBucketName')],
    ['the rule on Inspector findings', { 'IMM-10': 'FAIL' }, (e: FixtureEditor) => e.remove('Image', 'OnFinding')],
    [
      'the rule on ended builds (coalescing)',
      { 'IMM-10': 'FAIL' },
      (e: FixtureEditor) => e.remove('Image', 'OnBuildEnded'),
    ],
    [
      'the HTTPS listener',
      { 'NET-3': 'FAIL', 'NET-4': 'FAIL' },
      (e: FixtureEditor) => (e.remove('Ingress', 'Https'), e.remove('Ingress', 'Route')),
    ],
  ] as const)('%s', (_what, expected, edit) => {
    expect(changed(edit)).toEqual(expected);
  });
});
