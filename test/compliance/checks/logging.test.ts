import { failsExactly, changed, type Json } from './harness';

/** The checks of lib/compliance/checks/logging.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'the trail without log-file validation',
    { 'LOG-1': 'FAIL' },
    (e) => (e.find('Audit', 'Trail').Properties.EnableLogFileValidation = false),
  ],
  [
    'the trail bucket in governance mode in production',
    { 'LOG-1': 'FAIL' },
    (e) =>
      ((e.find('Audit', 'TrailBucket').Properties.ObjectLockConfiguration as Json).Rule = {
        DefaultRetention: { Mode: 'GOVERNANCE', Days: 1827 },
      }),
  ],
  [
    'S3 access logs never purged',
    { 'LOG-2': 'FAIL' },
    (e) => delete e.find('Ingress', 'AccessLogs').Properties.LifecycleConfiguration,
  ],
  ['no group for the fleet application logs', { 'LOG-3': 'FAIL' }, (e) => e.remove('App', 'FleetApp')],
  [
    'a log group kept 30 days',
    { 'LOG-3': 'FAIL' },
    (e) => (e.find('App', 'FleetSystem').Properties.RetentionInDays = 30),
  ],
  [
    'an alarm that notifies nobody',
    { 'LOG-4': 'FAIL' },
    (e) => (e.find('Ingress', 'Unhealthy').Properties.AlarmActions = []),
  ],
  ['no alarm on root account use', { 'LOG-4': 'FAIL' }, (e) => e.remove('Audit', 'Filter0')],
  [
    'an unencrypted alarm topic',
    { 'LOG-4': 'FAIL' },
    (e) => delete e.find('Alerting', 'Topic').Properties.KmsMasterKeyId,
  ],
  ['GuardDuty disabled', { 'LOG-5': 'FAIL' }, (e) => (e.find('Audit', 'GuardDuty').Properties.Enable = false)],
  ['no CIS standard', { 'LOG-5': 'FAIL' }, (e) => e.remove('Audit', 'Cis')],
  [
    'session transcripts unencrypted',
    { 'LOG-6': 'FAIL' },
    (e) => (((e.find('Audit', 'SessionPrefs').Properties.Content as Json).inputs as Json).s3EncryptionEnabled = false),
  ],
]);

describe('controls the templates cannot show are never PASS', () => {
  test('without the account trail (owned by another environment of the account), LOG-1 and LOG-4 need a manual check', () => {
    expect(changed((e) => e.remove('Audit', 'Trail'))).toEqual({ 'LOG-1': 'MANUAL', 'LOG-4': 'MANUAL' });
  });

  test('detection services enabled elsewhere and account-wide Session Manager preferences are MANUAL', () => {
    expect(
      changed((e) => ['GuardDuty', 'Hub', 'Fsbp', 'Cis', 'Recorder', 'Channel'].forEach((id) => e.remove('Audit', id))),
    ).toEqual({ 'LOG-5': 'MANUAL' });
    expect(changed((e) => e.remove('Audit', 'SessionPrefs'))).toEqual({ 'LOG-6': 'MANUAL' });
  });
});
