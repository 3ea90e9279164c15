import { COMMANDS, commandSpec, helpText, parseFlags } from '../../lib/ops/args';
import { UsageError } from '../../lib/ops/errors';

const verify = commandSpec('verify');
const rotate = commandSpec('rotate');

describe('parseFlags', () => {
  test('reads string, number and boolean flags in both --flag value and --flag=value forms', () => {
    expect(parseFlags(verify, ['--env', 'dev', '--config=x.yaml', '--json', '--max-delivery-age-hours=12'])).toEqual({
      env: 'dev',
      config: 'x.yaml',
      json: true,
      'max-delivery-age-hours': 12,
    });
    expect(parseFlags(rotate, ['--env', 'prod', '--no-wait', '--poll-seconds', '5', '--dry-run'])).toEqual({
      env: 'prod',
      'no-wait': true,
      'poll-seconds': 5,
      'dry-run': true,
    });
  });

  test.each([
    [
      verify,
      ['--bogus'],
      'unknown flag --bogus for "verify"; allowed: --env, --config, --json, --max-delivery-age-hours, --trail, --assembly, --report, --help',
    ],
    [
      rotate,
      ['--json'],
      'unknown flag --json for "rotate"; allowed: --env, --config, --no-wait, --poll-seconds, --dry-run, --help',
    ],
    [
      verify,
      ['dev'],
      'unexpected argument "dev" for "verify"; flags are --env, --config, --json, --max-delivery-age-hours, --trail, --assembly, --report, --help',
    ],
    [verify, ['--env'], '--env needs a value: --env NAME'],
    [verify, ['--env', '--json'], '--env needs a value: --env NAME'],
    [verify, ['--env='], '--env needs a non-empty value'],
    [verify, ['--env', 'a', '--env', 'b'], '--env is given more than once'],
    [verify, ['--json=yes'], '--json takes no value (got "yes")'],
    [
      verify,
      ['--max-delivery-age-hours', 'soon'],
      '--max-delivery-age-hours must be a number from 1 to 2160 (got "soon")',
    ],
    [verify, ['--max-delivery-age-hours', '0'], '--max-delivery-age-hours must be a number from 1 to 2160 (got "0")'],
    [rotate, ['--poll-seconds', '0.5'], '--poll-seconds must be a number from 1 to 3600 (got "0.5")'],
  ])('%#: %j is a usage error naming the flag', (spec, argv, message) => {
    expect(() => parseFlags(spec, argv)).toThrow(new UsageError(message));
  });
});

describe('commands', () => {
  test('an unknown or missing command lists the commands', () => {
    expect(() => commandSpec('deploy')).toThrow('unknown command "deploy"; commands: verify, rotate, rollback');
    expect(() => commandSpec(undefined)).toThrow('no command given; commands: verify, rotate, rollback');
  });

  test('the help names every command and every flag of a command', () => {
    expect(helpText()).toMatch(/verify +check a deployed environment/);
    for (const c of COMMANDS) {
      const text = helpText(c);
      for (const f of c.flags) expect(text).toContain(`--${f.name}`);
    }
  });
});
