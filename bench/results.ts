/** Figures summarized over their runs, their ratios to the floor, and the targets (bench/run.ts). */
import { type Command, type Sample, type Stats, stats } from './measure';
import { type Figure, ROOT } from './figures';
import { fmt } from './print';
import type { Phases } from './synth-app';

export interface FigureResult {
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

export interface TargetResult {
  readonly target: string;
  readonly status: 'met' | 'missed' | 'not measured';
  readonly detail: string;
  readonly ratio?: number;
}

/** Per-key medians of records with the same keys; undefined for none. */
export function medians<T extends object>(records: readonly T[]): T | undefined {
  if (records.length === 0) return undefined;
  const keys = Object.keys(records[0]) as (keyof T & string)[];
  return Object.fromEntries(keys.map((k) => [k, stats(records.map((r) => Number(r[k]))).median])) as T;
}

export interface Collected {
  readonly samples: Sample[];
  readonly phases: Phases[];
  readonly testFiles: Record<string, number>[];
  /** Measured runs in which tests failed: their times count, but the reader must know. */
  readonly failingRuns: string[];
  note?: string;
}

export function summarize(figure: Figure, command: Command, c: Collected): FigureResult {
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
export function describe(command: Command): string {
  const short = (s: string) => s.replace(/\/[^\s'"]*hardened-saas-bench-[^/\s]*/g, '$TMP').replace(`${ROOT}/`, '');
  const env = Object.entries(command.env ?? {})
    .filter(([k, v]) => v !== undefined && k !== 'CDK_CONTEXT_JSON')
    .map(([k, v]) => `${k}=${short(v!)}`);
  const context = command.env?.CDK_CONTEXT_JSON ? ['CDK_CONTEXT_JSON=<cdk.json context>'] : [];
  return [...env, ...context, ...command.argv.map(short)].join(' ');
}

export function withRatios(results: FigureResult[]): FigureResult[] {
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

/** The targets of issue 19, each a ratio within one run (wall medians) or an absolute limit. */
const RATIO_TARGETS: { name: string; of: string; to: string; max: number }[] = [
  { name: 'synth within 3.0x the floor', of: 'synth', to: 'floor', max: 3.0 },
  { name: 'gate-cold within 1.5x synth-cli', of: 'gate-cold', to: 'synth-cli', max: 1.5 },
  { name: 'gate-warm within 1.15x synth-cli', of: 'gate-warm', to: 'synth-cli', max: 1.15 },
  { name: 'jest-warm within 15x the floor', of: 'jest-warm', to: 'floor', max: 15 },
  { name: 'jest-cold within 30x the floor', of: 'jest-cold', to: 'floor', max: 30 },
];

export function targets(results: FigureResult[]): TargetResult[] {
  const get = (name: string) => results.find((r) => r.name === name && r.status === 'ok');
  const out: TargetResult[] = RATIO_TARGETS.map((t) => {
    const a = get(t.of);
    const b = get(t.to);
    if (!a || !b) return { target: t.name, status: 'not measured', detail: '' };
    const ratio = a.wallSeconds!.median / b.wallSeconds!.median;
    return {
      target: t.name,
      status: ratio <= t.max ? 'met' : 'missed',
      detail: `${ratio.toFixed(2)}x (${fmt(a.wallSeconds!.median)} s / ${fmt(b.wallSeconds!.median)} s${a.note ? `; ${a.note}` : ''})`,
      ratio,
    };
  });
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
  return out;
}
