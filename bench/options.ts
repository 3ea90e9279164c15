/** The bench runner's command line (bench/run.ts). */

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

export class UsageError extends Error {}

export const USAGE = `usage: node --import tsx bench/run.ts [options]
  --runs N           measured runs per figure (default 3)
  --warmup N         unmeasured runs before them (default 1)
  --quick            1 run, no warm-up, only the figures the targets need (within 5 minutes on 2 quiet CPUs)
  --only NAME,...    only these figures (the floor always runs: ratios need it)
  --help             this text`;

export function parseArgs(
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
  const wanted = only ?? (quick ? QUICK_FIGURES : undefined);
  const selected = wanted && figureNames.filter((n) => n === 'floor' || wanted.includes(n));
  return { runs: quick ? 1 : (runs ?? 3), warmups: quick ? 0 : (warmups ?? 1), only: selected };
}
