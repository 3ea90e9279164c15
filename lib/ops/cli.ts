import { commandSpec, type FlagValues, helpText, parseFlags } from './args';
import { createClients, destroyClients, type OpsClients } from './clients';
import { checkAccount, selectEnvironment } from './environment';
import { endpointLabel, EXIT, type ExitCode, isOpsError, toAwsAccessError, UsageError } from './errors';
import { DEFAULT_POLL_SECONDS, type RefreshIo, rollback, rotate } from './refresh';
import { release, type ReleaseResult, rollbackToRelease } from './release';
import { renderJson, renderTable } from './report';
import { DEFAULT_MAX_DELIVERY_AGE_HOURS } from './verify';
import { type LiveClients } from './live/clients';
import { runVerify } from './live/run';

/** What the CLI needs from the outside world; `bin/ops.ts` passes the real ones, tests pass fakes. */
export interface CliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The process environment, read only to name the endpoint in messages (the SDK reads it itself). */
  readonly env: Readonly<Record<string, string | undefined>>;
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

function requireFlag(flags: FlagValues, name: string, command: string): string {
  const value = flags[name];
  if (typeof value !== 'string') throw new UsageError(`--${name} is required for "${command}"`);
  return value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
    if (spec.name === 'release') {
      requireFlag(flags, 'artifact', spec.name);
      requireFlag(flags, 'version', spec.name);
    }
    if (spec.name === 'rollback' && flags.json && flags['to-release'] === undefined) {
      throw new UsageError('--json needs --to-release (the image rollback prints progress only)');
    }
    const env = selectEnvironment(flags.env as string | undefined, flags.config as string | undefined);
    const endpoint = endpointLabel(deps.env, env.region);
    const clients = (deps.createClients ?? createClients)(env.region);
    try {
      const account = await checkAccount(clients, env, endpoint);
      const now = deps.now ?? (() => new Date());
      if (spec.name === 'verify') {
        const checkedAt = now();
        const { report, written } = await runVerify(clients, env, {
          account,
          endpoint,
          now: checkedAt,
          maxDeliveryAgeHours:
            (flags['max-delivery-age-hours'] as number | undefined) ?? DEFAULT_MAX_DELIVERY_AGE_HOURS,
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
      // With --json, stdout carries only the result; progress goes to stderr.
      const log = flags.json ? deps.stderr : deps.stdout;
      const io: RefreshIo = { log: (line) => log(`${line}\n`), sleep: deps.sleep ?? sleep, now };
      const options = {
        wait: flags['no-wait'] !== true,
        pollSeconds: (flags['poll-seconds'] as number | undefined) ?? DEFAULT_POLL_SECONDS,
        dryRun: flags['dry-run'] === true,
      };
      let result: ReleaseResult | undefined;
      if (spec.name === 'release') {
        result = await release(
          clients,
          env,
          {
            ...options,
            artifact: flags.artifact as string,
            version: flags.version as string,
            checksumFile: flags['checksum-file'] as string | undefined,
            maxBytes: deps.maxArtifactBytes,
          },
          io,
        );
      } else if (spec.name === 'rollback' && typeof flags['to-release'] === 'string') {
        result = await rollbackToRelease(clients, env, { ...options, to: flags['to-release'] }, io);
      }
      if (result) {
        if (flags.json) deps.stdout(`${JSON.stringify(result, null, 2)}\n`);
        else if (result.exitCode !== EXIT.ok) deps.stderr(`ops ${command}: ${result.message}\n`);
        return result.exitCode;
      }
      return await (spec.name === 'rotate' ? rotate : rollback)(clients, env, options, io);
    } catch (e) {
      // SDK errors that escaped a command become one actionable message.
      throw isOpsError(e) ? e : toAwsAccessError(e, endpoint);
    } finally {
      destroyClients(clients);
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const code: ExitCode = isOpsError(e) ? e.exitCode : EXIT.cannotRun;
    const hint =
      error instanceof UsageError
        ? `\nRun "ops ${known ? `${command} --help" for its flags` : 'help" for the commands'}.`
        : '';
    deps.stderr(`ops ${command}: ${error.message}${hint}\n`);
    if (flags.json) {
      const control = CONTROL_OF[command] ?? 'OPS-1';
      deps.stdout(`${JSON.stringify({ control, command, exitCode: code, error: error.message }, null, 2)}\n`);
    }
    return code;
  }
}
