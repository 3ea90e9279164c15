/**
 * Bench-only twin of bin/app.ts: the same context, config loading, validation
 * and synth, so its figures are the app's figures, plus what the benchmark
 * needs and the real entry must not have:
 *
 *   node --import tsx bench/synth-app.ts [--nag | --no-nag]
 *
 * - `--no-nag` leaves the four cdk-nag packs out, so their cost is the
 *   difference to the default `--nag`.
 * - BENCH_PHASES_FILE=path: writes the seconds spent in each phase (JSON), to
 *   say where the time of a slow synth goes.
 * - BENCH_MODULES_FILE=path: writes the aws-cdk-lib/constructs module files
 *   this process loaded (JSON), which `bench/floor.ts --modules` loads.
 */
import { writeFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { addEnvironments } from '../lib/app';
import { DEMO_CONFIG_PATH, loadConfig } from '../lib/config/load';
import { ConfigError } from '../lib/config/validate';

/** Seconds per phase; `start` runs from process start to the first line of this file (Node, tsx, imports). */
export interface Phases {
  readonly start: number;
  readonly config: number;
  readonly construct: number;
  readonly synth: number;
}

const CDK_LIBRARY_FILE = /[\\/]node_modules[\\/](aws-cdk-lib|constructs|@aws-cdk[\\/][^\\/]+)[\\/]/;

function parseNag(argv: readonly string[]): boolean {
  if (argv.length === 0) return true;
  if (argv.length === 1 && (argv[0] === '--nag' || argv[0] === '--no-nag')) return argv[0] === '--nag';
  process.stderr.write(`synth-app: unknown arguments ${JSON.stringify(argv)}; allowed: --nag (default) or --no-nag\n`);
  process.exit(2);
}

function main(): void {
  const nag = parseNag(process.argv.slice(2));
  const t0 = performance.now();
  // autoSynth off, as in bin/app.ts: nothing is written unless the configuration is valid.
  const app = new App({ autoSynth: false });
  const configPath = (app.node.tryGetContext('config') as string | undefined) ?? DEMO_CONFIG_PATH;
  let t1: number;
  let t2: number;
  try {
    const config = loadConfig(configPath);
    t1 = performance.now();
    addEnvironments(app, config, { nag });
    t2 = performance.now();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  app.synth();
  const t3 = performance.now();

  const phasesFile = process.env.BENCH_PHASES_FILE;
  if (phasesFile) {
    const phases: Phases = {
      start: t0 / 1000,
      config: (t1 - t0) / 1000,
      construct: (t2 - t1) / 1000,
      synth: (t3 - t2) / 1000,
    };
    writeFileSync(phasesFile, JSON.stringify(phases));
  }
  const modulesFile = process.env.BENCH_MODULES_FILE;
  if (modulesFile) {
    writeFileSync(modulesFile, JSON.stringify(Object.keys(require.cache).filter((f) => CDK_LIBRARY_FILE.test(f))));
  }
}

main();
