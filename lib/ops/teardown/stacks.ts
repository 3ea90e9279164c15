import {
  type CloudFormationClient,
  DeleteStackCommand,
  paginateListStackResources,
  waitUntilStackDeleteComplete,
} from '@aws-sdk/client-cloudformation';
import { ModifyLoadBalancerAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteDBInstanceCommand, ModifyDBInstanceCommand, waitUntilDBInstanceDeleted } from '@aws-sdk/client-rds';
import { sleep, type TeardownRegionClients } from './clients';
import type { PlannedResource } from './plan';
import type { Waits } from './retained';

/** How teardown deletes stacks: each waited for, and those that fail retried after the others. */
export interface StackWaits extends Waits {
  /** Attempts per stack (1: no retry). */
  readonly stackAttempts: number;
  /** Seconds between two rounds of retries. */
  readonly retryDelaySeconds: number;
}

export async function disableDeletionProtection(c: TeardownRegionClients, lb: PlannedResource): Promise<string> {
  await c.elbv2.send(
    new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: lb.physicalId,
      Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
    }),
  );
  return `deletion protection off: ${lb.physicalId}`;
}

/** Deletes the database (deletion protection off first), with a final snapshot named `snapshot` unless undefined. */
export async function deleteDatabase(
  c: TeardownRegionClients,
  db: PlannedResource,
  snapshot: string | undefined,
  waits: Waits,
): Promise<string> {
  await c.rds.send(
    new ModifyDBInstanceCommand({
      DBInstanceIdentifier: db.physicalId,
      DeletionProtection: false,
      ApplyImmediately: true,
    }),
  );
  await c.rds.send(
    new DeleteDBInstanceCommand({
      DBInstanceIdentifier: db.physicalId,
      ...(snapshot ? { FinalDBSnapshotIdentifier: snapshot } : { SkipFinalSnapshot: true }),
      DeleteAutomatedBackups: true,
    }),
  );
  await waitUntilDBInstanceDeleted(
    { client: c.rds, maxWaitTime: waits.maxWaitSeconds, minDelay: 5, maxDelay: 30 },
    { DBInstanceIdentifier: db.physicalId },
  );
  return `deleted database ${db.physicalId}${snapshot ? `; final snapshot ${snapshot} (kept until you delete it)` : ''}`;
}

/** Why a stack deletion failed: CloudFormation's reason for each resource it could not delete. */
async function failedResources(cfn: CloudFormationClient, stack: string): Promise<string> {
  const reasons: string[] = [];
  try {
    for await (const page of paginateListStackResources({ client: cfn }, { StackName: stack })) {
      for (const r of page.StackResourceSummaries ?? []) {
        if (r.ResourceStatus === 'DELETE_FAILED') {
          reasons.push(`${r.LogicalResourceId} (${r.ResourceType}): ${r.ResourceStatusReason ?? 'no reason given'}`);
        }
      }
    }
  } catch {
    // The reasons only explain the failure; without them the state still says it.
  }
  return reasons.length > 0 ? `; ${reasons.join('; ')}` : '';
}

async function deleteStack(cfn: CloudFormationClient, name: string, waits: Waits): Promise<void> {
  await cfn.send(new DeleteStackCommand({ StackName: name }));
  try {
    // The SDK's waitUntil* throws when the stack ends DELETE_FAILED or the wait times out.
    await waitUntilStackDeleteComplete(
      {
        client: cfn,
        maxWaitTime: waits.maxWaitSeconds,
        minDelay: Math.max(1, Math.min(2, waits.pollSeconds)),
        maxDelay: 15,
      },
      { StackName: name },
    );
  } catch (e) {
    const how = (e as Error).name === 'TimeoutError' ? `not deleted after ${waits.maxWaitSeconds} s` : 'DELETE_FAILED';
    throw new Error(`stack deletion ended ${how}${await failedResources(cfn, name)}`, { cause: e });
  }
}

export interface StackDeletion {
  readonly deleted: ReadonlySet<string>;
  readonly failures: readonly string[];
}

/**
 * Deletes the stacks in the given order. A stack that fails is retried after
 * the others were tried, up to `stackAttempts` times: what blocks it is often
 * gone by then, e.g. the network interfaces AWS Lambda releases minutes after
 * a function in the VPC is deleted ("has dependencies" on a subnet or security
 * group), or a dependent stack that failed before it and has been deleted since.
 */
export async function deleteStacks(
  stacks: readonly { readonly name: string; readonly region: string }[],
  clientsFor: (region: string) => TeardownRegionClients,
  waits: StackWaits,
  log: (line: string) => void,
): Promise<StackDeletion> {
  const deleted = new Set<string>();
  const lastError = new Map<string, string>();
  let pending = [...stacks];
  for (let attempt = 1; attempt <= waits.stackAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) {
      log(
        `  wait  ${waits.retryDelaySeconds} s, then retry ${pending.map((s) => s.name).join(', ')} (attempt ${attempt} of ${waits.stackAttempts})`,
      );
      await sleep(waits.retryDelaySeconds);
    }
    const failed: typeof pending = [];
    for (const s of pending) {
      const what = `delete stack ${s.name} (${s.region})`;
      try {
        await deleteStack(clientsFor(s.region).cloudformation, s.name, waits);
        deleted.add(s.name);
        log(`  ok    deleted stack ${s.name} (${s.region})`);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        lastError.set(s.name, message);
        failed.push(s);
        log(`  ${attempt < waits.stackAttempts ? 'RETRY' : 'FAIL '} ${what}: ${message}`);
      }
    }
    pending = failed;
  }
  return {
    deleted,
    failures: pending.map(
      (s) => `delete stack ${s.name} (${s.region}): ${lastError.get(s.name)} (after ${waits.stackAttempts} attempts)`,
    ),
  };
}
