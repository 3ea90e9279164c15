import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { acknowledge } from '../../lib/compliance/acknowledge';
import { CONTROLS, type ControlId } from '../../lib/compliance/controls';
import { Stack } from 'aws-cdk-lib';
import { newTestApp, ROOT } from '../helpers/app';

/** The catalog beside the repository (CI lays ../shared next to the clone). */
const CATALOG = path.join(ROOT, '..', 'shared', 'CONTROLS.md');

describe('control catalog', () => {
  test('has every family and unique IDs', () => {
    const ids = CONTROLS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((i) => i.split('-')[0]))).toEqual(
      new Set(['NET', 'IMM', 'DATA', 'LOG', 'IAM', 'SDLC', 'OPS']),
    );
  });

  // ../shared is part of the workspace and of CI's checkout; a fresh clone elsewhere lacks it.
  (existsSync(CATALOG) ? test : test.skip)('matches ../shared/CONTROLS.md row for row', () => {
    const rows = readFileSync(CATALOG, 'utf8')
      .split('\n')
      .filter((l) => /^\| [A-Z]+-\d+ \|/.test(l))
      .map((l) =>
        l
          .trim()
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((c) => c.trim()),
      );
    expect(CONTROLS.map((c) => [c.id, c.promise, c.sources.join(', '), c.target])).toEqual(rows);
  });

  test('an acknowledgment must name a control of the catalog', () => {
    const stack = new Stack(newTestApp(), 'S');
    expect(() =>
      acknowledge(stack, 'NET-99' as ControlId, 'no such control exists here at all', 'AwsSolutions-S1'),
    ).toThrow(/"NET-99" is not a control ID of the catalog/);
  });
});
