import { AssemblyError, type LoadedAssembly, loadCloudAssembly } from '../../compliance/evidence/assembly';
import type { EnvironmentConfig } from '../../config/schema';
import type { OpsClients } from '../clients';
import { AwsAccessError } from '../errors';
import { buildReport, type VerifyReport } from '../report';
import { DeadlineError, type LiveContext } from './check';
import { createLiveClients, destroyLiveClients, type LiveClients, namingFailedCalls } from './clients';
import { verifyLive } from './index';
import { buildLiveReport, writeLiveReport } from './report';

/**
 * The longest a verify run may take: each call is bounded (10 s per attempt,
 * 5 attempts), and the run as a whole ends with exit 2 after this, well under
 * two minutes, whatever the endpoint does.
 */
export const RUN_DEADLINE_MS = 100_000;

export interface RunVerifyOptions {
  readonly account: string;
  readonly endpoint: string;
  readonly now: Date;
  readonly maxDeliveryAgeHours: number;
  readonly trailName?: string;
  /** Cloud assembly directory for the drift rows (OPS-3). */
  readonly assembly: string;
  /** Where to write `<env>.live.md` and `.json`; nothing is written without it. */
  readonly reportDir?: string;
  readonly createLiveClients?: (region: string) => LiveClients;
  readonly deadlineMs?: number;
}

function readAssembly(dir: string): LoadedAssembly | { error: string } {
  try {
    return loadCloudAssembly(dir);
  } catch (e) {
    if (e instanceof AssemblyError)
      return {
        error: `${e.message.replace('run `npm run synth` first', 'run `npm run synth` or pass --assembly DIR')}`,
      };
    return { error: `cannot read the cloud assembly ${dir}: ${(e as Error).message}; pass --assembly DIR` };
  }
}

/** Runs every check within the deadline and writes the live report when asked; the deadline is exit 2. */
export async function runVerify(
  ops: OpsClients,
  env: EnvironmentConfig,
  o: RunVerifyOptions,
): Promise<{ report: VerifyReport; written?: { md: string; json: string } }> {
  const make = o.createLiveClients ?? createLiveClients;
  const live = make(env.region);
  const dr = make(env.drRegion);
  const deadline = o.deadlineMs ?? RUN_DEADLINE_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const ctx: LiveContext = {
      ops: namingFailedCalls(ops),
      live,
      dr,
      env,
      now: o.now,
      endpoint: o.endpoint,
      assembly: readAssembly(o.assembly),
    };
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new DeadlineError(
              `no complete answer from ${o.endpoint} within ${Math.round(deadline / 1000)} s (each call is bounded to 10 s per attempt); check the network, proxy and AWS_ENDPOINT_URL, then run again`,
            ),
          ),
        deadline,
      );
    });
    const results = await Promise.race([
      verifyLive(ctx, o.account, { maxDeliveryAgeHours: o.maxDeliveryAgeHours, trailName: o.trailName }),
      expired,
    ]);
    const report = buildReport(
      { environment: env.name, account: o.account, region: env.region, checkedAt: o.now },
      results,
    );
    const written = o.reportDir
      ? writeLiveReport(o.reportDir, buildLiveReport(report, { endpoint: o.endpoint, assembly: o.assembly }))
      : undefined;
    return { report, written };
  } catch (e) {
    if (e instanceof DeadlineError) throw new AwsAccessError(e.message, 'connection');
    throw e;
  } finally {
    clearTimeout(timer);
    destroyLiveClients(live);
    destroyLiveClients(dr);
  }
}
