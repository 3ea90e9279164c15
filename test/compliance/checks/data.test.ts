import { ENV, type FixtureEditor } from '../fixture';
import { failsExactly, changed, type Json } from './harness';

/** The checks of lib/compliance/checks/data.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'rds.force_ssl=0',
    { 'DATA-1': 'FAIL' },
    (e) => ((e.find('Data', 'Pg').Properties.Parameters as Json)['rds.force_ssl'] = '0'),
  ],
  ['single-AZ in production', { 'DATA-1': 'FAIL' }, (e) => (e.find('Data', 'Db').Properties.MultiAZ = false)],
  [
    'three days of point-in-time recovery',
    { 'DATA-1': 'FAIL' },
    (e) => (e.find('Data', 'Db').Properties.BackupRetentionPeriod = 3),
  ],
  [
    'no deletion protection',
    { 'DATA-1': 'FAIL', 'DATA-7': 'FAIL' },
    (e) => (e.find('Data', 'Db').Properties.DeletionProtection = false),
  ],
  [
    'a bucket without versioning',
    { 'DATA-2': 'FAIL' },
    (e) => (e.find('DisasterRecovery', 'Replica').Properties.VersioningConfiguration = { Status: 'Suspended' }),
  ],
  [
    'a bucket without its TLS-only policy (the data bucket: its tenant-prefix Deny goes with it)',
    { 'DATA-2': 'FAIL', 'DATA-9': 'FAIL' },
    (e) => e.remove('Data', 'DataBucketPolicy'),
  ],
  [
    'a key that never rotates',
    { 'DATA-6': 'FAIL' },
    (e) => (e.find('Data', 'DbKey').Properties.EnableKeyRotation = false),
  ],
  [
    'the vault shares the database key',
    { 'DATA-6': 'FAIL' },
    (e) => (e.find('Data', 'Vault').Properties.EncryptionKeyArn = { 'Fn::GetAtt': ['DbKey', 'Arn'] }),
  ],
  [
    'a bucket deleted with its stack',
    { 'DATA-7': 'FAIL' },
    (e) => Object.assign(e.find('Data', 'DataBucket'), { DeletionPolicy: 'Delete' }),
  ],
  [
    'a production stack without termination protection',
    { 'DATA-7': 'FAIL' },
    (e) => (e.stack('Data').terminationProtection = false),
  ],
  [
    'a resource without the owner tag',
    { 'DATA-8': 'FAIL' },
    (e) =>
      (e.find('Ingress', 'Alb').Properties.Tags = [
        { Key: 'application', Value: 'app' },
        { Key: 'environment', Value: ENV },
        { Key: 'data-classification', Value: 'internal' },
      ]),
  ],
]);

describe('customer data buckets', () => {
  test('DATA-2: a data bucket without the signature-age limit fails', () => {
    const edit = (e: FixtureEditor) => {
      const doc = e.find('Data', 'DataBucketPolicy').Properties.PolicyDocument as { Statement: unknown[] };
      doc.Statement = doc.Statement.filter((x) => !JSON.stringify(x).includes('signatureAge'));
    };
    expect(changed(edit)).toEqual({ 'DATA-2': 'FAIL' });
  });
});
