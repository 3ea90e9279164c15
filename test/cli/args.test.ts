import {
  type CommandSpec,
  findCommand,
  HELP_FLAG,
  helpText,
  parseCommandLine,
  requireFlags,
  UsageError,
} from '../../lib/cli/args';
import { UsageError as OpsUsageError } from '../../lib/ops/errors';
import { parseBenchArgs } from '../../bench/options';
import { TENANT_COMMANDS, tenantHelp } from '../../lib/tenant/cli';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'a command to test the parser with',
  positional: { name: 'DIR', what: 'directory', help: 'where to look (default: .)' },
  flags: [
    { name: 'env', type: 'string', value: 'NAME', help: 'environment', required: true },
    { name: 'count', type: 'number', integer: true, min: 0, value: 'N', help: 'how many' },
    { name: 'format', type: 'string', value: 'F', allowed: ['md', 'json'], help: 'md or json' },
    { name: 'only', type: 'list', value: 'NAME,...', allowed: ['a', 'b'], help: 'only these' },
    { name: 'dry-run', type: 'boolean', help: 'change nothing' },
    HELP_FLAG,
  ],
};
const parse = (...argv: string[]) => parseCommandLine(spec, argv);

describe('parseCommandLine', () => {
  test('reads every type, both value forms, -h and one positional argument', () => {
    expect(parse('out', '--env', 'dev', '--count=3', '--format', 'md', '--only', 'a, b', '--dry-run', '-h')).toEqual({
      flags: { env: 'dev', count: 3, format: 'md', only: ['a', 'b'], 'dry-run': true, help: true },
      positionals: ['out'],
    });
    // A value that starts with one dash is a value, as before.
    expect(parse('--env', '-x').flags).toEqual({ env: '-x' });
  });

  test.each([
    [['--bogus'], 'unknown flag --bogus for "demo"; allowed: --env, --count, --format, --only, --dry-run, --help'],
    [['-q'], 'unknown flag -q for "demo"; allowed: --env, --count, --format, --only, --dry-run, --help'],
    [['--env'], '--env needs a value: --env NAME'],
    [['--env', '--dry-run'], '--env needs a value: --env NAME'],
    [['--env='], '--env needs a non-empty value'],
    [['--env', 'a', '--env=b'], '--env is given more than once'],
    [['--dry-run=yes'], '--dry-run takes no value (got "yes")'],
    [['--count', '1.5'], '--count must be a whole number >= 0 (got "1.5")'],
    [['--count', '-1'], '--count must be a whole number >= 0 (got "-1")'],
    [['--format', 'pdf'], '--format must be one of md, json (got "pdf")'],
    [['--only', 'a,c'], '--only must be one or more of a, b, separated by commas (got "a,c")'],
    [['--only', ','], '--only must be one or more of a, b, separated by commas (got ",")'],
    [['x', 'y'], 'expected at most one directory, got "x", "y"'],
  ])('%j is a usage error naming the flag, the value and what is allowed', (argv, message) => {
    expect(() => parse(...argv)).toThrow(new UsageError(message));
  });

  test('a positional argument for a command without one lists the flags', () => {
    const bare: CommandSpec = { name: 'bare', summary: 's', flags: [HELP_FLAG] };
    expect(() => parseCommandLine(bare, ['x'])).toThrow('unexpected argument "x" for "bare"; flags are --help');
  });

  test('required flags are checked apart from parsing, so --help still answers', () => {
    const { flags } = parse('--help');
    expect(flags.help).toBe(true);
    expect(() => requireFlags(spec, flags)).toThrow(new UsageError('--env is required for "demo"'));
    expect(() => requireFlags(spec, parse('--env', 'dev').flags)).not.toThrow();
  });

  test('one usage error type: the ops CLIs throw the same class, exit 2', () => {
    expect(OpsUsageError).toBe(UsageError);
    expect(new UsageError('x').exitCode).toBe(2);
  });

  test('an unknown or missing command lists the commands', () => {
    expect(() => findCommand(TENANT_COMMANDS, 'delete')).toThrow('unknown command "delete"; commands: export, erase');
    expect(() => findCommand(TENANT_COMMANDS, undefined)).toThrow('no command given; commands: export, erase');
  });
});

describe('helpText', () => {
  test('usage, summary, description, the aligned flag table with the positional first, footer', () => {
    expect(helpText(spec, { usage: 'demo [DIR] --env NAME', description: ['More.'], footer: ['Exit codes: 0.'] }))
      .toBe(`usage: demo [DIR] --env NAME

a command to test the parser with

More.

flags:
  DIR              where to look (default: .)
  --env NAME       environment
  --count N        how many
  --format F       md or json
  --only NAME,...  only these
  --dry-run        change nothing
  -h, --help       show this help

Exit codes: 0.
`);
  });

  test('the tenant commands: every flag in the help, required ones refused by name', () => {
    for (const c of TENANT_COMMANDS) {
      const text = tenantHelp(c);
      expect(text).toMatch(new RegExp(`^usage: npm run tenant:${c.name} -- `));
      for (const f of c.flags) expect(text).toContain(`--${f.name}`);
      expect(() => requireFlags(c, parseCommandLine(c, ['--env', 'dev']).flags)).toThrow(
        `--tenant is required for "${c.name}"`,
      );
      expect(() => parseCommandLine(c, ['--db-auth', 'password'])).toThrow(
        '--db-auth must be one of iam, secret, pgpassword (got "password")',
      );
    }
  });
});

describe('the bench runner', () => {
  const names = ['floor', 'synth', 'jest-cold', 'jest-warm'];
  const aliases = { jest: ['jest-cold', 'jest-warm'] };
  test('defaults, --only with aliases (the floor always runs), --quick, --help', () => {
    expect(parseBenchArgs([], names, aliases)).toEqual({ runs: 3, warmups: 1, only: undefined });
    expect(parseBenchArgs(['--runs=2', '--warmup', '0', '--only', 'jest'], names, aliases)).toEqual({
      runs: 2,
      warmups: 0,
      only: ['floor', 'jest-cold', 'jest-warm'],
    });
    expect(parseBenchArgs(['--quick'], names, aliases)).toEqual({
      runs: 1,
      warmups: 0,
      only: ['floor', 'synth', 'jest-cold', 'jest-warm'],
    });
    expect(parseBenchArgs(['-h'], names, aliases)).toBe('help');
  });

  test.each([
    [['--runs', '0'], '--runs must be a whole number >= 1 (got "0")'],
    [['--only', 'nope'], '--only must be one or more of floor, synth, jest-cold, jest-warm, jest, separated by commas'],
    [['--quick', '--runs', '2'], '--quick means 1 run and no warm-up'],
    [['--fast'], 'unknown flag --fast for "bench"; allowed: --runs, --warmup, --quick, --only, --help'],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseBenchArgs(argv, names, aliases)).toThrow(message);
  });
});
