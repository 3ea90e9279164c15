import type { EnvironmentConfig } from '../config/schema';
import { EXIT, type ExitCode, OperationError } from './errors';
import type { TeardownRegionClients } from './teardown/clients';
import { planTeardown, plural, renderPlan } from './teardown/plan';
import { deleteRetained } from './teardown/retained';
import { deleteDatabase, deleteStacks, disableDeletionProtection, type StackWaits } from './teardown/stacks';

export { createTeardownClients, destroyTeardownClients, type TeardownRegionClients } from './teardown/clients';
export {
  KMS_MIN_PENDING_DAYS,
  type PlannedResource,
  planTeardown,
  refuseProduction,
  renderPlan,
  TEARDOWN_ORDER,
  type TeardownPlan,
} from './teardown/plan';

/**
 * `npm run teardown`: removes a non-production environment completely, so a
 * trial deployment can be undone. CloudFormation alone leaves everything the
 * retain policies keep (DATA-7) and cannot delete the ALB (deletion
 * protection) or the database (deletion protection); this deletes those too:
 * it turns off the ALB's deletion protection, deletes the database (after a
 * final snapshot unless told not to), deletes the stacks in reverse
 * dependency order (retrying those that fail once the others are gone), then
 * deletes what the stacks retained: key aliases, buckets (every version), log
 * groups, backup vaults (their lock, access policy and recovery points
 * first), the database subnet group and the parameters written outside
 * CloudFormation, and schedules the keys for deletion after KMS's minimum
 * waiting period.
 *
 * Refused for production twice over: when the configuration says
 * `production: true`, and when any deployed stack of the environment has
 * termination protection.
 */

export interface TeardownOptions {
  readonly dryRun: boolean;
  /** Delete without asking (scripts). */
  readonly yes: boolean;
  readonly finalSnapshot: boolean;
  /** Upper bound of each wait (stack, database, a vault's recovery points), in seconds; default 3600. */
  readonly maxWaitSeconds?: number;
  /** Seconds between looks at recovery points being deleted; default 10. */
  readonly pollSeconds?: number;
  /** Attempts per stack; default 4. */
  readonly stackAttempts?: number;
  /** Seconds before a failed stack is retried; default 120 (Lambda releases its network interfaces in minutes). */
  readonly retryDelaySeconds?: number;
}

export interface TeardownIo {
  readonly log: (line: string) => void;
  /** Asks the operator; undefined when nobody can answer (no terminal). */
  readonly ask?: (question: string) => Promise<string | undefined>;
  readonly now: () => Date;
}

/** The waits of `options`, with their defaults. */
export function teardownWaits(options: TeardownOptions): StackWaits {
  return {
    maxWaitSeconds: options.maxWaitSeconds ?? 3600,
    pollSeconds: options.pollSeconds ?? 10,
    stackAttempts: options.stackAttempts ?? 4,
    retryDelaySeconds: options.retryDelaySeconds ?? 120,
  };
}

async function confirmed(env: EnvironmentConfig, io: TeardownIo): Promise<boolean> {
  const answer = io.ask
    ? await io.ask(`Type the environment name (${env.name}) to delete all of the above: `)
    : undefined;
  if (answer === undefined) {
    throw new OperationError(
      'nobody to confirm (no terminal); pass --yes to delete without asking, or --dry-run to see the plan',
    );
  }
  if (answer.trim() !== env.name) {
    io.log(`teardown: not confirmed ("${answer.trim()}" is not "${env.name}"); nothing was changed`);
    return false;
  }
  return true;
}

/**
 * Plans, shows, confirms and runs a teardown. Returns 0 when everything in the
 * plan is gone, 1 when something could not be deleted (each failure named) or
 * the operator did not confirm.
 */
export async function teardown(
  env: EnvironmentConfig,
  clientsFor: (region: string) => TeardownRegionClients,
  options: TeardownOptions,
  io: TeardownIo,
): Promise<ExitCode> {
  const plan = await planTeardown(env, clientsFor);
  if (plan.stacks.length === 0) {
    io.log(
      `teardown: no stack of environment "${env.name}" is deployed in ${env.region} or ${env.drRegion}; nothing to do`,
    );
    return EXIT.ok;
  }
  for (const line of renderPlan(plan, options)) io.log(line);
  if (options.dryRun) {
    io.log('teardown: --dry-run: nothing was changed');
    return EXIT.ok;
  }
  if (!options.yes && !(await confirmed(env, io))) return EXIT.failed;
  const waits = teardownWaits(options);
  const failures: string[] = [];
  const attempt = async (what: string, fn: () => Promise<string>) => {
    try {
      io.log(`  ok    ${await fn()}`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      failures.push(`${what}: ${message}`);
      io.log(`  FAIL  ${what}: ${message}`);
    }
  };

  for (const lb of plan.loadBalancers) {
    await attempt(`turn off deletion protection of ${lb.physicalId}`, () =>
      disableDeletionProtection(clientsFor(lb.region), lb),
    );
  }
  // The database first: its subnet group and security group belong to stacks deleted next.
  const stamp = io
    .now()
    .toISOString()
    .replace(/[^0-9]/g, '')
    .slice(0, 14);
  for (const db of plan.databases) {
    const snapshot = options.finalSnapshot ? `${db.physicalId}-final-${stamp}` : undefined;
    await attempt(`delete database ${db.physicalId}`, () => deleteDatabase(clientsFor(db.region), db, snapshot, waits));
  }
  const stacks = await deleteStacks(plan.stacks, clientsFor, waits, io.log);
  failures.push(...stacks.failures);
  for (const r of [...plan.retained, ...plan.parameters]) {
    if (r.type !== 'AWS::SSM::Parameter' && !stacks.deleted.has(r.stack)) {
      failures.push(`${r.physicalId}: kept because stack ${r.stack} was not deleted`);
      io.log(`  SKIP  ${r.physicalId}: kept because stack ${r.stack} was not deleted`);
      continue;
    }
    await attempt(`${r.type} ${r.physicalId}`, () => deleteRetained(clientsFor(r.region), r, waits));
  }
  for (const r of plan.leftBehind) failures.push(`${r.type} ${r.physicalId} (${r.region}) left behind`);
  if (failures.length > 0) {
    io.log(`teardown: ${failures.length} item(s) not removed:`);
    for (const f of failures) io.log(`  - ${f}`);
    return EXIT.failed;
  }
  io.log(
    `teardown: environment "${env.name}" removed (${plural(plan.stacks.length, 'stack')}, ${plural(plan.retained.length + plan.parameters.length, 'retained resource')})`,
  );
  return EXIT.ok;
}
