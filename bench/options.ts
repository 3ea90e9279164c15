/** The bench runner's command line (bench/run.ts), parsed by the parser of every CLI (lib/cli/args.ts). */
import { type CommandSpec, HELP_FLAG, helpText, parseFlags, UsageError } from '../lib/cli/args';

export interface Options {
  readonly runs: number;
  readonly warmups: number;
  /** Figures to run, in the runner's order; always starts with the floor. */
  readonly only?: readonly string[];
}

/** What `--quick` runs without `--only`: every figure a target is computed from. */
export const QUICK_FIGURES = [
  'floor',
  'synth',
  'synth-cli',
  'gate-cold',
  'gate-warm',
  'jest-cold',
  'jest-warm',
  'envs-30',
];

export { UsageError };

/** The runner's flags; `--only` takes the figure names and their aliases. */
export function benchCommand(figureNames: readonly string[], aliases: Readonly<Record<string, string[]>>): CommandSpec {
  return {
    name: 'bench',
    summary: 'measure synth, the gate, jest and the CloudFormation limits; write bench/results/ (docs/performance.md)',
    flags: [
      { name: 'runs', type: 'number', integer: true, min: 1, value: 'N', help: 'measured runs per figure (default 3)' },
      {
        name: 'warmup',
        type: 'number',
        integer: true,
        min: 0,
        value: 'N',
        help: 'unmeasured runs before them (default 1)',
      },
      {
        name: 'quick',
        type: 'boolean',
        help: '1 run, no warm-up, only the figures the targets need (within 5 minutes on 2 quiet CPUs)',
      },
      {
        name: 'only',
        type: 'list',
        value: 'NAME,...',
        allowed: [...figureNames, ...Object.keys(aliases)],
        help: 'only these figures (the floor always runs: ratios need it)',
      },
      HELP_FLAG,
    ],
  };
}

export const benchHelp = (spec: CommandSpec): string => helpText(spec, { usage: 'npm run bench -- [flags]' });

export function parseBenchArgs(
  argv: readonly string[],
  figureNames: readonly string[],
  aliases: Record<string, string[]>,
): Options | 'help' {
  const flags = parseFlags(benchCommand(figureNames, aliases), argv);
  if (flags.help) return 'help';
  const runs = flags.runs as number | undefined;
  const warmups = flags.warmup as number | undefined;
  const quick = flags.quick === true;
  if (quick && (runs !== undefined || warmups !== undefined)) {
    throw new UsageError('--quick means 1 run and no warm-up; leave out --runs/--warmup or leave out --quick');
  }
  const only = (flags.only as readonly string[] | undefined)?.flatMap((n) => aliases[n] ?? [n]);
  const wanted = only ?? (quick ? QUICK_FIGURES : undefined);
  const selected = wanted && figureNames.filter((n) => n === 'floor' || wanted.includes(n));
  return { runs: quick ? 1 : (runs ?? 3), warmups: quick ? 0 : (warmups ?? 1), only: selected };
}
