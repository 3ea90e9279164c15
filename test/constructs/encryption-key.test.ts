import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENVELOPE_ACTIONS, EncryptionKey } from '../../lib/constructs/encryption-key';
import { newTestStack, TEST_ENV } from '../helpers/construct';

describe('EncryptionKey (DATA-6)', () => {
  const stack = newTestStack();
  const key = new EncryptionKey(stack, 'Objects', {
    dataClass: 'objects',
    description: 'test key',
    aliasName: 'alias/test/objects',
  });
  key.allowServiceToEncrypt('events.amazonaws.com');
  key.allowCloudWatchLogs();
  key.allowServiceLinkedRole('autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling');
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const grant = key.grantEnvelope(role);
  const t = Template.fromStack(stack);
  const statements = () =>
    Object.values(t.findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('rotates yearly, 30 days to cancel a deletion, kept when the stack goes', () => {
    t.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true, RotationPeriodInDays: 365, PendingWindowInDays: 30 },
      DeletionPolicy: 'Retain',
    });
    t.hasResource('AWS::KMS::Alias', { Properties: { AliasName: 'alias/test/objects' }, DeletionPolicy: 'Retain' });
  });

  test('a service may encrypt only for this account', () => {
    expect(statements()).toContainEqual(
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': TEST_ENV.account } },
      }),
    );
  });

  test("CloudWatch Logs may use it only for this account's log groups", () => {
    const st = statements().find((s) => s.Sid === 'AllowCloudWatchLogsOfThisAccount')!;
    expect(st.Principal).toEqual({ Service: `logs.${TEST_ENV.region}.amazonaws.com` });
    expect(JSON.stringify(st.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toContain(
      `:logs:${TEST_ENV.region}:${TEST_ENV.account}:log-group:*`,
    );
  });

  test('a service-linked role may create grants for AWS resources only', () => {
    expect(statements()).toContainEqual(
      expect.objectContaining({
        Sid: 'AllowAWSServiceRoleForAutoScalingToGrantForAwsResources',
        Action: 'kms:CreateGrant',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
      }),
    );
  });

  test('grantEnvelope gives decrypt and generate-data-key on this key only', () => {
    expect(grant.success).toBe(true);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: Match.arrayEquals([...ENVELOPE_ACTIONS]),
            Resource: stack.resolve(key.key.keyArn),
          },
        ],
      },
    });
  });
});
