import { Collector, notFromTemplates } from './collector';
import { get, localResource, localTarget, resourcesOf } from './template';
import type { CheckContext, CheckResult, ResourceRef, StackTemplate } from './types';

/** The commands the pipeline's build must run before anything is deployed (README, `.ci/run`). */
export const REQUIRED_BUILD_COMMANDS = ['npm test', 'npm run synth'] as const;

interface Action {
  readonly Name?: string;
  readonly ActionTypeId?: { readonly Category?: string; readonly Provider?: string };
  readonly Configuration?: Record<string, unknown>;
  readonly RunOrder?: number;
  readonly OutputArtifacts?: readonly { readonly Name?: string }[];
}
interface PipelineStage {
  readonly Name?: string;
  readonly Actions?: readonly Action[];
}

const stagesOf = (p: ResourceRef) => (get(p.resource.Properties, 'Stages') ?? []) as PipelineStage[];

/** Source providers that read a repository (not an S3 object or an image). */
export const REPOSITORY_PROVIDERS = ['CodeStarSourceConnection', 'CodeCommit', 'GitHub'] as const;
/** CloudFormation action modes that change a stack (creating a change set does not). */
const EXECUTING_MODES = ['CHANGE_SET_EXECUTE', 'CREATE_UPDATE', 'REPLACE_ON_FAILURE'];

const provider = (a: Action) => a.ActionTypeId?.Provider ?? '?';
const isCloudFormation = (a: Action) => provider(a) === 'CloudFormation';
const isDeploy = (a: Action) => isCloudFormation(a) && EXECUTING_MODES.includes(String(a.Configuration?.ActionMode));

/**
 * The arguments each required command may carry: none for the tests (an
 * argument could select no test at all), only `-c key=value` context for the
 * synth (which configuration to synthesize).
 */
const ALLOWED_ARGUMENTS: Readonly<Record<(typeof REQUIRED_BUILD_COMMANDS)[number], RegExp>> = {
  'npm test': /^$/,
  'npm run synth': /^(-- -c [\w.-]+=[\w./-]+( -c [\w.-]+=[\w./-]+)*)?$/,
};

/**
 * Whether a build command is exactly `required`, with only the arguments it
 * may carry; not hidden behind `|| true`, a pipe, a second command or line.
 */
export function runsCommand(command: string, required: (typeof REQUIRED_BUILD_COMMANDS)[number]): boolean {
  const c = command.trim();
  if (/[;&|`\n\r]|\$\(/.test(c)) return false;
  if (c !== required && !c.startsWith(`${required} `)) return false;
  return ALLOWED_ARGUMENTS[required].test(c.slice(required.length).trim());
}

/**
 * The stacks a command deploys, when it deploys any: the CDK CLI (`cdk`,
 * `npx aws-cdk`, `--all` is `*`) or the CloudFormation CLI (`aws cloudformation
 * deploy/create-stack/update-stack/execute-change-set`, `*` when the stack is
 * not named). Undefined for any other command.
 */
export function cdkDeployTargets(command: string): string[] | undefined {
  const words = command.trim().split(/\s+/);
  const cfn = words.findIndex((w, i) => w === 'cloudformation' && /(^|\/)aws$/.test(words[i - 1] ?? ''));
  if (cfn >= 0 && /^(deploy|create-stack|update-stack|execute-change-set)$/.test(words[cfn + 1] ?? '')) {
    const name = words.indexOf('--stack-name');
    return [name >= 0 && words[name + 1] ? words[name + 1] : '*'];
  }
  const cdk = words.findIndex((w) => /(^|\/)(aws-)?cdk(@[\w.^~-]+)?$/.test(w));
  const deploy = words.indexOf('deploy', cdk + 1);
  if (cdk < 0 || deploy < 0) return undefined;
  const rest = words.slice(deploy + 1);
  if (rest.includes('--all')) return ['*'];
  const targets = rest.filter((w) => !w.startsWith('-'));
  return targets.length > 0 ? targets : ['*'];
}

/** The build spec of the CodeBuild project an action runs, parsed; undefined when it cannot be read. */
function buildSpecOf(pipeline: ResourceRef, action: Action): Record<string, unknown> | undefined {
  const project = localResource(pipeline.stack, localTarget(action.Configuration?.ProjectName));
  const spec = get(project?.resource.Properties, 'Source.BuildSpec');
  if (typeof spec !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(spec);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function commandsOf(spec: Record<string, unknown> | undefined): string[] {
  const phases = (spec?.phases ?? {}) as Record<string, { commands?: unknown }>;
  return Object.values(phases).flatMap((p) => (Array.isArray(p?.commands) ? p.commands.map(String) : []));
}

/**
 * Index of the pipeline stage with a CloudFormation action (change set or
 * deployment) on a stack of the given names, or -1. Whether it really deploys
 * every stack is checked separately, on the executing actions.
 */
function stageDeploying(stages: readonly PipelineStage[], stackNames: ReadonlySet<string>): number {
  return stages.findIndex((s) =>
    (s.Actions ?? []).some((a) => isCloudFormation(a) && stackNames.has(String(a.Configuration?.StackName))),
  );
}

/** The pipeline (in the delivery stacks or the environment's own) that deploys a stack of this environment. */
export function pipelineDeploying(ctx: CheckContext): ResourceRef | undefined {
  const candidates: StackTemplate[] = [...(ctx.delivery ?? []), ...ctx.stacks];
  const names = new Set(ctx.stacks.map((s) => s.stackName));
  return resourcesOf(candidates, 'AWS::CodePipeline::Pipeline').find((p) => stageDeploying(stagesOf(p), names) >= 0);
}

/**
 * Which stage of the pipeline deploys this environment, and the manual
 * approval before it: an approval action in that stage that runs before its
 * first deployment action, or a stage of approvals right before it.
 */
export function deploymentOf(
  ctx: CheckContext,
  pipeline: ResourceRef,
): { stage: number; stages: number; approvals: string[] } {
  const stages = stagesOf(pipeline);
  const stage = stageDeploying(stages, new Set(ctx.stacks.map((s) => s.stackName)));
  const own = stages[stage]?.Actions ?? [];
  const firstDeploy = Math.min(...own.filter(isCloudFormation).map((a) => a.RunOrder ?? 1));
  const isApproval = (a: Action) => a.ActionTypeId?.Category === 'Approval';
  const approvals = own
    .filter((a) => isApproval(a) && (a.RunOrder ?? 1) < firstDeploy)
    .map((a) => `${a.Name ?? '?'} (${provider(a)}, run order ${a.RunOrder ?? 1})`);
  const previous = stages[stage - 1]?.Actions ?? [];
  if (previous.length > 0 && previous.every(isApproval))
    approvals.push(`approval stage ${stages[stage - 1].Name ?? '?'}`);
  return { stage, stages: stages.length, approvals };
}

/** What the parts of SDLC-2 read of one pipeline: its stages and build steps, and the stage deploying this environment. */
interface PipelineView {
  readonly c: Collector;
  readonly pipeline: ResourceRef;
  readonly stages: readonly PipelineStage[];
  /** The evidence path of a stage. */
  readonly at: (i: number) => string;
  /** The first stage that deploys a stack of this environment. */
  readonly envStage: number;
  /** Every build step of the pipeline; those before `envStage` (`builds`) can prepare it. */
  readonly allBuilds: readonly { a: Action; i: number }[];
  readonly builds: readonly { a: Action; i: number }[];
}

/** SDLC-2: the first stage reads a repository. */
function assessSource({ c, pipeline, stages, at }: PipelineView): void {
  const sources = (stages[0]?.Actions ?? []).filter((a) => a.ActionTypeId?.Category === 'Source');
  c.check(
    pipeline,
    at(0),
    sources
      .map(
        (a) =>
          `${provider(a)} ${String(a.Configuration?.FullRepositoryId ?? a.Configuration?.RepositoryName ?? '')}@${String(a.Configuration?.BranchName ?? '')}`,
      )
      .join(', ') || 'no source action',
    sources.length > 0 && sources.every((a) => (REPOSITORY_PROVIDERS as readonly string[]).includes(provider(a))),
    `a source action reading the repository (${REPOSITORY_PROVIDERS.join(', ')})`,
  );
}

/** SDLC-2: every artifact store names a customer-managed key. */
function assessArtifactStores({ c, pipeline }: PipelineView): void {
  const stores = [
    ...((get(pipeline.resource.Properties, 'ArtifactStores') ?? []) as { ArtifactStore?: unknown }[]).map(
      (s) => s.ArtifactStore,
    ),
    get(pipeline.resource.Properties, 'ArtifactStore'),
  ].filter((s) => s !== undefined);
  c.requireSome(stores, 'artifact store of the delivery pipeline');
  stores.forEach((s, i) => {
    const key = get(s, 'EncryptionKey.Id');
    const awsManaged = typeof key === 'string' && /alias\/aws\//.test(key);
    c.check(
      pipeline,
      `Properties.ArtifactStores[${i}].ArtifactStore.EncryptionKey.Id`,
      key ?? 'none (the AWS-managed S3 key)',
      key !== undefined && get(s, 'EncryptionKey.Type') === 'KMS' && !awsManaged,
      'a customer-managed KMS key',
    );
  });
}

/** SDLC-2: the build before any deployment runs the tests and the synth, and publishes the evidence. */
function assessSynthStep({ c, pipeline, at, builds }: PipelineView): { a: Action; i: number } | undefined {
  const synth = builds.find(({ a }) => {
    const commands = commandsOf(buildSpecOf(pipeline, a));
    return REQUIRED_BUILD_COMMANDS.every((required) => commands.some((cmd) => runsCommand(cmd, required)));
  });
  const allCommands = builds.flatMap(({ a }) => commandsOf(buildSpecOf(pipeline, a)));
  c.check(
    pipeline,
    synth ? `${at(synth.i)}.${synth.a.Name ?? '?'}` : 'Properties.Stages',
    (synth ? commandsOf(buildSpecOf(pipeline, synth.a)) : allCommands).join('; ') ||
      'no build step before the deployment',
    synth !== undefined,
    `a build step before the deployment that runs ${REQUIRED_BUILD_COMMANDS.join(' and ')}`,
  );
  const secondary = synth
    ? Object.entries(
        (get(buildSpecOf(pipeline, synth.a), 'artifacts.secondary-artifacts') ?? {}) as Record<
          string,
          { 'base-directory'?: string }
        >,
      )
    : [];
  const evidence = secondary.find(([, a]) => /(^|\/)evidence$/.test(a['base-directory'] ?? ''));
  c.check(
    pipeline,
    synth ? `${at(synth.i)}.${synth.a.Name ?? '?'}.OutputArtifacts` : 'Properties.Stages',
    evidence ? `${evidence[0]} (${evidence[1]['base-directory']})` : secondary.map(([n]) => n).join(', ') || 'none',
    evidence !== undefined,
    'the evidence report published as a build artifact',
  );

  return synth;
}

/** SDLC-2: the pipeline deploys its own stack, and nothing else, from a build step. */
function assessSelfUpdate({ c, pipeline, at, envStage, allBuilds }: PipelineView): void {
  const own = pipeline.stack.stackName;
  const deploys = allBuilds.flatMap(({ a, i }) =>
    commandsOf(buildSpecOf(pipeline, a)).flatMap((cmd) => {
      const targets = cdkDeployTargets(cmd);
      return targets ? [{ a, i, cmd, targets }] : [];
    }),
  );
  const selfUpdate = deploys.find((d) => d.targets.length === 1 && d.targets[0] === own && d.i < envStage);
  c.check(
    pipeline,
    selfUpdate ? `${at(selfUpdate.i)}.${selfUpdate.a.Name ?? '?'}` : 'Properties.Stages',
    selfUpdate?.cmd ?? 'no self-update step',
    selfUpdate !== undefined,
    `a step that updates the pipeline itself (cdk deploy ${own}) before the environments`,
  );
  for (const d of deploys.filter((x) => x !== selfUpdate)) {
    c.check(
      pipeline,
      `${at(d.i)}.${d.a.Name ?? '?'}`,
      d.cmd,
      false,
      'no build step deploys stacks other than the pipeline itself (that would bypass the stage order and the approval)',
    );
  }
}

/**
 * SDLC-2: every stack of the environment is deployed by the pipeline, from the templates the synth step built:
 * an executing action whose template, or whose change set's template, is in the synth step's output.
 */
function assessStacksDeployed(
  { c, pipeline, stages, at, envStage }: PipelineView,
  names: ReadonlySet<string>,
  synth: { a: Action } | undefined,
): void {
  const synthOutputs = new Set((synth?.a.OutputArtifacts ?? []).map((o) => o.Name));
  const fromSynth = (a: Action | undefined) =>
    synthOutputs.has(String(a?.Configuration?.TemplatePath ?? '').split('::')[0]);
  const deployedFromSynth = (stackName: string) =>
    stages.some((s) =>
      (s.Actions ?? []).some((a) => {
        if (!isDeploy(a) || String(a.Configuration?.StackName) !== stackName) return false;
        if (a.Configuration?.ActionMode !== 'CHANGE_SET_EXECUTE') return fromSynth(a);
        // The change set this executes: created earlier in the stage, from the synth output.
        return (s.Actions ?? []).some(
          (p) =>
            isCloudFormation(p) &&
            p.Configuration?.ActionMode === 'CHANGE_SET_REPLACE' &&
            String(p.Configuration?.StackName) === stackName &&
            p.Configuration?.ChangeSetName === a.Configuration?.ChangeSetName &&
            (p.RunOrder ?? 1) < (a.RunOrder ?? 1) &&
            fromSynth(p),
        );
      }),
    );
  const missing = [...names].filter((n) => !deployedFromSynth(n));
  c.check(
    pipeline,
    at(envStage),
    missing.length === 0 ? `all ${names.size} stacks of ${c.ctx.environment}` : `missing ${missing.join(', ')}`,
    missing.length === 0,
    `every stack of ${c.ctx.environment} deployed by the pipeline from the synth step's templates`,
  );
}

/** SDLC-2: production is deployed after every test environment, behind a manual approval. */
function assessProductionOrder({ c, pipeline, stages, at, envStage }: PipelineView): void {
  const others = c.ctx.otherEnvironments ?? [];
  const earlierTests = others.filter((o) => !o.production && (o.stackNames ?? []).length > 0);
  if (c.ctx.production) {
    // A test environment this pipeline does not deploy, or any of whose stacks it deploys
    // with or after production, is out of order.
    const lastStageOf = (stackNames: readonly string[]) => {
      const set = new Set(stackNames);
      let last = -1;
      stages.forEach((s, i) => {
        if ((s.Actions ?? []).some((a) => isCloudFormation(a) && set.has(String(a.Configuration?.StackName)))) last = i;
      });
      return last;
    };
    const late = earlierTests.filter((o) => {
      const last = lastStageOf(o.stackNames ?? []);
      return last < 0 || last >= envStage;
    });
    c.check(
      pipeline,
      at(envStage),
      `stage ${envStage + 1} of ${stages.length}; test environments up to stages ${earlierTests.map((o) => `${o.name}:${lastStageOf(o.stackNames ?? []) + 1}`).join(', ') || '(none)'}`,
      late.length === 0,
      'production deployed after every test environment',
    );

    // Approval: a manual approval before the first deployment action of production.
    const { approvals } = deploymentOf(c.ctx, pipeline);
    c.check(
      pipeline,
      at(envStage),
      approvals.join(', ') || 'no approval before the deployment',
      approvals.length > 0,
      'a manual approval before the first production deployment action',
    );
  }
}

/**
 * SDLC-2: a delivery pipeline deploys this environment: its source is a
 * repository, a build step runs the tests and the synth (cdk-nag, cfn-lint,
 * evidence) and publishes the evidence report, artifacts are encrypted with
 * customer keys, the pipeline updates itself, every stack of the environment
 * is deployed by it, after the test environments, and a production
 * environment only after a manual approval.
 */
export function checkSdlc2(ctx: CheckContext): CheckResult {
  const names = new Set(ctx.stacks.map((s) => s.stackName));
  const pipeline = pipelineDeploying(ctx);
  if (!pipeline) {
    return notFromTemplates(
      'SDLC-2',
      'NOT_IMPLEMENTED',
      `no delivery pipeline in the cloud assembly deploys ${ctx.environment}: it is deployed with \`cdk deploy\``,
      'add a `pipeline` section to the configuration (docs/deploying.md, "Through the delivery pipeline")',
    );
  }
  const c = new Collector(ctx);
  const stages = stagesOf(pipeline);
  const envStage = stageDeploying(stages, names);
  const allBuilds = stages
    .flatMap((s, i) => (s.Actions ?? []).map((a) => ({ a, i })))
    .filter(({ a }) => provider(a) === 'CodeBuild');
  const view: PipelineView = {
    c,
    pipeline,
    stages,
    at: (i) => `Properties.Stages[${i}](${stages[i]?.Name ?? '?'})`,
    envStage,
    allBuilds,
    builds: allBuilds.filter(({ i }) => i < envStage),
  };
  assessSource(view);
  assessArtifactStores(view);
  const synth = assessSynthStep(view);
  assessSelfUpdate(view);
  assessStacksDeployed(view, names, synth);
  assessProductionOrder(view);
  return c.finish(
    'SDLC-2',
    `pipeline ${pipeline.stack.stackName}/${pipeline.logicalId} builds, tests and nag-checks from the repository and deploys ${ctx.environment} in stage ${envStage + 1} of ${stages.length}${ctx.production ? ' after a manual approval' : ''}`,
  );
}
