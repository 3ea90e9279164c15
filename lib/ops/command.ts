import type { EnvironmentConfig } from '../config/schema';
import { usageMessage } from '../cli/args';
import type { OpsClients } from './clients';
import { checkAccount } from './environment';
import { endpointLabel, EXIT, type ExitCode, isOpsError, toAwsAccessError, UsageError } from './errors';

/** What every CLI needs from the outside world; the bin/ files pass the real ones, tests pass fakes. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The process environment, read only to name the endpoint in messages (the SDK reads it itself). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The hint after a usage error: where the flags are explained. */
export const flagsHint = (helpCommand: string) => `Run "${helpCommand}" for its flags.`;

/**
 * Ends a command that threw: its message on stderr after `prefix` (a usage
 * error adds `hint`), and the exit code of its kind (2 for anything
 * unexpected).
 */
export function failure(stderr: (text: string) => void, prefix: string, e: unknown, hint: string): ExitCode {
  const error = e instanceof Error ? e : new Error(String(e));
  stderr(error instanceof UsageError ? usageMessage(prefix, error, hint) : `${prefix}: ${error.message}\n`);
  return isOpsError(e) ? e.exitCode : EXIT.cannotRun;
}

/** The environment's account and where requests go, once {@link inAccount} has checked them. */
export interface AccountContext {
  readonly account: string;
  readonly endpoint: string;
}

/**
 * Runs `body` against the environment's account: the credentials are checked
 * first (right account, reachable endpoint), and SDK errors that escape
 * `body` become one actionable message (exit 2).
 */
export async function inAccount<T>(
  clients: Pick<OpsClients, 'sts'>,
  env: EnvironmentConfig,
  io: Pick<CliIo, 'env'>,
  body: (context: AccountContext) => Promise<T>,
): Promise<T> {
  const endpoint = endpointLabel(io.env, env.region);
  try {
    const account = await checkAccount(clients, env, endpoint);
    return await body({ account, endpoint });
  } catch (e) {
    throw isOpsError(e) ? e : toAwsAccessError(e, endpoint);
  }
}
