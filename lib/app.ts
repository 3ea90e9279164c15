import * as path from 'node:path';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { type App, Aspects } from 'aws-cdk-lib';
import { ExplicitIamActions } from './compliance/explicit-actions';
import { applyNagPacks } from './compliance/nag-packs';
import { applyRequiredTags, deliveryTags } from './compliance/required-tags';
import {
  pipelineArtifactBucketName,
  pipelineArtifactKeyAliasName,
  pipelineName as pipelineNameOf,
  releaseRoleName,
} from './config/naming';
import type { AppConfig, PipelineConfig } from './config/schema';
import { DEMO_CONFIG_PATH } from './config/load';
import { ConfigError } from './config/validate';
import { loadComponents } from './images/components';
import { DeliveryStack } from './stacks/delivery-stack';
import { PipelineArtifactsStack } from './stacks/pipeline-artifacts-stack';
import { EnvironmentStage } from './stage';

/** The repository root: the pipeline synthesizes from a checkout of it. */
export const REPOSITORY_ROOT = path.join(__dirname, '..');

export interface AddEnvironmentsOptions {
  /**
   * Run the four cdk-nag packs at synth.
   * @default true
   */
  readonly nag?: boolean;
  /**
   * The configuration file the app was built from. With a `pipeline` section
   * it must be inside the repository: the pipeline synthesizes from a checkout.
   * @default - the demo configuration
   */
  readonly configPath?: string;
}

/**
 * Adds the whole program to an app: one stage per configured environment,
 * nag-checked, and the delivery pipeline that deploys them when the
 * configuration has one (SDLC-2).
 */
export function addEnvironments(app: App, config: AppConfig, options: AddEnvironmentsOptions = {}): EnvironmentStage[] {
  // Checked before anything is built: a bad path fails at once.
  const configInRepository = config.pipeline ? repositoryPathOf(options.configPath) : undefined;
  const components = loadComponents();
  const stages = config.environments.map(
    (env) =>
      new EnvironmentStage(app, env.name, { config: env, components, pipelineAccount: config.pipeline?.account }),
  );
  // IAM-2: wildcard actions CDK's grants write (e.g. SNS's kms:GenerateDataKey*) become explicit lists,
  // everywhere. Aspects stop at stage boundaries, so the app (the delivery stacks) and each stage get it,
  // before the pipeline synthesizes the stages.
  for (const scope of [app, ...stages]) Aspects.of(scope).add(new ExplicitIamActions());
  // Before the pipeline: CDK Pipelines synthesizes each stage when it is added.
  if (options.nag ?? true) applyNagPacks(app);
  if (config.pipeline) addDeliveryPipeline(app, config, config.pipeline, stages, configInRepository!);
  return stages;
}

/** The configuration file's path inside the repository, as the pipeline's checkout will see it. */
function repositoryPathOf(configPath: string | undefined): string {
  const relative = path.relative(REPOSITORY_ROOT, path.resolve(configPath ?? DEMO_CONFIG_PATH));
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new ConfigError(configPath ?? '(config)', [
      {
        path: 'pipeline',
        message: `the configuration file is outside the repository (${REPOSITORY_ROOT}); the pipeline synthesizes from a checkout of the repository, so commit the file there and pass its path`,
      },
    ]);
  }
  return relative.split(path.sep).join('/');
}

function addDeliveryPipeline(
  app: App,
  config: AppConfig,
  pipeline: PipelineConfig,
  stages: readonly EnvironmentStage[],
  repoConfigPath: string,
): DeliveryStack {
  const application = config.environments[0].tags.application;
  const name = pipelineNameOf(application);
  const env = { account: pipeline.account, region: pipeline.region };
  const keyAliasName = pipelineArtifactKeyAliasName(application);
  // DATA-8: the delivery stacks are tagged like the environments they deploy.
  const tags = deliveryTags(config.environments);
  const regions = [...new Set(config.environments.flatMap((e) => [e.region, e.drRegion]))].filter(
    (r) => r !== pipeline.region,
  );
  const regionalArtifactBuckets = Object.fromEntries(
    regions.map((region) => {
      const stack = new PipelineArtifactsStack(app, `${name}-artifacts-${region}`, {
        env: { account: pipeline.account, region },
        description: `${application} delivery pipeline: artifact store in ${region}`,
        bucketName: pipelineArtifactBucketName(application, pipeline.account, region),
        keyAliasName,
      });
      applyRequiredTags(stack, tags);
      return [region, stack.bucket];
    }),
  );
  const delivery = new DeliveryStack(app, name, {
    env,
    description: `${application} delivery pipeline: tests, nag-checks and deploys ${config.environments.map((e) => e.name).join(' -> ')}`,
    pipelineName: name,
    source: pipeline.source,
    configPath: repoConfigPath,
    artifactBucketName: pipelineArtifactBucketName(application, pipeline.account, pipeline.region),
    artifactKeyAliasName: keyAliasName,
    regionalArtifactBuckets,
    environments: stages.map((stage, i) => ({
      stage,
      production: config.environments[i].production,
      releaseRoleArn: `arn:${RegionInfo.get(config.environments[i].region).partition ?? 'aws'}:iam::${config.environments[i].account}:role/${releaseRoleName(config.environments[i].tags.application, config.environments[i].name)}`,
    })),
    approvalEmails: pipeline.approvalEmails,
  });
  applyRequiredTags(delivery, tags);
  return delivery;
}
