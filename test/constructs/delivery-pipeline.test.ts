import { Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CDK_CLI_VERSION, DeliveryPipeline } from '../../lib/constructs/delivery-pipeline';
import { newTestApp } from '../helpers/app';
import { TEST_ENV } from '../helpers/construct';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/test';
const TARGET = { account: '222222222222', region: TEST_ENV.region };

describe('DeliveryPipeline (SDLC-2)', () => {
  const app = newTestApp();
  const stack = new Stack(app, 'Delivery', { env: TEST_ENV });
  const key = new kms.Key(stack, 'ArtifactsKey', { enableKeyRotation: true });
  const topic = new sns.Topic(stack, 'Topic');
  const buildLogGroup = new logs.LogGroup(stack, 'BuildLogs', { encryptionKey: key });
  const environments = (['dev', 'prod'] as const).map((name) => {
    const stage = new Stage(app, name, { env: TARGET });
    new sns.Topic(new Stack(stage, 'Workload'), 'T');
    return { stage, production: name === 'prod', releaseRoleArn: `arn:aws:iam::222222222222:role/release-${name}` };
  });
  new DeliveryPipeline(stack, 'Pipeline', {
    pipelineName: 'test-delivery',
    source: { connectionArn: CONNECTION, repository: 'acme/saas', branch: 'main' },
    configPath: 'config/demo.yaml',
    artifactBucket: new s3.Bucket(stack, 'Artifacts', { encryptionKey: key }),
    regionalArtifactBuckets: {},
    environments,
    notificationTopic: topic,
    buildLogGroup,
  });
  const t = Template.fromStack(stack);
  const [pipeline] = Object.values(t.findResources('AWS::CodePipeline::Pipeline'));
  const stages = pipeline.Properties.Stages as { Name: string; Actions: Record<string, any>[] }[]; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('source, build, self-update, then the environments in order (no assets in these stages)', () => {
    expect(stages.map((s) => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'dev', 'prod']);
  });

  test('production waits for a manual approval that notifies the topic; the test environment does not', () => {
    const approvals = (name: string) =>
      stages.find((s) => s.Name === name)!.Actions.filter((a) => a.ActionTypeId.Category === 'Approval');
    expect(approvals('dev')).toEqual([]);
    expect(approvals('prod')).toEqual([
      expect.objectContaining({
        Configuration: expect.objectContaining({ NotificationArn: stack.resolve(topic.topicArn) }),
      }),
    ]);
  });

  test('the build runs the tests, the dependency gate and the synth of the configuration', () => {
    const build = Object.values(t.findResources('AWS::CodeBuild::Project')).find((p) =>
      String(p.Properties.Source.BuildSpec).includes('npm run synth'),
    )!;
    const spec = JSON.parse(build.Properties.Source.BuildSpec);
    expect(spec.phases.build.commands).toEqual(
      expect.arrayContaining(['npm test', 'npm run audit:deps', 'npm run synth -- -c config=config/demo.yaml']),
    );
  });

  test('every CodeBuild project is unprivileged and logs to the log group given', () => {
    const projects = Object.values(t.findResources('AWS::CodeBuild::Project'));
    expect(projects.length).toBeGreaterThanOrEqual(3);
    for (const p of projects) {
      expect(p.Properties.Environment.PrivilegedMode).toBe(false);
      expect(p.Properties.LogsConfig.CloudWatchLogs).toEqual({
        GroupName: stack.resolve(buildLogGroup.logGroupName),
        Status: 'ENABLED',
      });
    }
  });

  test('the pipeline updates itself with the pinned CLI, and the source may use only the connection given', () => {
    expect(JSON.stringify(t.toJSON())).toContain(`aws-cdk@${CDK_CLI_VERSION}`);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['codeconnections:UseConnection', 'codestar-connections:UseConnection'],
            Resource: CONNECTION,
          }),
        ]),
      },
    });
  });

  test('after its stacks, each environment gets the release through its release role only', () => {
    for (const { stage, releaseRoleArn } of environments) {
      const actions = stages.find((s) => s.Name === stage.stageName)!.Actions.map((a) => a.Name as string);
      expect(actions).toContain(`Release-${stage.stageName}`);
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRole', Resource: releaseRoleArn })]),
        },
      });
    }
  });
});
