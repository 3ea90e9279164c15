import { requireFlags } from '../cli/args';
import { commandSpec, type FlagValues, helpText, parseFlags } from './args';
import { createClients, destroyClients, type OpsClients } from './clients';
import type { EnvironmentConfig } from '../config/schema';
import { type AccountContext, type CliIo, failure, flagsHint, inAccount } from './command';
import { selectEnvironment } from './environment';
import { EXIT, type ExitCode, UsageError } from './errors';
import { DEFAULT_POLL_SECONDS, type RefreshIo, rollback, rotate } from './refresh';
import { release, type ReleaseResult, rollbackToRelease } from './release';
import { renderJson, renderTable } from './report';
import { DEFAULT_MAX_DELIVERY_AGE_HOURS } from './verify';
import { type LiveClients } from './live/clients';
import { runVerify } from './live/run';

/** What the CLI needs from the outside world; `bin/ops.ts` passes the real ones, tests pass fakes. */
export interface CliDeps extends CliIo {
  /** @default real SDK clients with the CLI's retry settings */
  readonly createClients?: (region: string) => OpsClients;
  /** @default the system clock */
  readonly now?: () => Date;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Clients of the live evidence checks (verify). @default real SDK clients with the CLI's retry settings */
  readonly createLiveClients?: (region: string) => LiveClients;
  /** The longest a verify run may take before it ends with exit 2. @default RUN_DEADLINE_MS */
  readonly deadlineMs?: number;
  /** The largest artifact `release` accepts. @default MAX_ARTIFACT_BYTES (tests inject a small one) */
  readonly maxArtifactBytes?: number;
}

/** Control of each command's JSON output. */
const CONTROL_OF: Record<string, string> = { verify: 'OPS-1', release: 'IMM-9', rollback: 'IMM-9' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function verify(
  clients: OpsClients,
  env: EnvironmentConfig,
  { account, endpoint }: AccountContext,
  flags: FlagValues,
  deps: CliDeps,
): Promise<ExitCode> {
  const { report, written } = await runVerify(clients, env, {
    account,
    endpoint,
    now: (deps.now ?? (() => new Date()))(),
    maxDeliveryAgeHours: (flags['max-delivery-age-hours'] as number | undefined) ?? DEFAULT_MAX_DELIVERY_AGE_HOURS,
    trailName: flags.trail as string | undefined,
    assembly: (flags.assembly as string | undefined) ?? 'cdk.out',
    reportDir: flags.report as string | undefined,
    createLiveClients: deps.createLiveClients,
    deadlineMs: deps.deadlineMs,
  });
  deps.stdout(flags.json ? renderJson(report) : renderTable(report));
  if (written) deps.stderr(`live evidence report: ${written.md}, ${written.json}\n`);
  return report.exitCode;
}

/** rotate, rollback and release: the commands that change the fleet. */
async function change(
  command: string,
  clients: OpsClients,
  env: EnvironmentConfig,
  flags: FlagValues,
  deps: CliDeps,
): Promise<ExitCode> {
  // With --json, stdout carries only the result; progress goes to stderr.
  const log = flags.json ? deps.stderr : deps.stdout;
  const io: RefreshIo = {
    log: (line) => log(`${line}\n`),
    sleep: deps.sleep ?? sleep,
    now: deps.now ?? (() => new Date()),
  };
  const options = {
    wait: flags['no-wait'] !== true,
    pollSeconds: (flags['poll-seconds'] as number | undefined) ?? DEFAULT_POLL_SECONDS,
    dryRun: flags['dry-run'] === true,
  };
  let result: ReleaseResult | undefined;
  if (command === 'release') {
    const artifact = { artifact: flags.artifact as string, version: flags.version as string };
    const checksumFile = flags['checksum-file'] as string | undefined;
    result = await release(
      clients,
      env,
      { ...options, ...artifact, checksumFile, maxBytes: deps.maxArtifactBytes },
      io,
    );
  } else if (command === 'rollback' && typeof flags['to-release'] === 'string') {
    result = await rollbackToRelease(clients, env, { ...options, to: flags['to-release'] }, io);
  }
  if (!result) return (command === 'rotate' ? rotate : rollback)(clients, env, options, io);
  if (flags.json) deps.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.exitCode !== EXIT.ok) deps.stderr(`ops ${command}: ${result.message}\n`);
  return result.exitCode;
}

/**
 * Runs one ops command and returns its exit code: 0 success, 1 a violation
 * or an operation that was refused or failed, 2 the command could not run
 * (usage, configuration, credentials, account, network, AWS errors). Never
 * throws.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    deps.stderr(helpText());
    return EXIT.cannotRun;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    deps.stdout(helpText());
    return EXIT.ok;
  }
  let flags: FlagValues = {};
  let known = false;
  try {
    const spec = commandSpec(command);
    known = true;
    flags = parseFlags(spec, rest);
    if (flags.help) {
      deps.stdout(helpText(spec));
      return EXIT.ok;
    }
    requireFlags(spec, flags);
    if (spec.name === 'rollback' && flags.json && flags['to-release'] === undefined) {
      throw new UsageError('--json needs --to-release (the image rollback prints progress only)');
    }
    const env = selectEnvironment(flags.env as string | undefined, flags.config as string | undefined);
    const clients = (deps.createClients ?? createClients)(env.region);
    try {
      return await inAccount(clients, env, deps, (account) =>
        spec.name === 'verify'
          ? verify(clients, env, account, flags, deps)
          : change(spec.name, clients, env, flags, deps),
      );
    } finally {
      destroyClients(clients);
    }
  } catch (e) {
    const hint = known ? flagsHint(`ops ${command} --help`) : 'Run "ops help" for the commands.';
    const code = failure(deps.stderr, `ops ${command}`, e, hint);
    if (flags.json) {
      const control = CONTROL_OF[command] ?? 'OPS-1';
      const error = e instanceof Error ? e.message : String(e);
      deps.stdout(`${JSON.stringify({ control, command, exitCode: code, error }, null, 2)}\n`);
    }
    return code;
  }
}
