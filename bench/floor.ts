/**
 * The floor of every synth of this app: Node, tsx, the aws-cdk-lib code the
 * app uses, and one empty stack written to CDK_OUTDIR. Nothing of the app runs
 * (no config, no constructs, no cdk-nag), so `bench/run.ts` can show every
 * other figure as a multiple of what no change to the app can remove.
 *
 *   node --import tsx bench/floor.ts [--modules FILE]
 *
 * aws-cdk-lib's index files are lazy: requiring `aws-cdk-lib/aws-ec2` loads
 * almost nothing, and constructs load more library code while they run. So
 * "the modules the app uses" is taken literally: with `--modules FILE` (a JSON
 * array of file paths, which `bench/synth-app.ts` records when
 * BENCH_MODULES_FILE is set) exactly those files are loaded. Without it, the
 * exports the app's sources name are read, which loads somewhat less.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';

const ROOT = path.join(__dirname, '..');
const CDK_MODULE = /^(aws-cdk-lib(\/[\w-]+)*|constructs)$/;
// `import type` is erased at compile time, so it loads nothing and is skipped.
const IMPORT = /^import\s+(?!type\s)([^;]+?)\s+from\s+'([^']+)';?/gm;

/** The aws-cdk-lib and constructs exports named in bin/ and lib/, per module. */
function namedCdkExports(): Map<string, Set<string>> {
  const used = new Map<string, Set<string>>();
  const files = ['bin', 'lib'].flatMap((dir) =>
    (readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(ROOT, dir, f)),
  );
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const [, clause, spec] of source.matchAll(IMPORT)) {
      if (!CDK_MODULE.test(spec)) continue;
      const names = used.get(spec) ?? new Set<string>();
      used.set(spec, names);
      const namespace = /^\*\s+as\s+(\w+)$/.exec(clause.trim());
      if (namespace) {
        for (const [, name] of source.matchAll(new RegExp(`\\b${namespace[1]}\\.(\\w+)`, 'g'))) names.add(name);
        continue;
      }
      for (const part of (/\{([^}]*)\}/.exec(clause)?.[1] ?? '').split(',')) {
        const name = part.trim();
        if (name && !name.startsWith('type ')) names.add(name.split(/\s+as\s+/)[0]);
      }
    }
  }
  return used;
}

function parseArgs(argv: readonly string[]): { modulesFile?: string } {
  if (argv.length === 0) return {};
  if (argv.length === 2 && argv[0] === '--modules') return { modulesFile: argv[1] };
  throw new Error(`floor: unknown arguments ${JSON.stringify(argv)}; allowed: --modules FILE`);
}

function main(): void {
  const { modulesFile } = parseArgs(process.argv.slice(2));
  const load = createRequire(__filename);
  let loaded: number;
  if (modulesFile) {
    const files = JSON.parse(readFileSync(modulesFile, 'utf8')) as string[];
    for (const file of files) load(file);
    loaded = files.length;
  } else {
    const touched: unknown[] = [];
    for (const [spec, names] of namedCdkExports()) {
      const mod = load(spec) as Record<string, unknown>;
      // Interfaces are not runtime exports: reading one yields undefined and loads nothing.
      for (const name of names) touched.push(mod[name]);
    }
    loaded = touched.filter((x) => x !== undefined).length;
  }
  const app = new App();
  new Stack(app, 'Floor');
  app.synth();
  console.log(`floor: loaded ${loaded} ${modulesFile ? 'recorded module files' : 'named exports'}`);
}

main();
