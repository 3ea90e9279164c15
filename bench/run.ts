/**
 * Benchmarks: how long synth, the checks and the tests take, how much memory
 * they need, and how that grows with the number of environments. Every figure
 * is also shown as a multiple of the floor measured in the same run, so results
 * from different machines compare. See docs/performance.md.
 *
 *   node --import tsx bench/run.ts [--runs N] [--warmup N] [--quick] [--only NAME,...]
 *
 * Writes bench/results/latest.json and one log per run in bench/results/logs/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliContext } from './cdk-context';
import { writeGeneratedConfig } from './generate-config';
import { CFN_LIMITS, stackUsage, type StackUsage } from './limits';
import {
  checkGnuTime,
  cleanEnv,
  type Command,
  CommandFailed,
  measure,
  type Sample,
  type Stats,
  stats,
} from './measure';
import type { Phases } from './synth-app';

const ROOT = path.join(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const LOGS = path.join(RESULTS, 'logs');
const DIST = path.join(RESULTS, 'dist');
const TSX = ['node', '--import', 'tsx'];
const ENV_COUNTS = [1, 3, 10, 30] as const;

// ---------------------------------------------------------------- options

interface Options {
  readonly runs: number;
  readonly warmups: number;
  /** Figures to run, in the runner's order; always starts with the floor. */
  readonly only?: readonly string[];
}

class UsageError extends Error {}

const USAGE = `usage: node --import tsx bench/run.ts [options]
  --runs N           measured runs per figure (default 3)
  --warmup N         unmeasured runs before them (default 1)
  --quick            1 run, no warm-up (a quick check that everything works)
  --only NAME,...    only these figures (the floor always runs: ratios need it)
  --help             this text`;

function parseArgs(
  argv: readonly string[],
  figureNames: readonly string[],
  aliases: Record<string, string[]>,
): Options | 'help' {
  let runs: number | undefined;
  let warmups: number | undefined;
  let quick = false;
  let only: string[] | undefined;
  const count = (flag: string, v: string, min: number): number => {
    if (!/^\d+$/.test(v) || Number(v) < min) {
      throw new UsageError(`${flag} must be a whole number >= ${min} (got "${v}")`);
    }
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (what: string): string => {
      const v = inline ?? argv[i + 1];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) {
        throw new UsageError(`${flag} needs a value: ${flag} ${what}`);
      }
      if (inline === undefined) i++;
      return v;
    };
    switch (flag) {
      case '--runs':
        runs = count(flag, value('N'), 1);
        break;
      case '--warmup':
        warmups = count(flag, value('N'), 0);
        break;
      case '--quick':
        if (inline !== undefined) throw new UsageError(`--quick takes no value (got "${arg}")`);
        quick = true;
        break;
      case '--only': {
        const allowed = [...figureNames, ...Object.keys(aliases)];
        const names = value('NAME,...')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const unknown = names.filter((n) => !allowed.includes(n));
        if (names.length === 0 || unknown.length > 0) {
          throw new UsageError(
            `--only: unknown figure ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'}; allowed: ${allowed.join(', ')}`,
          );
        }
        only = names.flatMap((n) => aliases[n] ?? [n]);
        break;
      }
      case '--help':
      case '-h':
        return 'help';
      default:
        throw new UsageError(`unknown flag "${arg}"; allowed: --runs N, --warmup N, --quick, --only NAME,..., --help`);
    }
  }
  if (quick && (runs !== undefined || warmups !== undefined)) {
    throw new UsageError('--quick means 1 run and no warm-up; leave out --runs/--warmup or leave out --quick');
  }
  const selected = only && figureNames.filter((n) => n === 'floor' || only.includes(n));
  return { runs: quick ? 1 : (runs ?? 3), warmups: quick ? 0 : (warmups ?? 1), only: selected };
}

// ---------------------------------------------------------------- figures

/** State shared by figures within one run of the benchmark. */
class Context {
  /** Removed when the benchmark ends. */
  readonly tmp = mkdtempSync(path.join(os.tmpdir(), 'hardened-saas-bench-'));
  readonly cdkContext: Record<string, unknown>;
  /** The assembly of the latest demo synth: input of cfn-lint and of the limits report. */
  demoOutdir?: string;
  floorModules?: string;
  jsBuilt = false;
  private seq = 0;

  constructor() {
    this.cdkContext = cliContext(ROOT);
  }

  /** A new path under the temporary folder (not created). */
  fresh(prefix: string): string {
    return path.join(this.tmp, `${prefix}-${++this.seq}`);
  }
}

interface RunSpec {
  readonly command: Command;
  /** The assembly a synth writes; removed after the run unless the figure keeps it. */
  readonly outdir?: string;
  /** Where bench/synth-app.ts writes its phase times. */
  readonly phasesFile?: string;
  /** Where jest writes its `--json` results, which hold the time of each test file. */
  readonly jestJson?: string;
}

interface Figure {
  readonly name: string;
  readonly what: string;
  /** Unmeasured set-up before the first run: generate a config, build JS, synth an input. */
  prepare?(ctx: Context): Promise<void>;
  /** The next run. Called before every run, so each one starts with a fresh output folder or cache. */
  next(ctx: Context): RunSpec;
  /** Warm-up runs the figure needs to mean what it says, even with --quick. */
  readonly minWarmups?: number;
  /** Keep the assembly of its latest run as the demo synth. */
  readonly keepsDemo?: boolean;
  /**
   * Exit codes that still give a meaningful time. A test suite with failing
   * tests has run in full, so its time counts; the failures are reported.
   */
  readonly exitCodes?: readonly number[];
  /** After every successful run, warm-ups included. */
  done?(ctx: Context): void;
}

interface SynthOptions {
  readonly argv: readonly string[];
  readonly validation: boolean;
  readonly config?: string;
  readonly phases?: boolean;
  readonly extraEnv?: Record<string, string>;
}

/** A run of the app as the CDK CLI runs it: output folder and context through the environment. */
function synthRun(ctx: Context, o: SynthOptions): RunSpec {
  const outdir = ctx.fresh('cdk.out');
  const phasesFile = o.phases ? `${outdir}.phases.json` : undefined;
  return {
    outdir,
    phasesFile,
    command: {
      argv: o.argv,
      cwd: ROOT,
      env: {
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify({ ...ctx.cdkContext, ...(o.config ? { config: o.config } : {}) }),
        // Unset means on: aws-cdk-lib only checks for "false".
        CDK_VALIDATION: o.validation ? undefined : 'false',
        BENCH_PHASES_FILE: phasesFile,
        ...o.extraEnv,
      },
    },
  };
}

/** Runs a command once without keeping its figures, for set-up steps. */
async function unmeasured(ctx: Context, name: string, spec: RunSpec): Promise<void> {
  await measure(spec.command, path.join(LOGS, `${name}.log`), path.join(ctx.tmp, 'time.txt'));
}

const buildJs = (): RunSpec => ({
  command: { argv: ['npx', '--no-install', 'tsc', '-p', 'bench/tsconfig.build.json'], cwd: ROOT },
});

/** Folders tsc writes into DIST, and folders that must not be linked there. */
const COMPILED = ['bin', 'lib'];
const NOT_LINKED = new Set([...COMPILED, 'bench', 'node_modules', '.git', 'cdk.out']);

/**
 * Makes the compiled tree behave like the source tree: the app finds files
 * relative to `__dirname` (config/, images/, and a Lambda handler's .ts entry
 * that esbuild bundles), so the rest of the repository is linked in and the
 * TypeScript sources are copied beside their JavaScript.
 */
function completeDist(): void {
  for (const entry of readdirSync(ROOT)) {
    if (!NOT_LINKED.has(entry)) symlinkSync(path.join(ROOT, entry), path.join(DIST, entry));
  }
  for (const dir of COMPILED) {
    cpSync(path.join(ROOT, dir), path.join(DIST, dir), {
      recursive: true,
      filter: (src) => !path.basename(src).includes('.') || src.endsWith('.ts'),
    });
  }
}

async function ensureDemoOutdir(ctx: Context): Promise<void> {
  if (ctx.demoOutdir) return;
  const spec = synthRun(ctx, { argv: [...TSX, 'bin/app.ts'], validation: false });
  await unmeasured(ctx, 'prepare-demo-synth', spec);
  ctx.demoOutdir = spec.outdir;
}

function figures(): Figure[] {
  const list: Figure[] = [
    {
      name: 'floor',
      what: 'bare Node + tsx loading the aws-cdk-lib modules the app loads, one empty stack',
      async prepare(ctx) {
        ctx.floorModules = path.join(ctx.tmp, 'floor-modules.json');
        // Recorded without the nag packs: the library code they pull in counts as their cost, not the floor's.
        const spec = synthRun(ctx, {
          argv: [...TSX, 'bench/synth-app.ts', '--no-nag'],
          validation: false,
          extraEnv: { BENCH_MODULES_FILE: ctx.floorModules },
        });
        await unmeasured(ctx, 'prepare-floor-modules', spec);
        rmSync(spec.outdir!, { recursive: true, force: true });
      },
      next: (ctx) =>
        synthRun(ctx, { argv: [...TSX, 'bench/floor.ts', '--modules', ctx.floorModules!], validation: false }),
    },
    {
      name: 'synth',
      what: 'demo config, all nag packs, built-in validation off: bin/app.ts as `npm run synth` runs it',
      keepsDemo: true,
      next: (ctx) => synthRun(ctx, { argv: [...TSX, 'bin/app.ts'], validation: false }),
    },
    {
      name: 'synth-nonag',
      what: 'demo config without the nag packs (bench/synth-app.ts --no-nag), validation off',
      next: (ctx) =>
        synthRun(ctx, { argv: [...TSX, 'bench/synth-app.ts', '--no-nag'], validation: false, phases: true }),
    },
    {
      name: 'synth-validate',
      what: "demo config, all nag packs, aws-cdk-lib's built-in CloudFormation validation on",
      next: (ctx) => synthRun(ctx, { argv: [...TSX, 'bin/app.ts'], validation: true }),
    },
    {
      name: 'synth-nonag-validate',
      what: 'demo config without the nag packs, built-in validation on',
      next: (ctx) =>
        synthRun(ctx, { argv: [...TSX, 'bench/synth-app.ts', '--no-nag'], validation: true, phases: true }),
    },
    {
      name: 'synth-cli',
      what: "the synth step of `npm run synth`: `npx cdk synth --quiet '**'` (CLI + app), validation off",
      next(ctx) {
        const outdir = ctx.fresh('cdk.out');
        return {
          outdir,
          command: {
            argv: ['npx', '--no-install', 'cdk', 'synth', '--quiet', '--output', outdir, '**'],
            cwd: ROOT,
            env: { CDK_VALIDATION: 'false' },
          },
        };
      },
    },
    {
      name: 'tsc-build',
      what: 'compile bin/ and lib/ to JavaScript with tsc (what running compiled JS costs per change)',
      next: () => {
        rmSync(DIST, { recursive: true, force: true });
        return buildJs();
      },
      done: (ctx) => {
        completeDist();
        ctx.jsBuilt = true;
      },
    },
    {
      name: 'synth-js',
      what: 'the synth of `synth`, from tsc-compiled JavaScript (plain node, no tsx)',
      async prepare(ctx) {
        if (ctx.jsBuilt) return;
        rmSync(DIST, { recursive: true, force: true });
        await unmeasured(ctx, 'prepare-tsc-build', buildJs());
        completeDist();
        ctx.jsBuilt = true;
      },
      next: (ctx) => synthRun(ctx, { argv: ['node', path.join(DIST, 'bin', 'app.js')], validation: false }),
    },
    {
      name: 'cfn-lint',
      what: 'scripts/lint-templates.sh over the demo synth output (the second half of `npm run synth`)',
      prepare: ensureDemoOutdir,
      next: (ctx) => ({ command: { argv: ['bash', 'scripts/lint-templates.sh', ctx.demoOutdir!], cwd: ROOT } }),
    },
    ...ENV_COUNTS.map((n): Figure => {
      const config = path.join(RESULTS, 'configs', `envs-${n}.yaml`);
      return {
        name: `envs-${n}`,
        what: `generated config with ${n} environment${n === 1 ? '' : 's'}, all nag packs, validation off`,
        async prepare() {
          mkdirSync(path.dirname(config), { recursive: true });
          writeGeneratedConfig(n, config);
        },
        next: (ctx) =>
          synthRun(ctx, { argv: [...TSX, 'bench/synth-app.ts', '--nag'], validation: false, config, phases: true }),
      };
    }),
    {
      name: 'jest-cold',
      what: 'the test suite with an empty jest cache (first run, or after a dependency change)',
      exitCodes: JEST_EXIT_CODES,
      next: (ctx) => jestRun(ctx, ctx.fresh('jest-cache')),
    },
    {
      name: 'jest-warm',
      what: 'the test suite with a warm jest cache (the usual `npm test` after the first)',
      exitCodes: JEST_EXIT_CODES,
      minWarmups: 1,
      next: (ctx) => jestRun(ctx, path.join(ctx.tmp, 'jest-warm-cache')),
    },
    {
      name: 'jest-warm-2w',
      what: 'jest-warm on 2 workers (--maxWorkers=2); on 2 CPUs jest defaults to 1 worker, i.e. one file at a time',
      exitCodes: JEST_EXIT_CODES,
      minWarmups: 1,
      next: (ctx) => jestRun(ctx, path.join(ctx.tmp, 'jest-warm-cache'), ['--maxWorkers=2']),
    },
  ];
  return list;
}

/** 1: some tests failed (the summary line is then required, so that a broken jest set-up still fails). */
const JEST_EXIT_CODES = [0, 1];

function jestRun(ctx: Context, cacheDirectory: string, extraArgs: readonly string[] = []): RunSpec {
  const jestJson = `${ctx.fresh('jest')}.json`;
  return {
    jestJson,
    command: {
      argv: [
        'npx',
        '--no-install',
        'jest',
        ...extraArgs,
        '--cacheDirectory',
        cacheDirectory,
        '--json',
        '--outputFile',
        jestJson,
      ],
      cwd: ROOT,
    },
  };
}

/** Seconds per test file (path relative to the repository), from jest's `--json` output. */
function testFileSeconds(jestJson: string): Record<string, number> {
  const results = JSON.parse(readFileSync(jestJson, 'utf8')) as {
    testResults: { name: string; startTime: number; endTime: number }[];
  };
  return Object.fromEntries(
    results.testResults.map((t) => [path.relative(ROOT, t.name), (t.endTime - t.startTime) / 1000]),
  );
}

const ALIASES: Record<string, string[]> = {
  envs: ENV_COUNTS.map((n) => `envs-${n}`),
  jest: ['jest-cold', 'jest-warm', 'jest-warm-2w'],
  synths: ['synth', 'synth-nonag', 'synth-validate', 'synth-nonag-validate'],
};

// ---------------------------------------------------------------- results

interface FigureResult {
  readonly name: string;
  readonly what: string;
  readonly command: string;
  readonly status: 'ok' | 'failed';
  readonly error?: string;
  readonly runs: number;
  readonly wallSeconds?: Stats & { readonly samples: number[] };
  readonly cpuSeconds?: Stats;
  readonly peakMiB?: Stats & { readonly samples: number[] };
  /** Median of the figure over the floor's median. */
  readonly ratioToFloor?: { readonly wall: number; readonly cpu: number; readonly peak: number };
  /** Medians, in seconds, of bench/synth-app.ts's phases. */
  readonly phases?: Phases;
  /** Medians, in seconds, of each test file (jest figures). */
  readonly testFiles?: Record<string, number>;
  readonly note?: string;
}

interface TargetResult {
  readonly target: string;
  readonly status: 'met' | 'missed' | 'not measured';
  readonly detail: string;
}

/** Per-key medians of records with the same keys; undefined for none. */
function medians<T extends object>(records: readonly T[]): T | undefined {
  if (records.length === 0) return undefined;
  const keys = Object.keys(records[0]) as (keyof T & string)[];
  return Object.fromEntries(keys.map((k) => [k, stats(records.map((r) => Number(r[k]))).median])) as T;
}

interface Collected {
  readonly samples: Sample[];
  readonly phases: Phases[];
  readonly testFiles: Record<string, number>[];
  /** Measured runs in which tests failed: their times count, but the reader must know. */
  readonly failingRuns: string[];
  note?: string;
}

function summarize(figure: Figure, command: Command, c: Collected): FigureResult {
  const wall = c.samples.map((s) => s.wallSeconds);
  const peak = c.samples.map((s) => s.peakMiB);
  return {
    name: figure.name,
    what: figure.what,
    command: describe(command),
    status: 'ok',
    runs: c.samples.length,
    wallSeconds: { ...stats(wall), samples: wall },
    cpuSeconds: stats(c.samples.map((s) => s.cpuSeconds)),
    peakMiB: { ...stats(peak), samples: peak },
    phases: medians(c.phases),
    testFiles: medians(c.testFiles),
    note: c.note,
  };
}

/** The command as a reader would type it: temporary paths shortened, only the variables that matter. */
function describe(command: Command): string {
  const short = (s: string) => s.replace(/\/[^\s'"]*hardened-saas-bench-[^/\s]*/g, '$TMP').replace(`${ROOT}/`, '');
  const env = Object.entries(command.env ?? {})
    .filter(([k, v]) => v !== undefined && k !== 'CDK_CONTEXT_JSON')
    .map(([k, v]) => `${k}=${short(v!)}`);
  const context = command.env?.CDK_CONTEXT_JSON ? ['CDK_CONTEXT_JSON=<cdk.json context>'] : [];
  return [...env, ...context, ...command.argv.map(short)].join(' ');
}

function withRatios(results: FigureResult[]): FigureResult[] {
  const floor = results.find((r) => r.name === 'floor' && r.status === 'ok');
  return results.map((r) =>
    floor && r.wallSeconds && r.peakMiB
      ? {
          ...r,
          ratioToFloor: {
            wall: r.wallSeconds.median / floor.wallSeconds!.median,
            cpu: r.cpuSeconds!.median / floor.cpuSeconds!.median,
            peak: r.peakMiB.median / floor.peakMiB!.median,
          },
        }
      : r,
  );
}

function targets(results: FigureResult[]): TargetResult[] {
  const get = (name: string) => results.find((r) => r.name === name && r.status === 'ok');
  const out: TargetResult[] = [];
  const synth = get('synth');
  const floor = get('floor');
  out.push(
    synth?.ratioToFloor && floor
      ? {
          target: 'synth of the demo config with all nag packs within 4x the floor',
          status: synth.ratioToFloor.wall <= 4 ? 'met' : 'missed',
          detail: `${fmt(synth.wallSeconds!.median)} s = ${synth.ratioToFloor.wall.toFixed(2)}x the floor's ${fmt(floor.wallSeconds!.median)} s`,
        }
      : {
          target: 'synth of the demo config with all nag packs within 4x the floor',
          status: 'not measured',
          detail: '',
        },
  );
  const e30 = get('envs-30');
  out.push(
    e30
      ? {
          target: '30 environments in under 60 s',
          status: e30.wallSeconds!.median < 60 ? 'met' : 'missed',
          detail: `median ${fmt(e30.wallSeconds!.median)} s (max ${fmt(e30.wallSeconds!.max)} s)`,
        }
      : { target: '30 environments in under 60 s', status: 'not measured', detail: '' },
  );
  out.push(
    e30
      ? {
          target: '30 environments under 2 GiB peak memory',
          status: e30.peakMiB!.max < 2048 ? 'met' : 'missed',
          detail: `max ${Math.round(e30.peakMiB!.max)} MiB of 2048`,
        }
      : { target: '30 environments under 2 GiB peak memory', status: 'not measured', detail: '' },
  );
  const warm = get('jest-warm');
  out.push(
    warm
      ? {
          target: 'whole test suite under 60 s warm',
          status: warm.wallSeconds!.median < 60 ? 'met' : 'missed',
          detail: `median ${fmt(warm.wallSeconds!.median)} s${warm.note ? ` (${warm.note})` : ''}`,
        }
      : { target: 'whole test suite under 60 s warm', status: 'not measured', detail: '' },
  );
  return out;
}

// ---------------------------------------------------------------- printing

const fmt = (n: number, digits = 2) => n.toFixed(digits);

function table(header: string[], rows: string[][], rightAligned: (i: number) => boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function printFigures(results: FigureResult[]): void {
  const rows = results.map((r) =>
    r.status === 'ok'
      ? [
          r.name,
          String(r.runs),
          `${fmt(r.wallSeconds!.min)} / ${fmt(r.wallSeconds!.median)} / ${fmt(r.wallSeconds!.max)}`,
          fmt(r.cpuSeconds!.median),
          `${Math.round(r.peakMiB!.min)} / ${Math.round(r.peakMiB!.median)} / ${Math.round(r.peakMiB!.max)}`,
          r.ratioToFloor ? `${fmt(r.ratioToFloor.wall)}x` : '-',
          r.ratioToFloor ? `${fmt(r.ratioToFloor.cpu)}x` : '-',
          r.ratioToFloor ? `${fmt(r.ratioToFloor.peak)}x` : '-',
        ]
      : [r.name, '0', 'FAILED', '-', '-', '-', '-', '-'],
  );
  console.log(
    table(
      [
        'figure',
        'runs',
        'wall s min / median / max',
        'cpu s',
        'peak MiB min / median / max',
        'wall/floor',
        'cpu/floor',
        'MiB/floor',
      ],
      rows,
      (i) => i > 0,
    ),
  );
  for (const r of results) if (r.note) console.log(`  ${r.name}: ${r.note}`);
}

function printPhases(results: FigureResult[]): void {
  const withPhases = results.filter((r) => r.phases);
  if (withPhases.length === 0) return;
  console.log('\nWhere a synth spends its time (median seconds; bench/synth-app.ts):');
  console.log(
    table(
      ['figure', 'start (node, tsx, imports)', 'config', 'construct', 'synth (aspects, nag, validation, write)'],
      withPhases.map((r) => [
        r.name,
        fmt(r.phases!.start),
        fmt(r.phases!.config),
        fmt(r.phases!.construct),
        fmt(r.phases!.synth),
      ]),
      (i) => i > 0,
    ),
  );
}

function printTestFiles(results: FigureResult[]): void {
  const withFiles = results.filter((r) => r.testFiles);
  if (withFiles.length === 0) return;
  const last = withFiles[withFiles.length - 1].testFiles!;
  const files = [...new Set(withFiles.flatMap((r) => Object.keys(r.testFiles!)))].sort(
    (a, b) => (last[b] ?? 0) - (last[a] ?? 0),
  );
  console.log('\nTime per test file (median seconds, from start to end of the file in its worker):');
  console.log(
    table(
      ['test file', ...withFiles.map((r) => r.name)],
      files.map((f) => [f, ...withFiles.map((r) => (r.testFiles![f] === undefined ? '-' : fmt(r.testFiles![f])))]),
      (i) => i > 0,
    ),
  );
}

function printLimits(usage: StackUsage[]): void {
  console.log(
    `\nDemo synth against CloudFormation limits (${CFN_LIMITS.resources} resources, ${CFN_LIMITS.outputs} outputs, 1 MiB template):`,
  );
  console.log(
    table(
      ['stack', 'resources', '% of 500', 'outputs', '% of 200', 'template KiB', '% of 1 MiB'],
      usage.map((u) => [
        u.stack,
        String(u.resources),
        `${fmt(u.percent.resources, 1)}%`,
        String(u.outputs),
        `${fmt(u.percent.outputs, 1)}%`,
        fmt(u.templateBytes / 1024, 1),
        `${fmt(u.percent.templateBytes, 1)}%`,
      ]),
      (i) => i > 0,
    ),
  );
}

// ---------------------------------------------------------------- environment

function version(pkg: string): string {
  try {
    const file = path.join(ROOT, 'node_modules', ...pkg.split('/'), 'package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function commandOutput(argv: string[]): string {
  const pathWithShims = `${path.join(os.homedir(), '.pyenv', 'shims')}:${process.env.PATH ?? ''}`;
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, encoding: 'utf8', env: cleanEnv({ PATH: pathWithShims }) });
  return r.status === 0 ? r.stdout.trim() : 'unavailable';
}

/** The commit measured and how many files differ from it: figures of a dirty tree are not the commit's. */
function gitState(): { commit: string; uncommittedFiles: number | null } {
  const commit = commandOutput(['git', 'rev-parse', '--short', 'HEAD']);
  if (commit === 'unavailable') return { commit, uncommittedFiles: null };
  return {
    commit,
    uncommittedFiles: commandOutput(['git', 'status', '--porcelain']).split('\n').filter(Boolean).length,
  };
}

function machine() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}

// ---------------------------------------------------------------- main

interface Progress {
  readonly figure: Figure;
  /** Warm-up runs of this figure (at least its own minimum). */
  readonly warmups: number;
  readonly collected: Collected;
  prepared: boolean;
  lastCommand?: Command;
  error?: string;
}

/** One run of a figure; throws when it fails. */
async function runOnce(ctx: Context, p: Progress, measured: boolean, label: string): Promise<Sample> {
  if (!p.prepared) {
    await p.figure.prepare?.(ctx);
    p.prepared = true;
  }
  const spec = p.figure.next(ctx);
  p.lastCommand = spec.command;
  const log = path.join(LOGS, `${p.figure.name}.${label}.log`);
  const sample = await measure(spec.command, log, path.join(ctx.tmp, 'time.txt'), p.figure.exitCodes);
  // The jest reporter's summary line says how many tests the time covers.
  const tests = /^(\d+) passed, (\d+) failed\b.*$/m.exec(readFileSync(log, 'utf8'));
  if (sample.exitCode !== 0 && !(tests && Number(tests[2]) > 0)) {
    throw new CommandFailed(spec.command, sample.exitCode, log);
  }
  if (measured) {
    p.collected.samples.push(sample);
    if (spec.phasesFile) p.collected.phases.push(JSON.parse(readFileSync(spec.phasesFile, 'utf8')) as Phases);
    if (spec.jestJson) p.collected.testFiles.push(testFileSeconds(spec.jestJson));
    if (tests) {
      const run = p.collected.samples.length;
      if (Number(tests[2]) > 0) p.collected.failingRuns.push(`run ${run}: ${tests[0]}`);
      const failing = p.collected.failingRuns.length
        ? ` (FAILING TESTS, timed anyway: ${p.collected.failingRuns.join('; ')})`
        : '';
      p.collected.note = `tests: ${tests[0]}${failing}`;
    }
  }
  p.figure.done?.(ctx);
  if (spec.outdir) {
    if (p.figure.keepsDemo) {
      if (ctx.demoOutdir) rmSync(ctx.demoOutdir, { recursive: true, force: true });
      ctx.demoOutdir = spec.outdir;
    } else rmSync(spec.outdir, { recursive: true, force: true });
  }
  return sample;
}

/**
 * Runs the figures in rounds, one run of each per round, instead of all runs
 * of one figure back to back. On a machine that other work slows down now and
 * then, a slow spell then touches every figure a little rather than one figure
 * a lot, and the ratios to the floor, measured minutes apart at most, stay fair.
 */
async function runAll(ctx: Context, figures: readonly Figure[], options: Options): Promise<FigureResult[]> {
  const progress: Progress[] = figures.map((figure) => ({
    figure,
    warmups: Math.max(options.warmups, figure.minWarmups ?? 0),
    collected: { samples: [], phases: [], testFiles: [], failingRuns: [] },
    prepared: false,
  }));
  const maxWarmups = Math.max(...progress.map((p) => p.warmups));
  const rounds = maxWarmups + options.runs;
  for (let round = 0; round < rounds; round++) {
    const kind = round < maxWarmups ? 'warm-up' : `measured run ${round - maxWarmups + 1} of ${options.runs}`;
    console.log(`round ${round + 1}/${rounds} (${kind})`);
    for (const p of progress) {
      // Figures that need fewer warm-ups start later, so that all finish in the last round.
      const i = round - (maxWarmups - p.warmups);
      if (p.error || i < 0) continue;
      const measured = i >= p.warmups;
      process.stdout.write(`  ${p.figure.name.padEnd(22)} `);
      try {
        const s = await runOnce(ctx, p, measured, measured ? `run${i - p.warmups + 1}` : `warmup${i + 1}`);
        const what = `${fmt(s.wallSeconds).padStart(6)} s  cpu ${fmt(s.cpuSeconds).padStart(6)} s  ${Math.round(s.peakMiB)} MiB`;
        console.log(`${what}${measured ? '' : '  (warm-up)'}`);
      } catch (e) {
        p.error = e instanceof CommandFailed ? e.message : String((e as Error).stack ?? e);
        console.log(`FAILED\n${p.error.replace(/^/gm, '    ')}`);
      }
    }
  }
  return progress.map((p) =>
    p.error
      ? {
          name: p.figure.name,
          what: p.figure.what,
          command: p.lastCommand ? describe(p.lastCommand) : '',
          status: 'failed',
          error: p.error,
          runs: 0,
        }
      : summarize(p.figure, p.lastCommand!, p.collected),
  );
}

async function main(): Promise<number> {
  const all = figures();
  let parsed: Options | 'help';
  try {
    parsed = parseArgs(
      process.argv.slice(2),
      all.map((f) => f.name),
      ALIASES,
    );
    checkGnuTime();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const options = parsed;
  const selected = options.only ? all.filter((f) => options.only!.includes(f.name)) : all;
  rmSync(LOGS, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  const ctx = new Context();
  const cleanup = () => {
    rmSync(ctx.tmp, { recursive: true, force: true });
    // Links back into the repository would confuse tools that follow them.
    rmSync(DIST, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });

  const started = Date.now();
  const info = {
    date: new Date().toISOString(),
    machine: machine(),
    node: process.version,
    versions: Object.fromEntries(
      ['aws-cdk-lib', 'cdk-nag', 'constructs', 'aws-cdk', 'tsx', 'typescript', 'jest', '@swc/jest', '@swc/core'].map(
        (p) => [p, version(p)],
      ),
    ),
    cfnLint: commandOutput(['cfn-lint', '--version']),
    git: gitState(),
    options: { runs: options.runs, warmups: options.warmups, only: options.only ?? null },
  };
  console.log(
    `bench: ${selected.length} figures, ${options.warmups} warm-up + ${options.runs} measured run(s) each; ` +
      `${info.machine.cpus} x ${info.machine.cpuModel}, ${info.machine.memoryGiB} GiB, node ${info.node}\n` +
      `(one log per run in ${path.relative(ROOT, LOGS)}/)\n`,
  );

  let results: FigureResult[];
  let usage: StackUsage[] = [];
  try {
    results = withRatios(await runAll(ctx, selected, options));
    if (ctx.demoOutdir) usage = stackUsage(ctx.demoOutdir);
  } finally {
    cleanup();
  }

  const goals = targets(results);
  console.log('');
  printFigures(results);
  printPhases(results);
  printTestFiles(results);
  if (usage.length > 0) printLimits(usage);
  console.log('\nTargets (2-core reference machine):');
  for (const t of goals)
    console.log(`  ${t.status.toUpperCase().padEnd(12)} ${t.target}${t.detail ? `: ${t.detail}` : ''}`);

  const file = path.join(RESULTS, 'latest.json');
  const stacks = usage.map(({ templateFile: _templateFile, ...u }) => u);
  const seconds = (Date.now() - started) / 1000;
  const report = {
    ...info,
    // Other work on the machine slows every figure; a load above the CPU count means the figures are high.
    loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
    benchSeconds: seconds,
    figures: results,
    stackLimits: { limits: CFN_LIMITS, stacks },
    targets: goals,
  };
  // Four decimals are a tenth of a millisecond or of a percent: more is noise.
  const round = (_key: string, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(4)) : v;
  writeFileSync(file, `${JSON.stringify(report, round, 2)}\n`);
  const failed = results.filter((r) => r.status === 'failed');
  console.log(`\nbench: ${fmt(seconds, 0)} s; results in ${path.relative(ROOT, file)}`);
  if (failed.length > 0) {
    console.log(`bench: ${failed.length} figure(s) failed: ${failed.map((r) => r.name).join(', ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
