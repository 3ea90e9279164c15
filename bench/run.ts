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
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALIASES, Context, DIST, type Figure, figures, LOGS, RESULTS, ROOT, testFileSeconds } from './figures';
import { CFN_LIMITS, stackUsage, type StackUsage } from './limits';
import { checkGnuTime, cleanEnv, type Command, CommandFailed, measure, type Sample } from './measure';
import { USAGE_EXIT, UsageError, usageMessage } from '../lib/cli/args';
import { benchCommand, benchHelp, type Options, parseBenchArgs } from './options';
import { fmt, printFigures, printLimits, printPhases, printTestFiles } from './print';
import { type Collected, describe, type FigureResult, summarize, targets, withRatios } from './results';
import type { Phases } from './synth-app';

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
  const names = all.map((f) => f.name);
  let parsed: Options | 'help';
  try {
    parsed = parseBenchArgs(process.argv.slice(2), names, ALIASES);
    checkGnuTime();
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(usageMessage('bench', e, 'Run "npm run bench -- --help" for its flags.'));
    return USAGE_EXIT;
  }
  if (parsed === 'help') {
    process.stdout.write(benchHelp(benchCommand(names, ALIASES)));
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
