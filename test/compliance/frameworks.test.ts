import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CONTROLS } from '../../lib/compliance/controls';
import { FRAMEWORKS, SEEDS, seedCitation } from '../../lib/compliance/evidence/frameworks';
import { ROOT } from '../helpers/app';

const CATALOG = path.join(ROOT, '..', 'shared', 'CONTROLS.md');

test('every control maps to NIST 800-53 and SOC 2, with well-formed IDs', () => {
  for (const c of CONTROLS) {
    const f = FRAMEWORKS[c.id];
    expect([c.id, f.nist80053r5.length > 0, f.soc2.length > 0]).toEqual([c.id, true, true]);
    for (const id of f.nist80053r5) expect(id).toMatch(/^[A-Z]{2}-\d+(\(\d+\))?$/);
    for (const id of [...f.pciDss321, ...f.pciDss40]) expect(id).toMatch(/^\d+(\.\d+)*$/);
    for (const id of f.soc2) expect(id).toMatch(/^(CC\d\.\d|A1\.\d|C1\.\d|P\d\.\d)$/);
  }
});

test('every seed letter of the catalog has its file name', () => {
  for (const c of CONTROLS) for (const s of c.sources) expect(SEEDS[s]).toBeDefined();
});

(existsSync(CATALOG) ? test : test.skip)('seed file names match ../shared/CONTROLS.md', () => {
  const text = readFileSync(CATALOG, 'utf8');
  for (const [letter, seed] of Object.entries(SEEDS)) expect(text).toContain(`${letter} = \`${seed.file}\``);
});

const SEED_DIR = path.join(ROOT, '..', 'shared', 'seeds');
(existsSync(SEED_DIR) ? test : test.skip)(
  'each source letter names the company and page title its seed file shows',
  () => {
    for (const seed of Object.values(SEEDS)) {
      const text = readFileSync(path.join(SEED_DIR, seed.file), 'utf8');
      expect(text).toContain(seed.company);
      expect(text).toContain(seed.page);
    }
  },
);

test('a citation names the company and the page, never a file', () => {
  expect(seedCitation('K')).toBe('Kontext ("Security Overview")');
  for (const letter of Object.keys(SEEDS)) expect(seedCitation(letter)).not.toMatch(/\.txt/);
});
