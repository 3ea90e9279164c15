import { UsageError } from './errors';

/** One command-line flag of an ops command. */
export interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean';
  /** Shown in the help text. */
  readonly help: string;
  /** The value placeholder in the help text, e.g. `NAME`. */
  readonly value?: string;
  /** Numbers: the smallest and largest value allowed. */
  readonly min?: number;
  readonly max?: number;
}

export type FlagValues = Readonly<Record<string, string | number | boolean | undefined>>;

export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly FlagSpec[];
}

const ENV: FlagSpec = {
  name: 'env',
  type: 'string',
  value: 'NAME',
  help: 'environment name from the configuration (required)',
};
const CONFIG: FlagSpec = {
  name: 'config',
  type: 'string',
  value: 'PATH',
  help: 'YAML or JSON configuration file (default: config/demo.yaml)',
};
const HELP: FlagSpec = { name: 'help', type: 'boolean', help: 'show this help' };
const JSON_FLAG: FlagSpec = {
  name: 'json',
  type: 'boolean',
  help: 'print a machine-readable JSON result on stdout (progress goes to stderr)',
};
const WAIT_FLAGS: readonly FlagSpec[] = [
  { name: 'no-wait', type: 'boolean', help: 'return once the instance refresh has started' },
  {
    name: 'poll-seconds',
    type: 'number',
    value: 'N',
    min: 1,
    max: 3600,
    help: 'seconds between progress checks while following the refresh (default 15)',
  },
  { name: 'dry-run', type: 'boolean', help: 'print what would be done and change nothing' },
];
const REFRESH_FLAGS: readonly FlagSpec[] = [ENV, CONFIG, ...WAIT_FLAGS, HELP];

/** The commands and their flags: the single source for parsing, errors and help. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'verify',
    summary: 'check a deployed environment against its promises (OPS-1)',
    flags: [
      ENV,
      CONFIG,
      { name: 'json', type: 'boolean', help: 'print a machine-readable JSON report instead of the table' },
      {
        name: 'max-delivery-age-hours',
        type: 'number',
        value: 'N',
        min: 1,
        max: 24 * 90,
        help: 'latest CloudTrail delivery must be younger than this (default 24)',
      },
      { name: 'trail', type: 'string', value: 'NAME', help: 'check this trail (name or ARN) instead of finding one' },
      {
        name: 'assembly',
        type: 'string',
        value: 'DIR',
        help: 'cloud assembly to compare the deployed stacks with (OPS-3 drift; default: cdk.out)',
      },
      {
        name: 'report',
        type: 'string',
        value: 'DIR',
        help: 'also write the live evidence report DIR/<env>.live.md and DIR/<env>.live.json (OPS-3)',
      },
      HELP,
    ],
  },
  {
    name: 'rotate',
    summary: 'replace every fleet node on the current launch template version (OPS-2)',
    flags: REFRESH_FLAGS,
  },
  {
    name: 'rollback',
    summary:
      'point the fleet at the previous image (OPS-2), or with --to-release at an earlier application release (IMM-9), and replace every node',
    flags: [
      ENV,
      CONFIG,
      {
        name: 'to-release',
        type: 'string',
        value: 'V|previous',
        help: 'return to release V, or to the release before the current one; keeps the current image (without it: the previous image)',
      },
      ...WAIT_FLAGS,
      {
        ...JSON_FLAG,
        help: 'with --to-release: print a machine-readable JSON result on stdout (progress goes to stderr)',
      },
      HELP,
    ],
  },
  {
    name: 'release',
    summary:
      'upload an application release, name it in a new launch template version and roll it out with an alarm-gated instance refresh (IMM-9)',
    flags: [
      ENV,
      CONFIG,
      {
        name: 'artifact',
        type: 'string',
        value: 'FILE',
        help: 'the gzip tarball to ship, as npm run app:pack writes it (required; at most 256 MiB)',
      },
      {
        name: 'version',
        type: 'string',
        value: 'V',
        help: 'release version: a letter or digit, then up to 63 of letters, digits and ._+- (required)',
      },
      {
        name: 'checksum-file',
        type: 'string',
        value: 'FILE',
        help: 'SHA-256 file the artifact must match (default: FILE.sha256 beside the artifact, when it exists)',
      },
      ...WAIT_FLAGS,
      JSON_FLAG,
      HELP,
    ],
  },
];

const flagList = (spec: CommandSpec) => spec.flags.map((f) => `--${f.name}`).join(', ');

/** Parses the flags of one command; every mistake is a {@link UsageError} naming the flag and what is allowed. */
export function parseFlags(spec: CommandSpec, argv: readonly string[]): FlagValues {
  const values: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`unexpected argument "${arg}" for "${spec.name}"; flags are ${flagList(spec)}`);
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const flag = spec.flags.find((f) => f.name === name);
    if (!flag) {
      throw new UsageError(`unknown flag --${name} for "${spec.name}"; allowed: ${flagList(spec)}`);
    }
    if (name in values) throw new UsageError(`--${name} is given more than once`);
    if (flag.type === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value (got "${inline}")`);
      values[name] = true;
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`--${name} needs a value: --${name} ${flag.value ?? 'VALUE'}`);
      }
      raw = next;
      i++;
    }
    if (flag.type === 'string') {
      if (raw === '') throw new UsageError(`--${name} needs a non-empty value`);
      values[name] = raw;
      continue;
    }
    const n = Number(raw);
    const min = flag.min ?? -Infinity;
    const max = flag.max ?? Infinity;
    if (raw.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
      throw new UsageError(`--${name} must be a number from ${min} to ${max} (got "${raw}")`);
    }
    values[name] = n;
  }
  return values;
}

/** Finds a command by name; unknown names are a {@link UsageError} listing the commands. */
export function commandSpec(name: string | undefined): CommandSpec {
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    const allowed = COMMANDS.map((c) => c.name).join(', ');
    throw new UsageError(
      name === undefined ? `no command given; commands: ${allowed}` : `unknown command "${name}"; commands: ${allowed}`,
    );
  }
  return spec;
}

/** Help text of one command, or of all of them. */
export function helpText(spec?: CommandSpec): string {
  if (!spec) {
    const width = Math.max(...COMMANDS.map((c) => c.name.length));
    return [
      'usage: ops <command> --env NAME [flags]',
      '',
      'commands:',
      ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      '',
      'Run "ops <command> --help" for its flags. Exit codes: 0 success, 1 violation or operation failed, 2 could not run.',
      '',
    ].join('\n');
  }
  const labels = spec.flags.map((f) => `--${f.name}${f.value ? ` ${f.value}` : ''}`);
  const width = Math.max(...labels.map((l) => l.length));
  return [
    `usage: ops ${spec.name} --env NAME [flags]`,
    '',
    spec.summary,
    '',
    'flags:',
    ...spec.flags.map((f, i) => `  ${labels[i].padEnd(width)}  ${f.help}`),
    '',
  ].join('\n');
}
