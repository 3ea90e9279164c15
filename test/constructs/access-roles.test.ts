import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AccessRoles, MFA_MAX_AGE } from '../../lib/constructs/access-roles';
import { newTestStack, testKey } from '../helpers/construct';

const ADMINS = ['arn:aws:iam::222222222222:role/Admins'];
const AUDITORS = ['arn:aws:iam::222222222222:role/Auditors', 'arn:aws:iam::222222222222:user/alice'];

describe('AccessRoles (IAM-1)', () => {
  const stack = newTestStack();
  const key = testKey(stack);
  new AccessRoles(stack, 'Access', {
    adminPrincipals: ADMINS,
    auditorPrincipals: AUDITORS,
    maxSession: Duration.hours(2),
    auditorReadableKeys: [key],
  });
  const t = Template.fromStack(stack);
  const mfa = {
    Bool: { 'aws:MultiFactorAuthPresent': 'true' },
    NumericLessThan: { 'aws:MultiFactorAuthAge': String(MFA_MAX_AGE.toSeconds()) },
  };

  test.each([
    ['Administrators', ADMINS],
    ['Auditors', AUDITORS],
  ])('%s: only the named principals, each with MFA of the last hour, sessions as configured', (who, principals) => {
    const statements = [
      Match.objectLike({
        Effect: 'Allow',
        Principal: { AWS: principals.length === 1 ? principals[0] : principals },
        Condition: mfa,
      }),
    ];
    t.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp(`^${who}`),
      MaxSessionDuration: 7200,
      AssumeRolePolicyDocument: { Statement: statements },
    });
  });

  test('no statement of either trust policy goes without the MFA condition', () => {
    for (const role of Object.values(t.findResources('AWS::IAM::Role')))
      for (const st of role.Properties.AssumeRolePolicyDocument.Statement) expect(st.Condition).toEqual(mfa);
  });

  test('auditors get SecurityAudit and ReadOnlyAccess, and decrypt only the keys named', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('^Auditors'),
      ManagedPolicyArns: [
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('policy/SecurityAudit$')])] }),
        Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('policy/ReadOnlyAccess$')])] }),
      ],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: stack.resolve(key.keyArn) }],
      },
    });
  });
});
