import {
  type CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  paginateListStackResources,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { GetParametersCommand } from '@aws-sdk/client-ssm';
import type { EnvironmentConfig } from '../../config/schema';
import { goldenAmiParameterName, rebuildPendingParameterName } from '../../config/naming';
import { releaseParameterName } from '../../release/contract';
import { OperationError } from '../errors';
import { isNotFound, type TeardownRegionClients } from './clients';

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

/** What teardown does to each retained type it removes once its stack is gone, in the order it does it. */
export const RETAINED_ACTIONS: Readonly<Record<string, string>> = {
  // Aliases before keys, buckets and vaults before keys: nothing is left pointing at a key that is going away.
  'AWS::KMS::Alias': 'delete key alias',
  'AWS::S3::Bucket': 'empty (every version) and delete bucket',
  'AWS::Logs::LogGroup': 'delete log group',
  'AWS::Backup::BackupVault': 'delete recovery points and vault',
  'AWS::RDS::DBSubnetGroup': 'delete database subnet group',
  'AWS::SSM::Parameter': 'delete parameter',
  'AWS::KMS::Key': `schedule key deletion in ${KMS_MIN_PENDING_DAYS} days`,
};

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
  /**
   * Parameters the environment writes outside CloudFormation (the release record, the golden AMI, a pending
   * rebuild): a redeployment would otherwise find the old release record and boot a release that is gone.
   */
  readonly parameters: readonly PlannedResource[];
  /** Retained resources of types teardown does not delete: listed so nothing is silently left. */
  readonly leftBehind: readonly PlannedResource[];
}

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
  let template: { Resources?: Record<string, { DeletionPolicy?: string }> };
  try {
    template = JSON.parse(out.TemplateBody ?? '{}') as typeof template;
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

/** The parameters of `env` written outside CloudFormation that exist, per region. */
async function outsideParameters(
  env: EnvironmentConfig,
  clientsFor: (region: string) => TeardownRegionClients,
): Promise<PlannedResource[]> {
  const app = env.tags.application;
  const golden = goldenAmiParameterName(app, env.name);
  const wanted: [string, string[]][] = [
    [env.region, [releaseParameterName(app, env.name), golden, rebuildPendingParameterName(app, env.name)]],
    // The image pipeline distributes the golden AMI to the DR region too, with its parameter.
    [env.drRegion, [golden]],
  ];
  const found: PlannedResource[] = [];
  for (const [region, names] of wanted) {
    const out = await clientsFor(region).ssm.send(new GetParametersCommand({ Names: names }));
    for (const p of out.Parameters ?? []) {
      if (!p.Name) continue;
      found.push({
        stack: '(outside CloudFormation)',
        region,
        type: 'AWS::SSM::Parameter',
        logicalId: p.Name,
        physicalId: p.Name,
        retained: true,
      });
    }
  }
  return found;
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
  const retainedAll = resources.filter((r) => r.retained && r.type !== 'AWS::RDS::DBInstance');
  const order = Object.keys(RETAINED_ACTIONS);
  return {
    environment: env.name,
    stacks,
    loadBalancers: resources.filter((r) => r.type === 'AWS::ElasticLoadBalancingV2::LoadBalancer'),
    databases: resources.filter((r) => r.type === 'AWS::RDS::DBInstance'),
    retained: retainedAll
      .filter((r) => order.includes(r.type))
      .sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type)),
    parameters: stacks.length > 0 ? await outsideParameters(env, clientsFor) : [],
    leftBehind: retainedAll.filter((r) => !order.includes(r.type)),
  };
}

export const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The plan as the operator reads it before confirming. */
export function renderPlan(plan: TeardownPlan, options: { readonly finalSnapshot: boolean }): string[] {
  const lines = [`teardown of environment "${plan.environment}": ${plural(plan.stacks.length, 'deployed stack')}`];
  for (const lb of plan.loadBalancers) lines.push(`  turn off deletion protection  ${lb.physicalId}`);
  for (const db of plan.databases) {
    lines.push(
      `  delete database               ${db.physicalId} (${db.region}) ${options.finalSnapshot ? 'after a final snapshot' : 'WITHOUT a final snapshot (--no-final-snapshot)'}`,
    );
  }
  for (const s of plan.stacks) lines.push(`  delete stack                  ${s.name} (${s.region})`);
  for (const r of [...plan.retained, ...plan.parameters]) {
    const by = r.stack.startsWith('(') ? 'written outside CloudFormation' : `retained by ${r.stack}`;
    lines.push(`  ${(RETAINED_ACTIONS[r.type] ?? 'delete').padEnd(28)}  ${r.physicalId} (${r.region}, ${by})`);
  }
  for (const r of plan.leftBehind) {
    lines.push(
      `  LEFT BEHIND ${r.type} ${r.physicalId} (${r.region}, ${r.stack}): teardown does not delete this type; delete it by hand`,
    );
  }
  return lines;
}
