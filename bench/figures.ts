/** What each figure of bench/run.ts runs, and the state figures share within one run of the benchmark. */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cliContext } from './cdk-context';
import { writeGeneratedConfig } from './generate-config';
import { type Command, measure } from './measure';

export const ROOT = path.join(__dirname, '..');
export const RESULTS = path.join(ROOT, 'bench', 'results');
export const LOGS = path.join(RESULTS, 'logs');
export const DIST = path.join(RESULTS, 'dist');
export const TSX = ['node', '--import', 'tsx'];
export const ENV_COUNTS = [1, 3, 10, 30] as const;

/** State shared by figures within one run of the benchmark. */
export class Context {
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

export interface RunSpec {
  readonly command: Command;
  /** The assembly a synth writes; removed after the run unless the figure keeps it. */
  readonly outdir?: string;
  /** Where bench/synth-app.ts writes its phase times. */
  readonly phasesFile?: string;
  /** Where jest writes its `--json` results, which hold the time of each test file. */
  readonly jestJson?: string;
}

export interface Figure {
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

export interface SynthOptions {
  readonly argv: readonly string[];
  readonly validation: boolean;
  readonly config?: string;
  readonly phases?: boolean;
  readonly extraEnv?: Record<string, string>;
}

/** A run of the app as the CDK CLI runs it: output folder and context through the environment. */
export function synthRun(ctx: Context, o: SynthOptions): RunSpec {
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
export async function unmeasured(ctx: Context, name: string, spec: RunSpec): Promise<void> {
  await measure(spec.command, path.join(LOGS, `${name}.log`), path.join(ctx.tmp, 'time.txt'));
}

export const buildJs = (): RunSpec => ({
  command: { argv: ['npx', '--no-install', 'tsc', '-p', 'bench/tsconfig.build.json'], cwd: ROOT },
});

/** Folders tsc writes into DIST, and folders that must not be linked there. */
export const COMPILED = ['bin', 'lib'];
export const NOT_LINKED = new Set([...COMPILED, 'bench', 'node_modules', '.git', 'cdk.out']);

/**
 * Makes the compiled tree behave like the source tree: the app finds files
 * relative to `__dirname` (config/, images/, and a Lambda handler's .ts entry
 * that esbuild bundles), so the rest of the repository is linked in and the
 * TypeScript sources are copied beside their JavaScript.
 */
export function completeDist(): void {
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

export async function ensureDemoOutdir(ctx: Context): Promise<void> {
  if (ctx.demoOutdir) return;
  const spec = synthRun(ctx, { argv: [...TSX, 'bin/app.ts'], validation: false });
  await unmeasured(ctx, 'prepare-demo-synth', spec);
  ctx.demoOutdir = spec.outdir;
}

export function figures(): Figure[] {
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
      what: 'scripts/lint-templates.sh --no-cache over the demo synth output: every template, one cfn-lint process per CPU',
      prepare: ensureDemoOutdir,
      next: (ctx) => ({
        command: { argv: ['bash', 'scripts/lint-templates.sh', ctx.demoOutdir!, '--no-cache'], cwd: ROOT },
      }),
    },
    {
      name: 'cfn-lint-1p',
      what: 'cfn-lint with --jobs 1: every template in one cfn-lint process (as before the parallel lint)',
      prepare: ensureDemoOutdir,
      next: (ctx) => ({
        command: {
          argv: ['bash', 'scripts/lint-templates.sh', ctx.demoOutdir!, '--no-cache', '--jobs', '1'],
          cwd: ROOT,
        },
      }),
    },
    {
      name: 'gate-cold',
      what: '`npm run synth` end to end (synth, nag, cfn-lint, evidence) with an empty lint cache',
      next: (ctx) => gateRun(ctx.fresh('lint-cache')),
    },
    {
      name: 'gate-warm',
      what: '`npm run synth` end to end with nothing changed since the last run (lint cache warm)',
      minWarmups: 1,
      next: (ctx) => gateRun(path.join(ctx.tmp, 'lint-cache-warm')),
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

/** `npm run synth` (scripts/synth.sh, in the repository: it writes cdk.out/) with its lint cache in `lintCache`. */
function gateRun(lintCache: string): RunSpec {
  return { command: { argv: ['bash', 'scripts/synth.sh'], cwd: ROOT, env: { CFN_LINT_CACHE_DIR: lintCache } } };
}

/** 1: some tests failed (the summary line is then required, so that a broken jest set-up still fails). */
export const JEST_EXIT_CODES = [0, 1];

export function jestRun(ctx: Context, cacheDirectory: string, extraArgs: readonly string[] = []): RunSpec {
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
export function testFileSeconds(jestJson: string): Record<string, number> {
  const results = JSON.parse(readFileSync(jestJson, 'utf8')) as {
    testResults: { name: string; startTime: number; endTime: number }[];
  };
  return Object.fromEntries(
    results.testResults.map((t) => [path.relative(ROOT, t.name), (t.endTime - t.startTime) / 1000]),
  );
}

export const ALIASES: Record<string, string[]> = {
  envs: ENV_COUNTS.map((n) => `envs-${n}`),
  jest: ['jest-cold', 'jest-warm', 'jest-warm-2w'],
  synths: ['synth', 'synth-nonag', 'synth-validate', 'synth-nonag-validate'],
  gate: ['synth-cli', 'cfn-lint', 'cfn-lint-1p', 'gate-cold', 'gate-warm'],
};
