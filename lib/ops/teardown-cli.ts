import type { CommandSpec, FlagValues } from './args';
import { parseFlags } from './args';
import { createClients, destroyClients, type OpsClients } from './clients';
import { checkAccount, selectEnvironment } from './environment';
import { endpointLabel, EXIT, type ExitCode, isOpsError, toAwsAccessError, UsageError } from './errors';
import {
  createTeardownClients,
  destroyTeardownClients,
  KMS_MIN_PENDING_DAYS,
  refuseProduction,
  teardown,
  type TeardownRegionClients,
} from './teardown';

/** `npm run teardown`'s flags, parsed by the same parser as the other ops commands. */
export const TEARDOWN_COMMAND: CommandSpec = {
  name: 'teardown',
  summary: `delete a non-production environment and everything its retain policies keep (keys: scheduled, ${KMS_MIN_PENDING_DAYS} days)`,
  flags: [
    { name: 'env', type: 'string', value: 'NAME', help: 'environment name from the configuration (required)' },
    {
      name: 'config',
      type: 'string',
      value: 'PATH',
      help: 'YAML or JSON configuration file (default: config/demo.yaml)',
    },
    { name: 'dry-run', type: 'boolean', help: 'list what would be deleted and change nothing' },
    { name: 'yes', type: 'boolean', help: 'delete without asking to type the environment name (scripts)' },
    { name: 'no-final-snapshot', type: 'boolean', help: 'delete the database without a final snapshot' },
    {
      name: 'max-wait-minutes',
      type: 'number',
      value: 'N',
      min: 1,
      max: 240,
      help: 'longest wait for one stack or the database to be deleted (default 60)',
    },
    { name: 'help', type: 'boolean', help: 'show this help' },
  ],
};

export function teardownHelp(): string {
  const labels = TEARDOWN_COMMAND.flags.map((f) => `--${f.name}${f.value ? ` ${f.value}` : ''}`);
  const width = Math.max(...labels.map((l) => l.length));
  return [
    'usage: npm run teardown -- --env NAME [--config PATH] [--dry-run] [--yes] [--no-final-snapshot]',
    '',
    TEARDOWN_COMMAND.summary,
    '',
    'Turns off the ALB deletion protection, deletes the database (after a final snapshot unless',
    '--no-final-snapshot), deletes the stacks in reverse dependency order (retrying those that fail),',
    'then deletes what they retained: key aliases, buckets (every version), log groups, backup vaults',
    '(lock, policy and recovery points first), the subnet group, the parameters written outside',
    'CloudFormation, and schedules the keys for deletion. Lists everything first and asks to type the',
    'environment name. Refused for production (production: true, or any stack with termination protection).',
    '',
    'flags:',
    ...TEARDOWN_COMMAND.flags.map((f, i) => `  ${labels[i].padEnd(width)}  ${f.help}`),
    '',
    'Exit codes: 0 removed (or --dry-run), 1 refused, not confirmed or something not removed, 2 could not run.',
    '',
  ].join('\n');
}

export interface TeardownCliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads the operator's answer; undefined when there is no terminal. */
  readonly ask?: (question: string) => Promise<string | undefined>;
  readonly createClients?: (region: string) => OpsClients;
  readonly createTeardownClients?: (region: string) => TeardownRegionClients;
  readonly now?: () => Date;
}

/** Runs `teardown`; never throws. */
export async function runTeardownCli(argv: readonly string[], deps: TeardownCliDeps): Promise<ExitCode> {
  const regional = new Map<string, TeardownRegionClients>();
  try {
    const flags: FlagValues = parseFlags(TEARDOWN_COMMAND, argv);
    if (flags.help) {
      deps.stdout(teardownHelp());
      return EXIT.ok;
    }
    const env = selectEnvironment(flags.env as string | undefined, flags.config as string | undefined);
    // Refused before any credential is needed: the configuration alone says production.
    refuseProduction(env);
    const endpoint = endpointLabel(deps.env, env.region);
    const ops = (deps.createClients ?? createClients)(env.region);
    const clientsFor = (region: string) => {
      let c = regional.get(region);
      if (!c) {
        c = (deps.createTeardownClients ?? createTeardownClients)(region);
        regional.set(region, c);
      }
      return c;
    };
    try {
      await checkAccount(ops, env, endpoint);
      return await teardown(
        env,
        clientsFor,
        {
          dryRun: flags['dry-run'] === true,
          yes: flags.yes === true,
          finalSnapshot: flags['no-final-snapshot'] !== true,
          maxWaitSeconds: ((flags['max-wait-minutes'] as number | undefined) ?? 60) * 60,
        },
        { log: (line) => deps.stdout(`${line}\n`), ask: deps.ask, now: deps.now ?? (() => new Date()) },
      );
    } catch (e) {
      throw isOpsError(e) ? e : toAwsAccessError(e, endpoint);
    } finally {
      destroyClients(ops);
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const hint = error instanceof UsageError ? '\nRun "npm run teardown -- --help" for its flags.' : '';
    deps.stderr(`teardown: ${error.message}${hint}\n`);
    return isOpsError(e) ? e.exitCode : EXIT.cannotRun;
  } finally {
    for (const c of regional.values()) destroyTeardownClients(c);
  }
}
