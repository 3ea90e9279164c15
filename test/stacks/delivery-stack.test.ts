import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseNagReport } from '../../lib/compliance/checks/nag-report';
import { runEvidenceCli } from '../../lib/compliance/evidence/cli';
import type { EvidenceReport } from '../../lib/compliance/evidence/report';
import { addEnvironments } from '../../lib/app';
import { loadConfig } from '../../lib/config/load';
import { pipelineArtifactBucketName, pipelineName } from '../../lib/config/naming';
import { ConfigError } from '../../lib/config/validate';
import {
  ASSET_SHIM,
  CDK_CLI_VERSION,
  EVIDENCE_DIRECTORY,
  RELEASE_DIRECTORY,
} from '../../lib/constructs/delivery-pipeline';
import {
  newTestApp,
  only,
  type Props,
  props,
  resourcesOf,
  ROOT,
  synthConfig,
  type Synthesized,
  tempDir,
} from '../helpers/app';

const config = loadConfig();
const pipelineConfig = config.pipeline!;
const application = config.environments[0].tags.application;
let synth: Synthesized;
let stack: Synthesized['delivery'] extends () => (infer T)[] ? T : never;
let pipeline: Props;
let stages: Props[];
beforeAll(() => {
  synth = synthConfig(config);
  stack = synth.delivery().find((d) => d.stack.stackName === pipelineName(application))!;
  pipeline = only(stack.template, 'AWS::CodePipeline::Pipeline');
  stages = pipeline.Stages as Props[];
});

const projectOf = (action: Props): Props => {
  const id = action.Configuration.ProjectName.Ref as string;
  return stack.template.toJSON().Resources[id].Properties as Props;
};
const buildSpecOf = (action: Props) => JSON.parse(projectOf(action).Source.BuildSpec as string) as Props;
const actionsOf = (name: string): Props[] => stages.find((s) => s.Name === name)!.Actions as Props[];

test('the demo configuration has a pipeline in its own account and region, and artifact stores only where needed', () => {
  expect(
    synth
      .delivery()
      .map((d) => [d.stack.stackName, d.stack.account, d.stack.region])
      .sort(),
  ).toEqual([
    [pipelineName(application), pipelineConfig.account, pipelineConfig.region],
    [`${pipelineName(application)}-artifacts-eu-central-1`, pipelineConfig.account, 'eu-central-1'],
  ]);
});

test('SDLC-2: source, build, self-update, assets, then the environments in the order of the configuration', () => {
  expect(stages.map((s) => s.Name)).toEqual([
    'Source',
    'Build',
    'UpdatePipeline',
    'Assets',
    ...config.environments.map((e) => e.name),
  ]);
  expect(actionsOf('Source')).toEqual([
    expect.objectContaining({
      ActionTypeId: expect.objectContaining({ Category: 'Source', Provider: 'CodeStarSourceConnection' }),
      Configuration: expect.objectContaining({
        ConnectionArn: pipelineConfig.source.connectionArn,
        FullRepositoryId: pipelineConfig.source.repository,
        BranchName: pipelineConfig.source.branch,
      }),
    }),
  ]);
});

test('SDLC-2: the build runs the tests, the dependency gate and the synth of this configuration, and publishes the evidence', () => {
  const [synthAction] = actionsOf('Build');
  const spec = buildSpecOf(synthAction);
  expect(spec.phases.install.commands).toEqual(['pip install --quiet --requirement requirements-ci.txt', 'npm ci']);
  expect(spec.phases.build.commands).toEqual([
    'npm test',
    'npm run audit:deps',
    'npm run synth -- -c config=config/demo.yaml',
    `cp ${ASSET_SHIM.source} cdk.out/${ASSET_SHIM.inAssembly}`,
    `npm run app:pack -- --version "$CODEBUILD_RESOLVED_SOURCE_VERSION" --out ${RELEASE_DIRECTORY}`,
    `echo "$CODEBUILD_RESOLVED_SOURCE_VERSION" > ${RELEASE_DIRECTORY}/VERSION`,
  ]);
  expect(spec.artifacts['secondary-artifacts']).toEqual(
    expect.objectContaining({
      [synthAction.OutputArtifacts[1].Name]: { 'base-directory': EVIDENCE_DIRECTORY, files: ['**/*'] },
    }),
  );
  // The versions the CI image has, so the pipeline's tests see the same tools.
  expect(readFileSync(path.join(ROOT, 'requirements-ci.txt'), 'utf8')).toMatch(/^cfn-lint==\d[\d.]*$/m);
});

test('SDLC-2: the pipeline updates itself with the CLI version package.json pins', () => {
  const [selfMutate] = actionsOf('UpdatePipeline');
  const spec = buildSpecOf(selfMutate);
  const commands = [...spec.phases.install.commands, ...spec.phases.build.commands].join('\n');
  expect(CDK_CLI_VERSION).toMatch(/^2\.\d+\.\d+$/);
  expect(commands).toContain(`aws-cdk@${CDK_CLI_VERSION}`);
  expect(commands).toMatch(new RegExp(`cdk -a . deploy ${pipelineName(application)}\\b`));
});

test('the asset steps publish through the shim and the pinned CLI (no published cdk-assets reads schema 55)', () => {
  const assets = actionsOf('Assets');
  expect(assets.length).toBeGreaterThan(0);
  for (const a of assets) {
    const spec = buildSpecOf(a);
    expect(spec.phases.pre_build.commands).toEqual([
      `npm install --global aws-cdk@${CDK_CLI_VERSION}`,
      `chmod +x "$CODEBUILD_SRC_DIR/${ASSET_SHIM.inAssembly}"`,
      `ln -sf "$CODEBUILD_SRC_DIR/${ASSET_SHIM.inAssembly}" "$(npm prefix --global)/bin/cdk-assets"`,
    ]);
    for (const cmd of spec.phases.build.commands as string[]) expect(cmd).toMatch(/^cdk-assets --path "assembly-/);
  }
  expect(existsSync(path.join(ROOT, ASSET_SHIM.source))).toBe(true);
});

test("the asset role may assume each environment's deploy role (the CLI checks the bootstrap version through it)", () => {
  const [, filePolicy] = resourcesOf(stack.template, 'AWS::IAM::Policy').find(([id]) => /AssetsFileRole/.test(id))!;
  const assumable = JSON.stringify((filePolicy.Properties as Props).PolicyDocument);
  for (const env of config.environments)
    for (const region of [env.region, env.drRegion])
      expect(assumable).toContain(`:iam::${env.account}:role/cdk-hnb659fds-deploy-role-${env.account}-${region}`);
});

test('the source action may use the connection under either service prefix; failed runs notify the topic', () => {
  const sourceRole = props(stack.template, 'AWS::IAM::Policy').find((p) =>
    JSON.stringify(p.PolicyDocument).includes('codeconnections:UseConnection'),
  )!;
  expect(sourceRole.PolicyDocument.Statement).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
        Resource: pipelineConfig.source.connectionArn,
      }),
    ]),
  );
  const rule = only(stack.template, 'AWS::CodeStarNotifications::NotificationRule');
  expect(rule.EventTypeIds).toEqual(['codepipeline-pipeline-pipeline-execution-failed']);
  expect(rule.Targets).toEqual([{ TargetType: 'SNS', TargetAddress: { Ref: expect.any(String) } }]);
});

test('SDLC-2: production waits for a manual approval that notifies the encrypted topic; test environments do not', () => {
  for (const env of config.environments) {
    const actions = actionsOf(env.name);
    const approvals = actions.filter((a) => a.ActionTypeId.Category === 'Approval');
    const deploys = actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    expect(deploys.length).toBe(20); // 10 stacks, each prepared (change set) and executed
    if (!env.production) {
      expect(approvals).toEqual([]);
      continue;
    }
    expect(approvals).toHaveLength(1);
    expect(approvals[0].Configuration.NotificationArn).toEqual({ Ref: expect.any(String) });
    expect(Math.min(...deploys.map((a) => a.RunOrder as number))).toBeGreaterThan(approvals[0].RunOrder as number);
  }
  expect(only(stack.template, 'AWS::SNS::Topic').KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
});

test('IMM-9: after its stacks, each environment gets the release packed once by the build, through its release role', () => {
  const build = actionsOf('Build')[0]!;
  const packed = buildSpecOf(build).phases.build.commands as string[];
  expect(packed).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^npm run app:pack -- --version "\$CODEBUILD_RESOLVED_SOURCE_VERSION" --out /),
    ]),
  );
  const releaseArtifact = (build.OutputArtifacts as Props[]).map((o) => o.Name as string);
  for (const env of config.environments) {
    const actions = actionsOf(env.name);
    const deploys = actions.filter((a) => a.ActionTypeId.Provider === 'CloudFormation');
    const release = actions.find((a) => a.Name === `Release-${env.name}`)!;
    expect(release).toBeDefined();
    expect(release.RunOrder).toBeGreaterThan(Math.max(...deploys.map((a) => a.RunOrder as number)));
    // The same artifact every environment: an output of the one build.
    expect((release.InputArtifacts as Props[]).map((i) => i.Name)).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(releaseArtifact.slice(1).join('|')))]),
    );
    const commands = buildSpecOf(release).phases.build.commands as string[];
    const role = `arn:aws:iam::${env.account}:role/${application}-${env.name}-release`;
    expect(commands.join('\n')).toContain(`profile.release.role_arn ${role}`);
    expect(commands.at(-1)).toMatch(
      new RegExp(
        `^AWS_PROFILE=release npm run release -- --env ${env.name} --config \\S+ --artifact "release/app-\\$V.tgz" --version "\\$V"$`,
      ),
    );
  }
});

test('SDLC-2: every artifact store, in every region, is encrypted with a customer key of this project', () => {
  const stores = pipeline.ArtifactStores as Props[];
  const regions = [...new Set(config.environments.flatMap((e) => [e.region, e.drRegion]))].sort();
  expect(stores.map((s) => s.Region).sort()).toEqual(regions);
  for (const s of stores) {
    expect(s.ArtifactStore.EncryptionKey.Type).toBe('KMS');
    expect(JSON.stringify(s.ArtifactStore.EncryptionKey.Id)).toMatch(
      s.Region === pipelineConfig.region ? /ArtifactsKeyAlias/ : /alias\/acme-saas\/delivery\/artifacts/,
    );
  }
  const remote = stores.find((s) => s.Region !== pipelineConfig.region)!;
  expect(remote.ArtifactStore.Location).toBe(
    pipelineArtifactBucketName(application, pipelineConfig.account, remote.Region),
  );
});

test('the artifact buckets are SecureBuckets: KMS, versioned, logged, TLS-only and retained', () => {
  for (const d of synth.delivery()) {
    const buckets = resourcesOf(d.template, 'AWS::S3::Bucket');
    const artifacts = buckets.filter(([, b]) => (b.Properties as Props).LoggingConfiguration !== undefined);
    expect(artifacts).toHaveLength(1);
    for (const [, b] of buckets) {
      expect(b.DeletionPolicy).toBe('Retain');
      expect((b.Properties as Props).VersioningConfiguration).toEqual({ Status: 'Enabled' });
    }
    expect((artifacts[0][1].Properties as Props).BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual(
      expect.objectContaining({ ServerSideEncryptionByDefault: expect.objectContaining({ SSEAlgorithm: 'aws:kms' }) }),
    );
    for (const k of props(d.template, 'AWS::KMS::Key')) expect(k.EnableKeyRotation).toBe(true);
  }
});

test('IAM-2: the bucket policies that let the target accounts read artifacts name explicit actions', () => {
  for (const d of synth.delivery()) {
    const allowed = props(d.template, 'AWS::S3::BucketPolicy')
      .flatMap((p) => p.PolicyDocument.Statement as Props[])
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => [s.Action].flat() as string[]);
    expect(allowed).toContain('s3:GetObject');
    expect(allowed.filter((a) => a.includes('*'))).toEqual([]);
  }
});

test('every CodeBuild project encrypts with the artifact key, logs to the encrypted log group and is unprivileged', () => {
  const projects = props(stack.template, 'AWS::CodeBuild::Project');
  expect(projects.length).toBeGreaterThanOrEqual(3);
  const [group] = resourcesOf(stack.template, 'AWS::Logs::LogGroup');
  expect((group[1].Properties as Props).KmsKeyId).toBeDefined();
  for (const p of projects) {
    expect(JSON.stringify(p.EncryptionKey)).toMatch(/ArtifactsKeyAlias/);
    expect(p.LogsConfig.CloudWatchLogs).toEqual({ GroupName: { Ref: group[0] }, Status: 'ENABLED' });
    expect(p.Environment.PrivilegedMode).toBe(false);
  }
});

test('SDLC-1: the delivery stacks pass the four nag packs and ours; every acknowledgment there names a control', () => {
  const report = parseNagReport(JSON.parse(readFileSync(path.join(synth.outdir, 'validation-report.json'), 'utf8')));
  const onDelivery = (paths: readonly string[]) => paths.some((p) => p.startsWith(pipelineName(application)));
  const open = report.packs.flatMap((p) => p.violations.filter((v) => onDelivery(v.constructPaths)));
  expect(open).toEqual([]);
  const acknowledged = report.packs.flatMap((p) => p.acknowledged.filter((v) => onDelivery(v.constructPaths)));
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const a of acknowledged) expect(a.reason).toMatch(/^(IAM-2|SDLC-2|SDLC-1|DATA-\d): /);
  // aws-cdk-lib leaves a pack without findings out of the report; the four standard packs all have some.
  expect(report.packs.map((p) => p.pack)).toEqual(
    expect.arrayContaining(['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']),
  );
});

test('without a pipeline section there is no delivery stack', () => {
  const app = newTestApp();
  addEnvironments(app, { ...config, pipeline: undefined }, { nag: false });
  expect(app.node.children.filter((c) => c.node.id.includes('delivery'))).toEqual([]);
});

test('a configuration file outside the repository cannot drive a pipeline: the error names the file and the fix', () => {
  const outside = path.join(tempDir(), 'my.yaml');
  expect(() => addEnvironments(newTestApp(), config, { nag: false, configPath: outside })).toThrow(ConfigError);
  const app = newTestApp();
  expect(() => addEnvironments(app, config, { nag: false, configPath: outside })).toThrow(
    /pipeline: the configuration file is outside the repository .* commit the file there/,
  );
  // Refused before anything is built.
  expect(app.node.children).toEqual([]);
});

describe('SDLC-2 in the evidence report of the real synth', () => {
  /** Copies the synthesized assembly, edits the pipeline template, and reports on the copy. */
  function reportWith(edit: (stages: Props[]) => void, editTemplate?: (template: Props) => void) {
    const dir = tempDir();
    cpSync(synth.outdir, dir, { recursive: true });
    const file = path.join(dir, `${stack.stack.artifactId}.template.json`);
    const template = JSON.parse(readFileSync(file, 'utf8')) as Props;
    const [id] = Object.entries(template.Resources as Props).find(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline')!;
    edit(template.Resources[id].Properties.Stages as Props[]);
    editTemplate?.(template);
    writeFileSync(file, JSON.stringify(template));
    const out = tempDir();
    let stderr = '';
    const code = runEvidenceCli([dir, '--out', out], { stdout: () => undefined, stderr: (t) => (stderr += t) });
    const read = (env: string) => JSON.parse(readFileSync(path.join(out, `${env}.json`), 'utf8')) as EvidenceReport;
    return { code, stderr, read };
  }
  const sdlc2 = (r: EvidenceReport) => r.controls.find((c) => c.control === 'SDLC-2')!;

  test('as synthesized, SDLC-2 passes for every environment', () => {
    const { code, read } = reportWith(() => undefined);
    expect(code).toBe(0);
    for (const env of config.environments) expect([env.name, sdlc2(read(env.name)).status]).toEqual([env.name, 'PASS']);
  });

  test('the diagram shows the pipeline deploying each environment, and SDLC-4 hashes the delivery templates', () => {
    const { read } = reportWith(() => undefined);
    const prod = read('prod');
    expect(prod.diagram).toMatch(/Delivery pipeline acme-saas-delivery<br\/>stage 7 of 7/);
    expect(prod.diagram).toMatch(/-\.->\|deploys after manual approval\| /);
    expect(read('dev').diagram).toMatch(/-\.->\|deploys\| /);
    const hashed = prod.controls.find((c) => c.control === 'SDLC-4')!.evidence.map((e) => e.stack);
    expect(hashed).toEqual(expect.arrayContaining(synth.delivery().map((d) => d.stack.stackName)));
  });

  test('without the approval, production fails SDLC-2 and the report exits 1; test environments are unaffected', () => {
    const { code, stderr, read } = reportWith((s) => {
      for (const st of s) st.Actions = (st.Actions as Props[]).filter((a) => a.ActionTypeId.Category !== 'Approval');
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/production environment prod fails SDLC-2/);
    expect(sdlc2(read('prod')).problems.join('\n')).toMatch(/no approval before the deployment/);
    expect(sdlc2(read('dev')).status).toBe('PASS');
    expect(read('prod').diagram).not.toMatch(/deploys after manual approval/);
  });

  test('a build that skips the tests fails SDLC-2 everywhere', () => {
    const { read } = reportWith(
      // The synth action runs a copy of its project with npm test removed from the build spec.
      (s) =>
        ((s.find((st) => st.Name === 'Build')!.Actions as Props[])[0].Configuration.ProjectName = { Ref: 'NoTests' }),
      (template) => {
        const [synthAction] = actionsOf('Build');
        const project = structuredClone(template.Resources[synthAction.Configuration.ProjectName.Ref]) as Props;
        const spec = JSON.parse(project.Properties.Source.BuildSpec as string) as Props;
        spec.phases.build.commands = (spec.phases.build.commands as string[]).filter((c) => c !== 'npm test');
        project.Properties.Source.BuildSpec = JSON.stringify(spec);
        template.Resources.NoTests = project;
      },
    );
    for (const env of config.environments) {
      const r = sdlc2(read(env.name));
      expect([env.name, r.status]).toEqual([env.name, 'FAIL']);
      expect(r.problems.join('\n')).toMatch(/runs npm test and npm run synth/);
    }
  });
});
