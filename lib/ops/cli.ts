import { commandSpec, type FlagValues, helpText, parseFlags } from './args';
import { createClients, destroyClients, type OpsClients } from './clients';
import { checkAccount, selectEnvironment } from './environment';
import { endpointLabel, EXIT, type ExitCode, isOpsError, toAwsAccessError, UsageError } from './errors';
import { DEFAULT_POLL_SECONDS, type RefreshIo, rollback, rotate } from './refresh';
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
      const io: RefreshIo = { log: (line) => deps.stdout(`${line}\n`), sleep: deps.sleep ?? sleep, now };
      const options = {
        wait: flags['no-wait'] !== true,
        pollSeconds: (flags['poll-seconds'] as number | undefined) ?? DEFAULT_POLL_SECONDS,
        dryRun: flags['dry-run'] === true,
      };
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
    if (flags.json)
      deps.stdout(`${JSON.stringify({ control: 'OPS-1', exitCode: code, error: error.message }, null, 2)}\n`);
    return code;
  }
}
