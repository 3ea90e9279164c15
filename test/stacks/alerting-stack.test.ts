import { Match, type Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config/load';
import { only, props, type Props, resourcesOf, synthTemplates, type SynthesizedTemplates } from '../helpers/app';

const config = loadConfig();
let synth: SynthesizedTemplates;
beforeAll(() => {
  synth = synthTemplates(config, { nag: false });
});

describe.each(config.environments.map((e) => [e.name, e] as const))('alerting of %s', (name, env) => {
  let t: Template;
  beforeAll(() => {
    t = synth.template(name, 'Alerting');
  });

  test('LOG-4/DATA-6: one alarm topic, encrypted with the rotating alerts key of this stack', () => {
    const [[keyId, key]] = resourcesOf(t, 'AWS::KMS::Key');
    expect(key.Properties).toMatchObject({ EnableKeyRotation: true });
    expect(only(t, 'AWS::SNS::Topic').KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('LOG-4: every configured address subscribes by email', () => {
    const subscriptions = props(t, 'AWS::SNS::Subscription');
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint]).sort()).toEqual(
      env.alarmEmails.map((e) => ['email', e]).sort(),
    );
  });

  test('the topic takes publications over TLS only, from alarms and events of this account', () => {
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: Match.arrayWith(['events.amazonaws.com', 'cloudwatch.amazonaws.com'].sort()) },
            Condition: { StringEquals: { 'aws:SourceAccount': env.account } },
          }),
        ]),
      },
    });
  });

  test('EventBridge and CloudWatch may encrypt with the alerts key, for this account only', () => {
    const [[, key]] = resourcesOf(t, 'AWS::KMS::Key');
    const statements = (key.Properties as Props).KeyPolicy.Statement as Props[];
    for (const service of ['events', 'cloudwatch']) {
      const st = statements.find((s) => s.Principal?.Service === `${service}.amazonaws.com`)!;
      expect(st).toMatchObject({
        Effect: 'Allow',
        Condition: { StringEquals: { 'aws:SourceAccount': env.account } },
      });
      expect([st.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    }
  });
});
