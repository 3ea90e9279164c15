/**
 * SDLC-2 on a small hand-written pipeline template (not a synth): the
 * untouched pipeline passes, and each property the control depends on fails
 * it when broken.
 */
import { cdkDeployTargets, checkSdlc2, runsCommand } from '../../../lib/compliance/checks/delivery';
import type { CheckContext, StackTemplate } from '../../../lib/compliance/checks/types';
import { context } from '../fixture';

type Json = Record<string, unknown>;

const base = context();
const prodStacks = base.stacks.map((s) => s.stackName);
const devStacks = ['dev-App', 'dev-Data'];

const buildSpec = (commands: string[], secondary: Json = { Out: { 'base-directory': 'cdk.out' } }) =>
  JSON.stringify({
    version: '0.2',
    phases: { install: { commands: ['npm ci'] }, build: { commands } },
    artifacts: { 'secondary-artifacts': secondary },
  });

/** As CDK Pipelines writes it: a change set from the synth output, then its execution. */
const deploy = (stackName: string, runOrder: number) => [
  {
    Name: `${stackName}.Prepare`,
    ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' },
    Configuration: {
      StackName: stackName,
      ActionMode: 'CHANGE_SET_REPLACE',
      ChangeSetName: 'PipelineChange',
      TemplatePath: `Synth_Output::${stackName}.template.json`,
    },
    RunOrder: runOrder,
  },
  {
    Name: `${stackName}.Deploy`,
    ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' },
    Configuration: { StackName: stackName, ActionMode: 'CHANGE_SET_EXECUTE', ChangeSetName: 'PipelineChange' },
    RunOrder: runOrder + 1,
  },
];
const approval = (runOrder: number) => ({
  Name: 'Approve-prod',
  ActionTypeId: { Category: 'Approval', Provider: 'Manual' },
  RunOrder: runOrder,
});
const build = (name: string, project: string, outputs: string[] = []) => ({
  Name: name,
  ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' },
  Configuration: { ProjectName: { Ref: project } },
  OutputArtifacts: outputs.map((Name) => ({ Name })),
  RunOrder: 1,
});

/** A pipeline meeting SDLC-2: source, synth (tests, synth, evidence), self-update, dev, then prod after approval. */
function pipelineTemplate(): Json {
  return {
    Resources: {
      Pipeline: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: {
          ArtifactStores: [
            {
              Region: 'eu-west-1',
              ArtifactStore: { Type: 'S3', EncryptionKey: { Type: 'KMS', Id: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
            },
          ],
          Stages: [
            {
              Name: 'Source',
              Actions: [
                {
                  Name: 'repo',
                  ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' },
                  Configuration: { FullRepositoryId: 'acme/app', BranchName: 'main' },
                },
              ],
            },
            { Name: 'Build', Actions: [build('Synth', 'SynthProject', ['Synth_Output', 'Synth_Evidence'])] },
            { Name: 'UpdatePipeline', Actions: [build('SelfMutate', 'SelfProject')] },
            { Name: 'dev', Actions: devStacks.flatMap((n) => deploy(n, 1)) },
            { Name: 'prod', Actions: [approval(1), ...prodStacks.flatMap((n) => deploy(n, 2))] },
          ],
        },
      },
      SynthProject: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Source: {
            Type: 'CODEPIPELINE',
            BuildSpec: buildSpec(['npm test', 'npm run synth'], {
              Out: { 'base-directory': 'cdk.out' },
              Evidence: { 'base-directory': 'cdk.out/evidence' },
            }),
          },
        },
      },
      SelfProject: {
        Type: 'AWS::CodeBuild::Project',
        Properties: { Source: { Type: 'CODEPIPELINE', BuildSpec: buildSpec(['cdk -a . deploy delivery']) } },
      },
    },
  };
}

interface Pipeline {
  Resources: {
    Pipeline: { Properties: { ArtifactStores: Json[]; Stages: { Name: string; Actions: Json[] }[] } };
    SynthProject: { Properties: { Source: { BuildSpec: string } } };
    SelfProject: { Properties: { Source: { BuildSpec: string } } };
  };
}

function run(edit?: (t: Pipeline) => void, options: Partial<CheckContext> = {}) {
  const template = pipelineTemplate() as unknown as Pipeline;
  edit?.(template);
  const delivery: StackTemplate = { stackName: 'delivery', template: template as never };
  return checkSdlc2({
    ...base,
    delivery: [delivery],
    otherEnvironments: [{ name: 'dev', accounts: ['222222222222'], production: false, stackNames: devStacks }],
    ...options,
  });
}
const stage = (t: Pipeline, name: string) => t.Resources.Pipeline.Properties.Stages.find((s) => s.Name === name)!;

test('a pipeline that builds, tests, publishes the evidence and deploys prod after dev and an approval passes', () => {
  const r = run();
  expect([r.status, r.problems]).toEqual(['PASS', []]);
  expect(r.evidence.map((e) => e.expected)).toEqual([
    'a source action reading the repository (CodeStarSourceConnection, CodeCommit, GitHub)',
    'a customer-managed KMS key',
    'a build step before the deployment that runs npm test and npm run synth',
    'the evidence report published as a build artifact',
    'a step that updates the pipeline itself (cdk deploy delivery) before the environments',
    "every stack of prod deployed by the pipeline from the synth step's templates",
    'production deployed after every test environment',
    'a manual approval before the first production deployment action',
  ]);
});

test('without a pipeline that deploys the environment, SDLC-2 is not implemented (never PASS)', () => {
  expect(checkSdlc2({ ...base, delivery: [] }).status).toBe('NOT_IMPLEMENTED');
  const other = run((t) => {
    stage(t, 'prod').Actions = [];
  });
  expect(other.status).toBe('NOT_IMPLEMENTED');
});

describe('each broken property fails SDLC-2', () => {
  test.each<[string, (t: Pipeline) => void, RegExp]>([
    [
      'no manual approval before production',
      (t) => (stage(t, 'prod').Actions = stage(t, 'prod').Actions.filter((a) => a.Name !== 'Approve-prod')),
      /no approval before the deployment/,
    ],
    [
      'the approval runs alongside the first deployment',
      (t) => ((stage(t, 'prod').Actions[0] as Json).RunOrder = 2),
      /no approval before the deployment/,
    ],
    [
      'the build does not run the tests',
      (t) => (t.Resources.SynthProject.Properties.Source.BuildSpec = buildSpec(['npm run synth'])),
      /runs npm test and npm run synth/,
    ],
    [
      'the evidence report is not an artifact',
      (t) => (t.Resources.SynthProject.Properties.Source.BuildSpec = buildSpec(['npm test', 'npm run synth'])),
      /evidence report published/,
    ],
    [
      'artifacts under the AWS-managed key',
      (t) =>
        ((t.Resources.Pipeline.Properties.ArtifactStores[0].ArtifactStore as Json).EncryptionKey = {
          Type: 'KMS',
          Id: 'arn:aws:kms:eu-west-1:999999999999:alias/aws/s3',
        }),
      /customer-managed KMS key/,
    ],
    [
      'artifacts without a key',
      (t) => delete (t.Resources.Pipeline.Properties.ArtifactStores[0].ArtifactStore as Json).EncryptionKey,
      /customer-managed KMS key/,
    ],
    [
      'no self-update step',
      (t) => (t.Resources.SelfProject.Properties.Source.BuildSpec = buildSpec(['echo hi'])),
      /updates the pipeline itself/,
    ],
    [
      'a stack of the environment is not deployed',
      (t) => (stage(t, 'prod').Actions = stage(t, 'prod').Actions.filter((a) => !/-Data\./.test(String(a.Name)))),
      /missing prod-Data/,
    ],
    [
      'production before the test environment',
      (t) => {
        const stages = t.Resources.Pipeline.Properties.Stages;
        const [dev, prod] = [stages[3], stages[4]];
        stages[3] = prod;
        stages[4] = dev;
      },
      /production deployed after every test environment/,
    ],
    [
      'the tests hidden behind || true',
      (t) => (t.Resources.SynthProject.Properties.Source.BuildSpec = buildSpec(['npm test || true', 'npm run synth'])),
      /runs npm test and npm run synth/,
    ],
    [
      'change sets created but never executed',
      (t) => {
        for (const a of stage(t, 'prod').Actions)
          if ((a.Configuration as Json | undefined)?.ActionMode)
            (a.Configuration as Json).ActionMode = 'CHANGE_SET_REPLACE';
      },
      /missing prod-/,
    ],
    [
      'a build step that deploys everything before the approval',
      (t) => (t.Resources.SelfProject.Properties.Source.BuildSpec = buildSpec(['cdk -a . deploy --all'])),
      /cdk -a \. deploy --all; expected no build step deploys stacks other than the pipeline itself/,
    ],
    [
      'the test environment deployed in the production stage',
      (t) => {
        stage(t, 'prod').Actions.push(...stage(t, 'dev').Actions);
        stage(t, 'dev').Actions = [];
      },
      /production deployed after every test environment/,
    ],
    [
      'a source that is not a repository',
      (t) =>
        (t.Resources.Pipeline.Properties.Stages[0].Actions[0].ActionTypeId = { Category: 'Source', Provider: 'S3' }),
      /a source action reading the repository/,
    ],
    [
      'a build step inside the production stage, before the approval, deploys production',
      (t) => {
        stage(t, 'prod').Actions.unshift({ ...build('Sneak', 'SneakProject'), RunOrder: 1 });
        (t.Resources as unknown as Json).SneakProject = {
          Type: 'AWS::CodeBuild::Project',
          Properties: { Source: { Type: 'CODEPIPELINE', BuildSpec: buildSpec(['npx cdk deploy "prod/*"']) } },
        };
      },
      /npx cdk deploy "prod\/\*"; expected no build step deploys stacks other than the pipeline itself/,
    ],
    [
      'a build step that deploys with the CloudFormation CLI',
      (t) =>
        (t.Resources.SelfProject.Properties.Source.BuildSpec = buildSpec([
          'cdk -a . deploy delivery',
          'aws cloudformation deploy --stack-name prod-App --template-file x.json',
        ])),
      /aws cloudformation deploy --stack-name prod-App .*no build step deploys stacks other than the pipeline itself/,
    ],
    [
      'a stack of the test environment deployed after production',
      (t) => {
        const late = stage(t, 'dev').Actions.filter((a) => String(a.Name).startsWith('dev-Data'));
        stage(t, 'dev').Actions = stage(t, 'dev').Actions.filter((a) => !late.includes(a));
        t.Resources.Pipeline.Properties.Stages.push({ Name: 'after', Actions: late });
      },
      /test environments up to stages dev:6; expected production deployed after every test environment/,
    ],
    [
      'tests that select nothing',
      (t) =>
        (t.Resources.SynthProject.Properties.Source.BuildSpec = buildSpec([
          'npm test -- --testPathPattern=NONE --passWithNoTests',
          'npm run synth',
        ])),
      /runs npm test and npm run synth/,
    ],
    [
      'production deployed from a template the synth step did not build',
      (t) => {
        for (const a of stage(t, 'prod').Actions) {
          const config = a.Configuration as Json | undefined;
          if (config?.TemplatePath) config.TemplatePath = String(config.TemplatePath).replace('Synth_Output', 'Source');
        }
      },
      /missing prod-.*from the synth step's templates/,
    ],
    [
      'a stack deployed directly (CREATE_UPDATE) from the source artifact',
      (t) =>
        (stage(t, 'prod').Actions = [
          ...stage(t, 'prod').Actions.filter((a) => !String(a.Name).startsWith('prod-App')),
          {
            Name: 'prod-App.Direct',
            ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' },
            Configuration: { StackName: 'prod-App', ActionMode: 'CREATE_UPDATE', TemplatePath: 'Source::app.json' },
            RunOrder: 2,
          },
        ]),
      /missing prod-App/,
    ],
    ['no source stage', (t) => (t.Resources.Pipeline.Properties.Stages[0].Actions = []), /a source action/],
  ])('%s', (_what, edit, problem) => {
    const r = run(edit);
    expect(r.status).toBe('FAIL');
    expect(r.problems.join('\n')).toMatch(problem);
  });
});

test('a test environment the pipeline does not deploy puts production out of order', () => {
  const r = run((t) => (stage(t, 'dev').Actions = []));
  expect(r.status).toBe('FAIL');
  expect(r.problems.join('\n')).toMatch(
    /test environments up to stages dev:0.*production deployed after every test environment/,
  );
});

test('the command matching is exact: arguments after -- are fine, shell tricks are not', () => {
  expect(runsCommand('npm run synth -- -c config=a.yaml', 'npm run synth')).toBe(true);
  expect(runsCommand('npm test', 'npm test')).toBe(true);
  expect(runsCommand('npm run synth', 'npm run synth')).toBe(true);
  for (const cmd of [
    'npm test || true',
    'npm test; true',
    'echo npm test',
    'npm run synth-fast',
    'npm test | tee x',
    'npm test -- --passWithNoTests',
    'npm test -- x\nexit 0',
    'npm run synth -- -c config=a.yaml && exit 0',
  ])
    expect([cmd, runsCommand(cmd, cmd.includes('synth') ? 'npm run synth' : 'npm test')]).toEqual([cmd, false]);
  expect(cdkDeployTargets('cdk -a . deploy delivery --require-approval=never')).toEqual(['delivery']);
  expect(cdkDeployTargets('npx cdk deploy --all')).toEqual(['*']);
  expect(cdkDeployTargets('npx aws-cdk@2 deploy')).toEqual(['*']);
  expect(cdkDeployTargets('aws cloudformation execute-change-set --change-set-name x')).toEqual(['*']);
  expect(cdkDeployTargets('aws cloudformation describe-stacks')).toBeUndefined();
  expect(cdkDeployTargets('npm run synth')).toBeUndefined();
});

test('a test environment needs no approval', () => {
  const r = run((t) => (stage(t, 'prod').Actions = stage(t, 'prod').Actions.filter((a) => a.Name !== 'Approve-prod')), {
    production: false,
    otherEnvironments: [],
  });
  expect([r.status, r.problems]).toEqual(['PASS', []]);
  expect(r.evidence.map((e) => e.expected)).not.toContain(
    'a manual approval before the first production deployment action',
  );
});
