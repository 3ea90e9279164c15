import { type FixtureEditor } from '../fixture';
import { failsExactly, changed, type Json } from './harness';

/** The checks of lib/compliance/checks/access.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'an administrator role without MFA',
    { 'IAM-1': 'FAIL' },
    (e) =>
      delete ((e.find('Audit', 'Admin').Properties.AssumeRolePolicyDocument as Json).Statement as Json[])[0].Condition,
  ],
  ['no auditor role', { 'IAM-1': 'FAIL' }, (e) => e.remove('Audit', 'Auditor')],
  [
    'a wildcard action on the instance role',
    { 'IAM-2': 'FAIL', 'IMM-6': 'FAIL' },
    (e) =>
      (e.find('App', 'RolePolicy').Properties.PolicyDocument = {
        Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::data/key' }],
      }),
  ],
  [
    'a wildcard resource nobody justified',
    { 'IAM-2': 'FAIL' },
    (e) =>
      (e.find('App', 'RolePolicy').Properties.PolicyDocument = {
        Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' }],
      }),
  ],
]);

describe('from the manifest and the trust policies', () => {
  test('IAM-3: production must not share its account with another environment', () => {
    expect(
      changed(undefined, { otherEnvironments: [{ name: 'staging', accounts: ['111111111111'], production: false }] }),
    ).toEqual({ 'IAM-3': 'FAIL' });
    // Two test environments may share an account.
    expect(
      changed(undefined, {
        production: false,
        otherEnvironments: [{ name: 'staging', accounts: ['111111111111'], production: false }],
      }),
    ).toEqual({});
  });

  test("IAM-1: a role only another account's pipeline roles may assume is a machine role; without that condition it needs MFA", () => {
    const role = (condition?: Record<string, unknown>) => (e: FixtureEditor) =>
      e.add('App', 'ReleaseRole', {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [
              {
                Effect: 'Allow',
                Action: 'sts:AssumeRole',
                Principal: { AWS: 'arn:aws:iam::999999999999:root' },
                ...(condition ? { Condition: condition } : {}),
              },
            ],
          },
        },
      });
    expect(changed(role({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:role/app-delivery-*' } }))).toEqual(
      {},
    );
    expect(changed(role())).toEqual({ 'IAM-1': 'FAIL' });
    expect(changed(role({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::999999999999:user/*' } }))).toEqual({
      'IAM-1': 'FAIL',
    });
  });
});
