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
import { type CommandSpec, parseFlags, UsageError } from '../lib/cli/args';

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

/** The one flag: the module files to load, recorded from an app synth (bench/run.ts writes it). */
const FLOOR_COMMAND: CommandSpec = {
  name: 'floor',
  summary: 'the floor: Node, tsx, the aws-cdk-lib module files the app loads, one empty stack',
  flags: [{ name: 'modules', type: 'string', value: 'FILE', help: 'a JSON list of module files to load' }],
};

function main(): void {
  const modulesFile = parseFlags(FLOOR_COMMAND, process.argv.slice(2)).modules as string | undefined;
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

try {
  main();
} catch (e) {
  if (!(e instanceof UsageError)) throw e;
  process.stderr.write(`floor: ${e.message}\n`);
  process.exitCode = e.exitCode;
}
