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

export function targets(results: FigureResult[]): TargetResult[] {
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
