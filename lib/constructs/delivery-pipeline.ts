import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type DefaultStackSynthesizer, Fn, Stack, type Stage } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { acknowledge, literalPartition, wildcardResource } from '../compliance/acknowledge';

/** The aws-cdk CLI version package.json pins (the 3.x CLI cannot read this aws-cdk-lib's assemblies). */
export const CDK_CLI_VERSION: string = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  }
).devDependencies['aws-cdk'];

/**
 * The asset steps' stand-in for cdk-assets (scripts/pipeline/cdk-assets.mjs):
 * no published cdk-assets reads this aws-cdk-lib's asset manifests, so the
 * synth step puts the shim into the cloud assembly and the asset steps put it
 * on PATH as `cdk-assets`; it publishes through the pinned aws-cdk CLI.
 */
export const ASSET_SHIM = { source: 'scripts/pipeline/cdk-assets.mjs', inAssembly: 'cdk-assets.mjs' } as const;

/** Where the synth step packs the application once (IMM-9); every environment gets this very artifact. */
export const RELEASE_DIRECTORY = 'dist/release';

/** The directory, inside the synth step's output, where `npm run synth` writes the evidence reports (SDLC-4). */
export const EVIDENCE_DIRECTORY = 'cdk.out/evidence';

/** One environment the pipeline deploys, in order. */
export interface PipelineEnvironment {
  readonly stage: Stage;
  /** A production environment waits for a manual approval. */
  readonly production: boolean;
  /** The environment's release role (IMM-9): after its stacks, the pipeline ships the release through it. */
  readonly releaseRoleArn: string;
}

export interface DeliveryPipelineProps {
  readonly pipelineName: string;
  /** The repository, through a CodeConnections (CodeStar) connection. */
  readonly source: { readonly connectionArn: string; readonly repository: string; readonly branch: string };
  /** The configuration file the app was synthesized with, relative to the repository root. */
  readonly configPath: string;
  /** The artifact bucket of the pipeline's own region (KMS-encrypted with a customer key). */
  readonly artifactBucket: s3.IBucket;
  /** One artifact bucket per other region an environment deploys to. */
  readonly regionalArtifactBuckets: Readonly<Record<string, s3.IBucket>>;
  /** The environments in deployment order. */
  readonly environments: readonly PipelineEnvironment[];
  /** Asked to approve production deployments, told when an execution fails. */
  readonly notificationTopic: sns.ITopic;
  /** Where the CodeBuild steps log. */
  readonly buildLogGroup: logs.ILogGroup;
}

/**
 * The delivery pipeline (SDLC-2): CDK Pipelines, self-mutating. Its synth
 * step runs the README's test command, the dependency gate and `npm run synth`
 * (cdk-nag, cfn-lint, evidence report) from a clean checkout; then it deploys
 * the environments one after the other, each production environment only
 * after a manual approval. Artifacts live in customer-key buckets the caller
 * provides, one per region, so no unencrypted or unlogged support bucket is
 * created behind the reader's back.
 */
export class DeliveryPipeline extends Construct {
  readonly pipeline: pipelines.CodePipeline;
  /** The synth step; its primary output is the cloud assembly. */
  readonly synth: pipelines.ShellStep;
  /** The evidence reports, a separate artifact of the synth step. */
  readonly evidence: pipelines.FileSet;
  /** The packed application and its checksum, a separate artifact of the synth step. */
  readonly release: pipelines.FileSet;

  constructor(scope: Construct, id: string, props: DeliveryPipelineProps) {
    super(scope, id);
    const config = `-c config=${props.configPath}`;
    const source = pipelines.CodePipelineSource.connection(props.source.repository, props.source.branch, {
      connectionArn: props.source.connectionArn,
      codeBuildCloneOutput: false,
    });
    this.synth = new pipelines.ShellStep('Synth', {
      input: source,
      installCommands: ['pip install --quiet --requirement requirements-ci.txt', 'npm ci'],
      commands: [
        // The same commands as CI (.ci/run) and the README.
        'npm test',
        'npm run audit:deps',
        `npm run synth -- ${config}`,
        `cp ${ASSET_SHIM.source} cdk.out/${ASSET_SHIM.inAssembly}`,
        // The application, built and tested by npm test, packed once: the release version is the commit.
        `npm run app:pack -- --version "$CODEBUILD_RESOLVED_SOURCE_VERSION" --out ${RELEASE_DIRECTORY}`,
        `echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" > ${RELEASE_DIRECTORY}/VERSION`,
      ],
      primaryOutputDirectory: 'cdk.out',
    });
    this.evidence = this.synth.addOutputDirectory(EVIDENCE_DIRECTORY);
    this.release = this.synth.addOutputDirectory(RELEASE_DIRECTORY);

    const codePipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      // The home region's bucket is the artifact bucket (CodePipeline takes one or the other, not both).
      crossRegionReplicationBuckets: {
        ...props.regionalArtifactBuckets,
        [Stack.of(this).region]: props.artifactBucket,
      },
      restartExecutionOnUpdate: true,
    });

    this.pipeline = new pipelines.CodePipeline(this, 'Delivery', {
      codePipeline,
      synth: this.synth,
      selfMutation: true,
      // The CLI version the repository pins, not whatever `aws-cdk@2` is on the day.
      cliVersion: CDK_CLI_VERSION,
      // Installed, then replaced by the shim (ASSET_SHIM); pinned so the install is the same every run.
      cdkAssetsCliVersion: '4.7.3',
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
          computeType: codebuild.ComputeType.MEDIUM,
          privileged: false,
        },
        logging: { cloudWatch: { logGroup: props.buildLogGroup } },
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: { install: { 'runtime-versions': { nodejs: 20, python: '3.11' } } },
        }),
      },
      assetPublishingCodeBuildDefaults: {
        partialBuildSpec: codebuild.BuildSpec.fromObject({
          phases: {
            // pre_build: after CDK Pipelines' own `npm install -g cdk-assets@...` (install), so the shim wins.
            pre_build: {
              commands: [
                `npm install --global aws-cdk@${CDK_CLI_VERSION}`,
                `chmod +x "$CODEBUILD_SRC_DIR/${ASSET_SHIM.inAssembly}"`,
                `ln -sf "$CODEBUILD_SRC_DIR/${ASSET_SHIM.inAssembly}" "$(npm prefix --global)/bin/cdk-assets"`,
              ],
            },
          },
        }),
      },
    });

    for (const env of props.environments) {
      const name = env.stage.stageName;
      this.pipeline.addStage(env.stage, {
        // After the environment's infrastructure: the same artifact (same checksum) everywhere.
        post: [
          new pipelines.CodeBuildStep(`Release-${name}`, {
            input: source,
            additionalInputs: { release: this.release },
            installCommands: ['npm ci'],
            commands: [
              `aws configure set profile.release.role_arn ${env.releaseRoleArn}`,
              'aws configure set profile.release.credential_source EcsContainer',
              'V=$(cat release/VERSION)',
              `AWS_PROFILE=release npm run release -- --env ${name} --config ${props.configPath} --artifact "release/app-$V.tgz" --version "$V"`,
            ],
            rolePolicyStatements: [
              new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [env.releaseRoleArn] }),
            ],
          }),
        ],
        pre: env.production
          ? [
              new pipelines.ManualApprovalStep(`Approve-${env.stage.stageName}`, {
                comment: `Deploy to production environment ${env.stage.stageName}: review the change sets and the evidence report (artifact of the Synth step, ${EVIDENCE_DIRECTORY}/${env.stage.stageName}.md) first`,
                notificationTopic: props.notificationTopic,
              }),
            ]
          : [],
      });
    }
    // Build now, not lazily at synth, so that the roles and policies exist for what follows.
    this.pipeline.buildPipeline();

    // CDK grants codestar-connections:UseConnection; a connection created since the rename has a
    // codeconnections ARN, and IAM matches the action's prefix to it: grant both spellings.
    for (const role of codePipeline.node.findAll()) {
      if (role instanceof iam.Role && role.node.path.includes('/Source/')) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({
            actions: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
            resources: [props.source.connectionArn],
          }),
        );
      }
    }
    // The shim's `cdk publish-assets` checks each target environment's bootstrap version and
    // toolkit stack through the stack's deploy role before it publishes: the asset role may assume it.
    const deployRoles = [
      ...new Set(
        props.environments.flatMap(({ stage }) =>
          stage.node.children
            .filter(Stack.isStack)
            .map((s) => (s.synthesizer as DefaultStackSynthesizer).deployRoleArn),
        ),
      ),
    ].sort();
    for (const role of this.node.findAll()) {
      if (role instanceof iam.Role && /\/Assets\/(File|Image)Role$/.test(role.node.path)) {
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: deployRoles.map((arn) => Fn.sub(arn)) }),
        );
      }
    }
    // Failed executions reach the same people as the approvals.
    codePipeline.notifyOn('ExecutionFailed', props.notificationTopic, {
      events: [codepipeline.PipelineNotificationEvents.PIPELINE_EXECUTION_FAILED],
    });
    this.acknowledgeGeneratedPermissions(props);
  }

  /**
   * CDK Pipelines writes its roles and projects itself. What the nag packs
   * flag there, and why it is accepted, is said here, finding by finding
   * (SDLC-1); wildcard actions are not acknowledged but rewritten (IAM-2).
   */
  private acknowledgeGeneratedPermissions(props: DeliveryPipelineProps): void {
    const stack = Stack.of(this);
    const partition = literalPartition(stack);
    const artifactObjects = [
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.artifactBucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      ...Object.values(props.regionalArtifactBuckets).flatMap((b) => {
        // The fixed physical name, as the pipeline's policies spell it.
        const name = (b.node.defaultChild as s3.CfnBucket).bucketName;
        return wildcardResource(stack, `s3:::${name}/*`);
      }),
    ] as const;
    acknowledge(
      this,
      'IAM-2',
      'pipeline actions read and write artifacts under generated object keys, so object ARNs in the artifact buckets end in "/*"; the buckets hold only pipeline artifacts',
      ...artifactObjects,
    );
    const projectLogs = this.node
      .findAll()
      .filter((c): c is codebuild.CfnProject => c instanceof codebuild.CfnProject)
      .flatMap((p) => {
        const id = stack.getLogicalId(p);
        return [
          `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/<${id}>:*]` as const,
          `AwsSolutions-IAM5[Resource::arn:${partition}:codebuild:${stack.region}:${stack.account}:report-group/<${id}>-*]` as const,
        ];
      });
    acknowledge(
      this,
      'IAM-2',
      "CodeBuild writes log streams and test reports with generated names under its own project's log group and report-group prefix",
      ...projectLogs,
      `AwsSolutions-IAM5[Resource::arn:${partition}:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/*]`,
      `AwsSolutions-IAM5[Resource::arn:${partition}:codebuild:${stack.region}:${stack.account}:report-group/*]`,
    );
    acknowledge(
      this,
      'IAM-2',
      'the self-mutation and asset steps assume only the CDK bootstrap roles (deploy, file and image publishing) of the target accounts, selected by their aws-cdk:bootstrap-role tag; role names carry the account and region they are bootstrapped in',
      `AwsSolutions-IAM5[Resource::arn:*:iam::${stack.account}:role/*]`,
    );
    acknowledge(
      this,
      'IAM-2',
      "granted by CDK Pipelines where the API has no resource-level permission or the resource is in another region: cloudformation:DescribeStacks and s3:ListBucket for the CLI's bootstrap checks, codebuild:StartBuild/BatchGetBuilds/StopBuild for the asset role, and the KMS key of another region's artifact store, which this region can only name by alias (its key policy admits only this account)",
      'AwsSolutions-IAM5[Resource::*]',
    );
    // On each role and project, not on the whole pipeline.
    for (const c of this.node.findAll()) {
      if (c instanceof iam.Role) {
        acknowledge(
          c,
          'IAM-2',
          'CDK Pipelines creates one role per action with an inline default policy; the policy is created, changed and deleted with its role and cannot be attached elsewhere',
          'compliance:IAMNoInlinePolicy',
        );
      } else if (c instanceof codebuild.CfnProject) {
        acknowledge(
          c,
          'SDLC-2',
          'the project takes its source from the pipeline (type CODEPIPELINE), which reads the repository through a CodeConnections connection: no repository URL or credential is stored in it',
          'compliance:CodeBuildProjectSourceRepoUrl',
        );
      }
    }
  }
}
