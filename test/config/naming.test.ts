import {
  dataBucketName,
  drBackupVaultName,
  drReplicaBucketName,
  releaseBucketName,
  sessionTranscriptBucketName,
} from '../../lib/config/naming';
import { accessPrincipalProblem } from '../../lib/config/access-principals';

describe('nameSuffix (redeploying a torn-down environment)', () => {
  test('without a suffix the fixed names are the ones deployed environments already have', () => {
    expect(dataBucketName('acme-saas', 'dev', '111111111111', 'eu-west-1')).toBe(
      'acme-saas-dev-111111111111-eu-west-1-data',
    );
    expect(sessionTranscriptBucketName('acme-saas', 'dev', '111111111111', 'eu-west-1')).toBe(
      'acme-saas-dev-111111111111-eu-west-1-sessions',
    );
    expect(drReplicaBucketName('acme-saas', 'dev', '111111111111')).toBe('acme-saas-dev-111111111111-dr');
    expect(drBackupVaultName('acme-saas', 'dev')).toBe('acme-saas-dev-dr');
    expect(releaseBucketName('acme-saas', 'dev', '111111111111', 'eu-west-1')).toBe(
      'acme-saas-dev-111111111111-eu-west-1-releases',
    );
  });

  test('a suffix gives every global or surviving name a new value', () => {
    expect(dataBucketName('acme-saas', 'dev', '111111111111', 'eu-west-1', 'r2')).toBe(
      'acme-saas-dev-r2-111111111111-eu-west-1-data',
    );
    expect(sessionTranscriptBucketName('acme-saas', 'dev', '111111111111', 'eu-west-1', 'r2')).toBe(
      'acme-saas-dev-r2-111111111111-eu-west-1-sessions',
    );
    expect(drReplicaBucketName('acme-saas', 'dev', '111111111111', 'r2')).toBe('acme-saas-dev-r2-111111111111-dr');
    expect(drBackupVaultName('acme-saas', 'dev', 'r2')).toBe('acme-saas-dev-r2-dr');
    expect(releaseBucketName('acme-saas', 'dev', '111111111111', 'eu-west-1', 'r2')).toBe(
      'acme-saas-dev-r2-111111111111-eu-west-1-releases',
    );
  });
});

describe('principals of the MFA-guarded roles', () => {
  test('IAM users and accounts are allowed', () => {
    expect(accessPrincipalProblem('arn:aws:iam::111111111111:user/alice')).toBeUndefined();
    expect(accessPrincipalProblem('arn:aws:iam::111111111111:root')).toBeUndefined();
  });

  test('roles, Identity Center ones above all, are refused with the reason', () => {
    expect(
      accessPrincipalProblem('arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_1'),
    ).toMatch(/Identity Center permission-set role/);
    expect(accessPrincipalProblem('arn:aws:iam::111111111111:role/platform-admins')).toMatch(
      /is a role: .*never carry it/,
    );
  });
});
