import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/app';

/** The README is an index: short, narrow, and every link stays inside the repository. */

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const docs = readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md'));

function links(file: string, text: string): string[] {
  const dir = path.dirname(file);
  // Code spans and blocks hold regular expressions and examples, not links.
  const prose = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^[a-z]+:/.test(t))
    .map((t) => path.normalize(path.join(dir, t)));
}

test('README.md is at most 200 lines, none wider than 120 characters', () => {
  const lines = readme.split('\n');
  expect(lines.length).toBeLessThanOrEqual(200);
  expect(lines.filter((l) => l.length > 120)).toEqual([]);
});

test('the README links every topic of docs/ and every link in README and docs/ stays inside the repository', () => {
  const targets = links('README.md', readme);
  for (const f of docs) expect([f, targets.includes(`docs/${f}`)]).toEqual([f, true]);
  for (const f of ['README.md', ...docs.map((d) => `docs/${d}`)]) {
    for (const t of links(f, readFileSync(path.join(ROOT, f), 'utf8'))) {
      expect([f, t, t.startsWith('..')]).toEqual([f, t, false]);
      expect([f, t, existsSync(path.join(ROOT, t))]).toEqual([f, t, true]);
    }
  }
});

test('no document names files outside the repository or describes a particular machine', () => {
  for (const f of ['README.md', ...docs.map((d) => `docs/${d}`)]) {
    const text = readFileSync(path.join(ROOT, f), 'utf8');
    expect([f, /\.\.\/shared|CONTROLS\.md|this build machine|seeds\//.test(text)]).toEqual([f, false]);
  }
});

test('a LICENSE with the Apache-2.0 text package.json declares', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { license: string };
  expect(pkg.license).toBe('Apache-2.0');
  const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  expect(license).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(license).toMatch(/END OF TERMS AND CONDITIONS/);
});
