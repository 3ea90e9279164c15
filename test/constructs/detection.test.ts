import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { MANAGED_SERVICES } from '../../lib/config/schema';
import {
  CONFIG_RULES,
  Detection,
  GUARDDUTY_FEATURES,
  INSPECTOR_RESOURCE_TYPES,
  SECURITY_HUB_STANDARDS,
} from '../../lib/constructs/detection';
import { newTestStack, TEST_ENV, testKey } from '../helpers/construct';

function detection(manage: (typeof MANAGED_SERVICES)[number][]) {
  const stack = newTestStack();
  const configKey = testKey(stack, 'ConfigKey');
  new Detection(stack, 'Detection', {
    manage,
    configKey,
    accessLogBucket: new s3.Bucket(stack, 'AccessLogs'),
    logKey: testKey(stack, 'LogKey'),
  });
  return { stack, configKey, t: Template.fromStack(stack) };
}

describe('Detection (LOG-5)', () => {
  const { stack, configKey, t } = detection(['guardduty', 'securityhub', 'config', 'inspector']);

  test('GuardDuty on, with every protection feature', () => {
    t.hasResourceProperties('AWS::GuardDuty::Detector', {
      Enable: true,
      Features: GUARDDUTY_FEATURES.map((Name) => Match.objectLike({ Name, Status: 'ENABLED' })),
    });
  });

  test('Security Hub with the standards named, not the defaults', () => {
    t.hasResourceProperties('AWS::SecurityHub::Hub', { EnableDefaultStandards: false });
    const arns = Object.values(t.findResources('AWS::SecurityHub::Standard')).map((s) =>
      JSON.stringify(s.Properties.StandardsArn),
    );
    expect(arns).toHaveLength(SECURITY_HUB_STANDARDS.length);
    for (const s of SECURITY_HUB_STANDARDS) expect(arns.some((a) => a.includes(s))).toBe(true);
  });

  test('Inspector scans EC2 and ECR of this account', () => {
    const [call] = Object.values(t.findResources('Custom::AWS')).map((r) => JSON.parse(r.Properties.Create));
    expect(call).toMatchObject({
      service: 'Inspector2',
      action: 'enable',
      parameters: { accountIds: [TEST_ENV.account], resourceTypes: [...INSPECTOR_RESOURCE_TYPES] },
    });
  });

  test('Config records everything, delivers under the customer key, and runs every managed rule', () => {
    t.hasResourceProperties('AWS::Config::ConfigurationRecorder', {
      RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true },
    });
    t.hasResourceProperties('AWS::Config::DeliveryChannel', { S3KmsKeyArn: stack.resolve(configKey.keyArn) });
    const rules = Object.values(t.findResources('AWS::Config::ConfigRule')).map(
      (r) => r.Properties.Source.SourceIdentifier,
    );
    expect(rules.sort()).toEqual(Object.keys(CONFIG_RULES).sort());
  });

  test('a service this environment does not own is left alone', () => {
    const none = detection([]).t;
    for (const type of [
      'AWS::GuardDuty::Detector',
      'AWS::SecurityHub::Hub',
      'AWS::Config::ConfigurationRecorder',
      'Custom::AWS',
    ])
      none.resourceCountIs(type, 0);
  });
});
