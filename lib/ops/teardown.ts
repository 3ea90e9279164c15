import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
  type Stack,
  waitUntilStackDeleteComplete,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, DeleteLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DeleteAliasCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import {
  DeleteDBInstanceCommand,
  ModifyDBInstanceCommand,
  RDSClient,
  waitUntilDBInstanceDeleted,
} from '@aws-sdk/client-rds';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import type { EnvironmentConfig } from '../config/schema';
import { HTTP_TIMEOUTS, RETRY } from './clients';
import { EXIT, type ExitCode, OperationError } from './errors';

/**
 * `npm run teardown`: removes a non-production environment completely, so a
 * trial deployment can be undone. CloudFormation alone leaves everything the
 * retain policies keep (DATA-7) and cannot delete the ALB (deletion
 * protection) or the database (deletion protection); this deletes those too:
 * it turns off the ALB's deletion protection, deletes the database (after a
 * final snapshot unless told not to), deletes the stacks in reverse
 * dependency order, then empties and deletes the retained buckets (every
 * version), deletes the retained log groups and key aliases and schedules the
 * retained keys for deletion after KMS's minimum waiting period.
 *
 * Refused for production twice over: when the configuration says
 * `production: true`, and when any deployed stack of the environment has
 * termination protection.
 */

/** The stacks of an environment in the order they can be deleted: dependents first. */
export const TEARDOWN_ORDER = [
  'Monitoring',
  'App',
  'Audit',
  'Image',
  'Data',
  'DisasterRecovery',
  'Ingress',
  'Alerting',
  'Network',
  'LogArchive',
] as const;

/** The shortest waiting period KMS allows before a scheduled key is deleted. */
export const KMS_MIN_PENDING_DAYS = 7;

/** Resource types teardown removes after their stack is gone, when the template retains them. */
const HANDLED_RETAINED = new Set([
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::RDS::DBInstance',
]);

/** The AWS clients of one region that teardown needs. */
export interface TeardownRegionClients {
  readonly region: string;
  readonly cloudformation: CloudFormationClient;
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  readonly kms: KMSClient;
  readonly rds: RDSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
}

export function createTeardownClients(region: string): TeardownRegionClients {
  const config = {
    region,
    ...RETRY,
    requestHandler: { ...HTTP_TIMEOUTS, throwOnRequestTimeout: true },
  };
  return {
    region,
    cloudformation: new CloudFormationClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(config),
    kms: new KMSClient(config),
    rds: new RDSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
  };
}

export function destroyTeardownClients(c: TeardownRegionClients): void {
  for (const client of [c.cloudformation, c.s3, c.logs, c.kms, c.rds, c.elbv2]) client.destroy();
}

/** One resource a stack lists, with what its template says happens to it on deletion. */
export interface PlannedResource {
  readonly stack: string;
  readonly region: string;
  readonly type: string;
  readonly logicalId: string;
  readonly physicalId: string;
  /** The template's DeletionPolicy says CloudFormation keeps it. */
  readonly retained: boolean;
}

export interface TeardownPlan {
  readonly environment: string;
  /** Deployed stacks, in deletion order. */
  readonly stacks: readonly { readonly name: string; readonly region: string }[];
  readonly loadBalancers: readonly PlannedResource[];
  readonly databases: readonly PlannedResource[];
  /** Retained resources teardown deletes after the stacks. */
  readonly retained: readonly PlannedResource[];
  /** Retained resources of types teardown does not delete: listed so nothing is silently left. */
  readonly leftBehind: readonly PlannedResource[];
}

export interface TeardownOptions {
  readonly dryRun: boolean;
  /** Delete without asking (scripts). */
  readonly yes: boolean;
  readonly finalSnapshot: boolean;
  /** Upper bound of each wait (stack or database deletion), in seconds. */
  readonly maxWaitSeconds?: number;
}

export interface TeardownIo {
  readonly log: (line: string) => void;
  /** Asks the operator; undefined when nobody can answer (no terminal). */
  readonly ask?: (question: string) => Promise<string | undefined>;
  readonly now: () => Date;
}

const isNotFound = (e: unknown, ...names: string[]) => {
  const err = e as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return (
    names.includes(err.name ?? '') ||
    names.includes(err.Code ?? '') ||
    /does not exist|not found|NotFound/i.test(err.message ?? '')
  );
};

async function describeStack(cfn: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const stack = out.Stacks?.[0];
    return stack && stack.StackStatus !== 'DELETE_COMPLETE' ? stack : undefined;
  } catch (e) {
    if (isNotFound(e, 'ValidationError')) return undefined;
    throw e;
  }
}

/** Logical IDs whose DeletionPolicy keeps them when the stack is deleted. */
async function retainedLogicalIds(cfn: CloudFormationClient, stackName: string): Promise<Set<string>> {
  const out = await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }));
  const body = out.TemplateBody ?? '{}';
  let template: { Resources?: Record<string, { DeletionPolicy?: string }> };
  try {
    template = JSON.parse(body) as typeof template;
  } catch {
    throw new OperationError(
      `the template of stack ${stackName} is not JSON; teardown reads CDK-synthesized templates only`,
    );
  }
  return new Set(
    Object.entries(template.Resources ?? {})
      .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate')
      .map(([id]) => id),
  );
}

/** Teardown never runs for an environment the configuration calls production. */
export function refuseProduction(env: EnvironmentConfig): void {
  if (env.production) {
    throw new OperationError(
      `environment "${env.name}" is production (production: true in the configuration); teardown is refused. Its retained and locked parts and how long each lasts are listed in docs/deploying.md ("Production: what stays").`,
    );
  }
}

/**
 * Reads what is deployed and what deleting it would leave. Refuses (exit 1)
 * a production environment or any termination-protected stack.
 */
export async function planTeardown(
  env: EnvironmentConfig,
  clientsFor: (region: string) => TeardownRegionClients,
): Promise<TeardownPlan> {
  refuseProduction(env);
  const stacks: { name: string; region: string }[] = [];
  const resources: PlannedResource[] = [];
  const protectedStacks: string[] = [];
  for (const id of TEARDOWN_ORDER) {
    const region = id === 'DisasterRecovery' ? env.drRegion : env.region;
    const name = `${env.name}-${id}`;
    const { cloudformation } = clientsFor(region);
    const stack = await describeStack(cloudformation, name);
    if (!stack) continue;
    if (stack.EnableTerminationProtection) protectedStacks.push(`${name} (${region})`);
    stacks.push({ name, region });
    const retained = await retainedLogicalIds(cloudformation, name);
    for await (const page of paginateListStackResources({ client: cloudformation }, { StackName: name })) {
      for (const r of page.StackResourceSummaries ?? []) {
        if (!r.PhysicalResourceId || r.ResourceStatus === 'DELETE_COMPLETE') continue;
        resources.push({
          stack: name,
          region,
          type: r.ResourceType ?? '?',
          logicalId: r.LogicalResourceId ?? '?',
          physicalId: r.PhysicalResourceId,
          retained: retained.has(r.LogicalResourceId ?? ''),
        });
      }
    }
  }
  if (protectedStacks.length > 0) {
    throw new OperationError(
      `termination protection is on for ${protectedStacks.join(', ')}: that marks a production deployment, whatever the configuration says; teardown is refused`,
    );
  }
  const retainedAll = resources.filter((r) => r.retained);
  return {
    environment: env.name,
    stacks,
    loadBalancers: resources.filter((r) => r.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
    databases: resources.filter((r) => r.type === 'AWS::RDS::DBInstance'),
    retained: retainedAll.filter((r) => HANDLED_RETAINED.has(r.type) && r.type !== 'AWS::RDS::DBInstance'),
    leftBehind: retainedAll.filter((r) => !HANDLED_RETAINED.has(r.type)),
  };
}

const WHAT: Readonly<Record<string, string>> = {
  'AWS::S3::Bucket': 'empty (every version) and delete bucket',
  'AWS::Logs::LogGroup': 'delete log group',
  'AWS::KMS::Key': `schedule key deletion in ${KMS_MIN_PENDING_DAYS} days`,
  'AWS::KMS::Alias': 'delete key alias',
};

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The plan as the operator reads it before confirming. */
export function renderPlan(plan: TeardownPlan, options: TeardownOptions): string[] {
  const lines = [`teardown of environment "${plan.environment}": ${plural(plan.stacks.length, 'deployed stack')}`];
  for (const lb of plan.loadBalancers) lines.push(`  turn off deletion protection  ${lb.physicalId}`);
  for (const db of plan.databases) {
    lines.push(
      `  delete database               ${db.physicalId} (${db.region}) ${options.finalSnapshot ? 'after a final snapshot' : 'WITHOUT a final snapshot (--no-final-snapshot)'}`,
    );
  }
  for (const s of plan.stacks) lines.push(`  delete stack                  ${s.name} (${s.region})`);
  for (const r of plan.retained) {
    lines.push(`  ${(WHAT[r.type] ?? 'delete').padEnd(28)}  ${r.physicalId} (${r.region}, retained by ${r.stack})`);
  }
  for (const r of plan.leftBehind) {
    lines.push(
      `  LEFT BEHIND ${r.type} ${r.physicalId} (${r.region}, ${r.stack}): teardown does not delete this type; delete it by hand`,
    );
  }
  return lines;
}

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<number> {
  let removed = 0;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    let page: ListObjectVersionsCommandOutput;
    try {
      page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
      );
    } catch (e) {
      if (isNotFound(e, 'NoSuchBucket')) return removed;
      throw e;
    }
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
      .filter((v) => v.Key !== undefined)
      .map((v) => ({ Key: v.Key as string, VersionId: v.VersionId }));
    if (objects.length > 0) {
      const out = await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          // Governance-mode Object Lock (the trail bucket outside production) yields to this; compliance mode does not.
          BypassGovernanceRetention: true,
          Delete: { Objects: objects, Quiet: true },
        }),
      );
      if (out.Errors && out.Errors.length > 0) {
        const e = out.Errors[0];
        throw new OperationError(
          `could not delete ${out.Errors.length} object version(s) of bucket ${bucket}, e.g. ${e.Key} (${e.Code}: ${e.Message})`,
        );
      }
      removed += objects.length;
    }
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
  try {
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if (!isNotFound(e, 'NoSuchBucket')) throw e;
  }
  return removed;
}

async function deleteRetained(c: TeardownRegionClients, r: PlannedResource): Promise<string> {
  switch (r.type) {
    case 'AWS::S3::Bucket': {
      const n = await emptyAndDeleteBucket(c.s3, r.physicalId);
      return `deleted bucket ${r.physicalId} (${n} object versions)`;
    }
    case 'AWS::Logs::LogGroup':
      try {
        await c.logs.send(new DeleteLogGroupCommand({ logGroupName: r.physicalId }));
      } catch (e) {
        if (!isNotFound(e, 'ResourceNotFoundException')) throw e;
      }
      return `deleted log group ${r.physicalId}`;
    case 'AWS::KMS::Alias':
      try {
        await c.kms.send(new DeleteAliasCommand({ AliasName: r.physicalId }));
      } catch (e) {
        if (!isNotFound(e, 'NotFoundException')) throw e;
      }
      return `deleted key alias ${r.physicalId}`;
    case 'AWS::KMS::Key': {
      // No DescribeKey first: a second run finds the key pending deletion and KMS says so.
      try {
        const out = await c.kms.send(
          new ScheduleKeyDeletionCommand({ KeyId: r.physicalId, PendingWindowInDays: KMS_MIN_PENDING_DAYS }),
        );
        return `key ${r.physicalId} scheduled for deletion on ${out.DeletionDate?.toISOString() ?? `+${KMS_MIN_PENDING_DAYS} days`}`;
      } catch (e) {
        if (/pending deletion|PendingDeletion/i.test((e as Error).message ?? '')) {
          return `key ${r.physicalId} already pending deletion`;
        }
        throw e;
      }
    }
    default:
      throw new OperationError(`teardown does not delete ${r.type}`);
  }
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
  if (!options.yes) {
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
      return EXIT.failed;
    }
  }
  const maxWaitTime = options.maxWaitSeconds ?? 3600;
  const failures: string[] = [];
  const attempt = async (what: string, fn: () => Promise<string | void>) => {
    try {
      const done = await fn();
      io.log(`  ok    ${done ?? what}`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      failures.push(`${what}: ${message}`);
      io.log(`  FAIL  ${what}: ${message}`);
    }
  };

  for (const lb of plan.loadBalancers) {
    await attempt(`turn off deletion protection of ${lb.physicalId}`, async () => {
      await clientsFor(lb.region).elbv2.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: lb.physicalId,
          Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }],
        }),
      );
      return `deletion protection off: ${lb.physicalId}`;
    });
  }
  // The database first: its subnet group and security group belong to stacks deleted next.
  for (const db of plan.databases) {
    await attempt(`delete database ${db.physicalId}`, async () => {
      const rds = clientsFor(db.region).rds;
      await rds.send(
        new ModifyDBInstanceCommand({
          DBInstanceIdentifier: db.physicalId,
          DeletionProtection: false,
          ApplyImmediately: true,
        }),
      );
      const snapshot = `${db.physicalId}-final-${io
        .now()
        .toISOString()
        .replace(/[^0-9]/g, '')
        .slice(0, 14)}`;
      await rds.send(
        new DeleteDBInstanceCommand({
          DBInstanceIdentifier: db.physicalId,
          ...(options.finalSnapshot ? { FinalDBSnapshotIdentifier: snapshot } : { SkipFinalSnapshot: true }),
          DeleteAutomatedBackups: true,
        }),
      );
      await waitUntilDBInstanceDeleted(
        { client: rds, maxWaitTime, minDelay: 5, maxDelay: 30 },
        { DBInstanceIdentifier: db.physicalId },
      );
      return `deleted database ${db.physicalId}${options.finalSnapshot ? `; final snapshot ${snapshot} (kept until you delete it)` : ''}`;
    });
  }
  const deletedStacks = new Set<string>();
  for (const s of plan.stacks) {
    await attempt(`delete stack ${s.name} (${s.region})`, async () => {
      const cfn = clientsFor(s.region).cloudformation;
      await cfn.send(new DeleteStackCommand({ StackName: s.name }));
      const result = await waitUntilStackDeleteComplete(
        { client: cfn, maxWaitTime, minDelay: 2, maxDelay: 15 },
        { StackName: s.name },
      );
      if (result.state !== 'SUCCESS') throw new Error(`stack deletion ended ${result.state}`);
      deletedStacks.add(s.name);
      return `deleted stack ${s.name} (${s.region})`;
    });
  }
  // Aliases before keys, buckets before keys: nothing is left pointing at a key that is going away.
  const rank = (t: string) => ['AWS::KMS::Alias', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::KMS::Key'].indexOf(t);
  for (const r of [...plan.retained].sort((a, b) => rank(a.type) - rank(b.type))) {
    if (!deletedStacks.has(r.stack)) {
      failures.push(`${r.physicalId}: kept because stack ${r.stack} was not deleted`);
      io.log(`  SKIP  ${r.physicalId}: kept because stack ${r.stack} was not deleted`);
      continue;
    }
    await attempt(`${WHAT[r.type] ?? 'delete'} ${r.physicalId}`, () => deleteRetained(clientsFor(r.region), r));
  }
  for (const r of plan.leftBehind) failures.push(`${r.type} ${r.physicalId} (${r.region}) left behind`);
  if (failures.length > 0) {
    io.log(`teardown: ${failures.length} item(s) not removed:`);
    for (const f of failures) io.log(`  - ${f}`);
    return EXIT.failed;
  }
  io.log(
    `teardown: environment "${env.name}" removed (${plural(plan.stacks.length, 'stack')}, ${plural(plan.retained.length, 'retained resource')})`,
  );
  return EXIT.ok;
}
