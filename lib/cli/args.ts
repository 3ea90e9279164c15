import { parseArgs } from 'node:util';

/**
 * The one command-line parser of every CLI of the project (ops, deploy,
 * teardown, tenant, evidence, bench). Each CLI declares its flags as data
 * ({@link FlagSpec}); parsing, the usage errors and the `--help` text all come
 * from that declaration. Built on `node:util` `parseArgs`, which splits the
 * command line into tokens; the checks here give every mistake one message
 * form: it names the flag, the value given and what is allowed.
 */

/** Exit code of every CLI for a command line it cannot run. */
export const USAGE_EXIT = 2;

/** The command line is wrong; the message names the flag and what is allowed. Exit 2. */
export class UsageError extends Error {
  readonly exitCode = USAGE_EXIT;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One flag of a command. */
export interface FlagSpec {
  readonly name: string;
  /** `list`: comma-separated values, each one of {@link allowed}. */
  readonly type: 'string' | 'number' | 'boolean' | 'list';
  /** Shown in the help text. */
  readonly help: string;
  /** The value placeholder in the help text and in "needs a value", e.g. `NAME`. */
  readonly value?: string;
  /** A one-letter alias, e.g. `h` for `-h`. */
  readonly short?: string;
  /** Numbers: the smallest and largest value allowed, and whether it must be whole. */
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  /** Strings and lists: the values allowed. */
  readonly allowed?: readonly string[];
  /** Missing is a usage error ({@link requireFlags}). */
  readonly required?: boolean;
}

/** The one positional argument a command may take. */
export interface PositionalSpec {
  /** The placeholder, e.g. `CLOUD_ASSEMBLY`. */
  readonly name: string;
  /** What it is, in the "at most one" error, e.g. `cloud assembly directory`. */
  readonly what: string;
  readonly help: string;
}

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
  readonly positional?: PositionalSpec;
}

export type FlagValue = string | number | boolean | readonly string[];
export type FlagValues = Readonly<Record<string, FlagValue | undefined>>;

export interface CommandLine {
  readonly flags: FlagValues;
  /** At most one, and only when the command declares a {@link PositionalSpec}. */
  readonly positionals: readonly string[];
}

/** `--help` / `-h`, the same in every command. */
export const HELP_FLAG: FlagSpec = { name: 'help', short: 'h', type: 'boolean', help: 'show this help' };

const flagList = (spec: CommandSpec) => spec.flags.map((f) => `--${f.name}`).join(', ');
const placeholder = (f: FlagSpec) => f.value ?? (f.type === 'list' ? 'VALUE,...' : 'VALUE');

function range(f: FlagSpec): string {
  const min = f.min ?? -Infinity;
  const max = f.max ?? Infinity;
  if (Number.isFinite(min) && Number.isFinite(max)) return ` from ${min} to ${max}`;
  if (Number.isFinite(min)) return ` >= ${min}`;
  if (Number.isFinite(max)) return ` <= ${max}`;
  return '';
}

function convert(f: FlagSpec, raw: string): FlagValue {
  const name = `--${f.name}`;
  if (f.type === 'number') {
    const n = Number(raw);
    const ok =
      raw.trim() !== '' &&
      Number.isFinite(n) &&
      n >= (f.min ?? -Infinity) &&
      n <= (f.max ?? Infinity) &&
      (!f.integer || Number.isInteger(n));
    if (!ok) throw new UsageError(`${name} must be a ${f.integer ? 'whole ' : ''}number${range(f)} (got "${raw}")`);
    return n;
  }
  if (raw === '') throw new UsageError(`${name} needs a non-empty value`);
  if (f.type === 'list') {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0 || (f.allowed && items.some((i) => !f.allowed!.includes(i)))) {
      throw new UsageError(
        `${name} must be one or more of ${f.allowed?.join(', ')}, separated by commas (got "${raw}")`,
      );
    }
    return items;
  }
  if (f.allowed && !f.allowed.includes(raw)) {
    throw new UsageError(`${name} must be one of ${f.allowed.join(', ')} (got "${raw}")`);
  }
  return raw;
}

/** Parses the command line of one command; every mistake is a {@link UsageError}. */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): CommandLine {
  const shorts = Object.fromEntries(
    spec.flags.filter((f) => f.short).map((f) => [f.name, { type: 'boolean' as const, short: f.short }]),
  );
  const { tokens } = parseArgs({
    args: [...argv],
    // Only the short aliases need declaring; types and values are checked below, with our messages.
    options: shorts,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const flags: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'option-terminator') continue;
    if (t.kind === 'positional') {
      if (!spec.positional) {
        throw new UsageError(`unexpected argument "${t.value}" for "${spec.name}"; flags are ${flagList(spec)}`);
      }
      positionals.push(t.value);
      continue;
    }
    const f = spec.flags.find((x) => x.name === t.name);
    if (!f) throw new UsageError(`unknown flag ${t.rawName} for "${spec.name}"; allowed: ${flagList(spec)}`);
    const name = `--${f.name}`;
    if (f.name in flags) throw new UsageError(`${name} is given more than once`);
    if (f.type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${name} takes no value (got "${t.value}")`);
      flags[f.name] = true;
      continue;
    }
    // parseArgs only takes the next argument as the value of a declared string flag.
    let raw = t.value;
    if (raw === undefined) {
      const next = tokens[i + 1];
      if (next?.kind === 'positional' && next.index === t.index + 1) {
        raw = next.value;
        i++;
      } else if (next?.kind === 'option' && next.index === t.index + 1 && !next.rawName.startsWith('--')) {
        // A value that starts with one dash (a negative number, `-`): taken as is, as before.
        raw = argv[next.index];
        while (tokens[i + 1]?.index === next.index) i++;
      }
    }
    if (raw === undefined) throw new UsageError(`${name} needs a value: ${name} ${placeholder(f)}`);
    flags[f.name] = convert(f, raw);
  }
  if (spec.positional && positionals.length > 1) {
    throw new UsageError(
      `expected at most one ${spec.positional.what}, got ${positionals.map((p) => `"${p}"`).join(', ')}`,
    );
  }
  return { flags, positionals };
}

/**
 * Refuses a command line that lacks a {@link FlagSpec.required} flag. Separate
 * from parsing so that `--help` answers and a `--json` caller still gets its
 * JSON error.
 */
export function requireFlags(spec: CommandSpec, flags: FlagValues): void {
  const missing = spec.flags.find((f) => f.required && flags[f.name] === undefined);
  if (missing) throw new UsageError(`--${missing.name} is required for "${spec.name}"`);
}

/** The flags of one command (a command without a positional argument). */
export const parseFlags = (spec: CommandSpec, argv: readonly string[]): FlagValues =>
  parseCommandLine(spec, argv).flags;

/** Finds a command by name; an unknown or missing name is a {@link UsageError} listing the commands. */
export function findCommand<C extends { readonly name: string }>(commands: readonly C[], name: string | undefined): C {
  const spec = commands.find((c) => c.name === name);
  if (!spec) {
    const allowed = commands.map((c) => c.name).join(', ');
    throw new UsageError(
      name === undefined ? `no command given; commands: ${allowed}` : `unknown command "${name}"; commands: ${allowed}`,
    );
  }
  return spec;
}

/** What the help of a command shows around its flags. */
export interface HelpLayout {
  /** The line after `usage: `. */
  readonly usage: string;
  /** Paragraph lines between the summary and the flags. */
  readonly description?: readonly string[];
  /** Lines after the flags (exit codes, where to read more). */
  readonly footer?: readonly string[];
}

/** The flag table: `  --name VALUE  help`, aligned; the positional argument first. */
export function flagRows(spec: CommandSpec): string[] {
  const rows: [string, string][] = spec.positional ? [[spec.positional.name, spec.positional.help]] : [];
  for (const f of spec.flags) {
    const label = `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.type === 'boolean' ? '' : ` ${placeholder(f)}`}`;
    rows.push([label, f.help]);
  }
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `  ${l.padEnd(width)}  ${h}`);
}

/** The `--help` text of a command: usage, summary, description, flags, footer. */
export function helpText(spec: CommandSpec, layout: HelpLayout): string {
  const paragraph = (lines?: readonly string[]) => (lines?.length ? [...lines, ''] : []);
  return [
    `usage: ${layout.usage}`,
    '',
    spec.summary,
    '',
    ...paragraph(layout.description),
    'flags:',
    ...flagRows(spec),
    '',
    ...paragraph(layout.footer),
  ].join('\n');
}

/** The stderr text of a usage error: the message, then a line that says where help is. */
export const usageMessage = (prefix: string, error: UsageError, hint: string): string =>
  `${prefix}: ${error.message}\n${hint}\n`;
