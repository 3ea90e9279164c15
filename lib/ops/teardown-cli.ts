import { type CommandSpec, type FlagValues, HELP_FLAG, helpText, parseFlags } from '../cli/args';
import { CONFIG_FLAG, ENV_FLAG } from './args';
import { createClients, destroyClients, type OpsClients } from './clients';
import { type CliIo, failure, flagsHint, inAccount } from './command';
import { selectEnvironment } from './environment';
import { EXIT, type ExitCode } from './errors';
import {
  createTeardownClients,
  destroyTeardownClients,
  KMS_MIN_PENDING_DAYS,
  refuseProduction,
  teardown,
  type TeardownRegionClients,
} from './teardown';

/** `npm run teardown`'s flags, parsed by the same parser as the other CLIs. */
export const TEARDOWN_COMMAND: CommandSpec = {
  name: 'teardown',
  summary: `delete a non-production environment and everything its retain policies keep (keys: scheduled, ${KMS_MIN_PENDING_DAYS} days)`,
  flags: [
    ENV_FLAG,
    CONFIG_FLAG,
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
    HELP_FLAG,
  ],
};

export const teardownHelp = (): string =>
  helpText(TEARDOWN_COMMAND, {
    usage: 'npm run teardown -- --env NAME [--config PATH] [--dry-run] [--yes] [--no-final-snapshot]',
    description: [
      'Turns off the ALB deletion protection, deletes the database (after a final snapshot unless',
      '--no-final-snapshot), deletes the stacks in reverse dependency order (retrying those that fail),',
      'then deletes what they retained: key aliases, buckets (every version), log groups, backup vaults',
      '(lock, policy and recovery points first), the subnet group, the parameters written outside',
      'CloudFormation, and schedules the keys for deletion. Lists everything first and asks to type the',
      'environment name. Refused for production (production: true, or any stack with termination protection).',
    ],
    footer: [
      'Exit codes: 0 removed (or --dry-run), 1 refused, not confirmed or something not removed, 2 could not run.',
    ],
  });

export interface TeardownCliDeps extends CliIo {
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
    const ops = (deps.createClients ?? createClients)(env.region);
    const clientsFor = (region: string) => {
      let c = regional.get(region);
      if (!c) {
        c = (deps.createTeardownClients ?? createTeardownClients)(region);
        regional.set(region, c);
      }
      return c;
    };
    const options = {
      dryRun: flags['dry-run'] === true,
      yes: flags.yes === true,
      finalSnapshot: flags['no-final-snapshot'] !== true,
      maxWaitSeconds: ((flags['max-wait-minutes'] as number | undefined) ?? 60) * 60,
    };
    const io = { log: (line: string) => deps.stdout(`${line}\n`), ask: deps.ask, now: deps.now ?? (() => new Date()) };
    try {
      return await inAccount(ops, env, deps, () => teardown(env, clientsFor, options, io));
    } finally {
      destroyClients(ops);
    }
  } catch (e) {
    return failure(deps.stderr, 'teardown', e, flagsHint('npm run teardown -- --help'));
  } finally {
    for (const c of regional.values()) destroyTeardownClients(c);
  }
}
