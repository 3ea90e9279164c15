import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parse } from 'yaml';
import { CONTROLS } from '../../lib/compliance/controls';
import { SEEDS } from '../../lib/compliance/evidence/frameworks';
import { ConfigSchema } from '../../lib/config/schema';
import { referenceRows, undocumentedFields } from '../../lib/docs/config-reference';
import { generatedFiles, runDocsCli, staleFiles } from '../../lib/docs/generate';
import { ROOT, tempDir } from '../helpers/app';

/** Leaf and object paths of the zod schema, walked directly (independent of the JSON Schema the reference reads). */
function zodPaths(schema: z.ZodType, prefix: string, out: string[]): void {
  let s: z.ZodType = schema;
  // Unwrap defaults, prefaults, optionals.
  for (;;) {
    const def = (s as unknown as { _zod: { def: { type: string; innerType?: z.ZodType } } })._zod.def;
    if (def.innerType && ['default', 'prefault', 'optional', 'pipe'].includes(def.type)) s = def.innerType;
    else break;
  }
  if (s instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(s.shape)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.push(p);
      zodPaths(v as z.ZodType, p, out);
    }
  } else if (s instanceof z.ZodArray && s.element instanceof z.ZodObject) {
    out.push(`${prefix}[]`);
    zodPaths(s.element, `${prefix}[]`, out);
  }
}

describe('generated documentation (npm run docs:config)', () => {
  test('docs/configuration.md, config/schema.json and docs/controls.md are up to date', async () => {
    expect(await staleFiles()).toEqual([]);
  });

  test('every configuration field has a description', () => {
    expect(undocumentedFields()).toEqual([]);
  });

  test('every field of the zod schema has a row in docs/configuration.md', () => {
    const paths: string[] = [];
    zodPaths(ConfigSchema, '', paths);
    const doc = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8');
    const { top, environment, pipeline } = referenceRows();
    const documented = new Set([...top, ...environment, ...pipeline].map((r) => r.path));
    const expected = paths
      .map((p) => p.replace(/^environments\.?/, '').replace(/^\[\]\.?/, '') || 'environments[]')
      .map((p) => (p === 'environments' ? 'environments[]' : p));
    expect(expected.length).toBeGreaterThan(50);
    for (const p of expected) {
      expect([p, documented.has(p) || documented.has(`${p}[]`)]).toEqual([p, true]);
      expect(doc).toContain(`\`${documented.has(p) ? p : `${p}[]`}\``);
    }
  });

  test('a field without a description fails the check, naming the field', async () => {
    const lines: string[] = [];
    const original = ConfigSchema.shape.environments.element.shape.name;
    const bare = z.string();
    (ConfigSchema.shape.environments.element.shape as Record<string, z.ZodType>).name = bare;
    try {
      expect(undocumentedFields()).toEqual(['name']);
      const code = await runDocsCli(['--check'], { stdout: (t) => lines.push(t), stderr: (t) => lines.push(t) });
      expect(code).toBe(1);
      expect(lines.join('')).toMatch(
        /without a description; add \.describe\('\.\.\.'\) in lib\/config\/schema\.ts: name/,
      );
    } finally {
      (ConfigSchema.shape.environments.element.shape as Record<string, z.ZodType>).name = original;
    }
  });

  test('a stale file fails the check and names it; writing fixes it', async () => {
    const root = tempDir('docs-');
    for (const dir of ['docs', 'config']) mkdirSync(path.join(root, dir), { recursive: true });
    cpSync(path.join(ROOT, '.prettierrc.json'), path.join(root, '.prettierrc.json'));
    const files = await generatedFiles();
    for (const g of files) writeFileSync(path.join(root, g.file), g.content);
    writeFileSync(path.join(root, 'docs', 'controls.md'), '# hand-edited\n');
    const err: string[] = [];
    const io = { stdout: () => undefined, stderr: (t: string) => err.push(t) };
    expect(await runDocsCli(['--check'], io, root)).toBe(1);
    expect(err.join('')).toMatch(/stale: docs\/controls\.md; run npm run docs:config/);
    expect(await runDocsCli([], io, root)).toBe(0);
    for (const g of files)
      expect([g.file, readFileSync(path.join(root, g.file), 'utf8') === g.content]).toEqual([g.file, true]);
  });

  test('rejects unknown arguments (exit 2, the usage-error form of every CLI) and answers --help', async () => {
    const run = async (argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runDocsCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
      return { code, out: out.join(''), err: err.join('') };
    };
    const hint = 'Run "npm run docs:config -- --help" for its flags.\n';
    expect(await run(['--bogus'])).toEqual({
      code: 2,
      out: '',
      err: `docs:config: unknown flag --bogus for "docs:config"; allowed: --check, --help\n${hint}`,
    });
    expect(await run(['stray'])).toMatchObject({ code: 2, err: expect.stringMatching(/unexpected argument "stray"/) });
    expect(await run(['--check=yes'])).toMatchObject({
      code: 2,
      err: `docs:config: --check takes no value (got "yes")\n${hint}`,
    });
    const help = await run(['-h']);
    expect(help).toMatchObject({ code: 0, err: '' });
    expect(help.out).toMatch(/^usage: npm run docs:config \[-- --check\]\n/);
    expect(help.out).toMatch(/\n {2}--check {5}write nothing; exit 1 if a file is stale/);
  });
});

describe('config/schema.json', () => {
  const schema = JSON.parse(readFileSync(path.join(ROOT, 'config', 'schema.json'), 'utf8')) as {
    properties: { environments: { items: { properties: Record<string, unknown>; required: string[] } } };
  };

  test('the demo and local configurations point at it', () => {
    for (const f of ['demo.yaml', 'local.yaml']) {
      const text = readFileSync(path.join(ROOT, 'config', f), 'utf8');
      expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema.json');
    }
  });

  test('knows every field the demo configuration uses, and nothing required is missing there', () => {
    const demo = parse(readFileSync(path.join(ROOT, 'config', 'demo.yaml'), 'utf8')) as {
      environments: Record<string, unknown>[];
    };
    const env = schema.properties.environments.items;
    for (const e of demo.environments) {
      for (const k of Object.keys(e)) expect([k, k in env.properties]).toEqual([k, true]);
      for (const k of env.required) expect([k, k in e]).toEqual([k, true]);
    }
  });
});

describe('docs/controls.md', () => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'controls.md'), 'utf8');

  test('lists every control with the companies its promise comes from, never a seed file', () => {
    for (const c of CONTROLS) {
      const line = doc.split('\n').find((l) => l.startsWith(`| ${c.id} `));
      expect([c.id, line !== undefined]).toEqual([c.id, true]);
      for (const s of c.sources) expect(line).toContain(SEEDS[s].company);
    }
    expect(doc).not.toMatch(/\.txt|\.\.\/shared|seeds\//);
  });
});
