import { runChecks } from '../../../lib/compliance/checks';
import { DEMO_CONFIG_PATH, loadConfig } from '../../../lib/config/load';
import { APP_ENV, type AppEnvName, renderBootScript } from '../../../lib/release/contract';
import { erasureBound, erasureBoundDays } from '../../../lib/tenant/bound';
import { context } from '../fixture';
import { failsExactly } from './harness';

type Json = Record<string, unknown>;
const env = Object.fromEntries(Object.keys(APP_ENV).map((k) => [k, `v-${k}`])) as Record<AppEnvName, string>;
const boot = renderBootScript('1.0.0 ' + 'a'.repeat(64), { releaseBucket: 'b', region: 'eu-west-1', env });

const status = (userData: string, control: 'DATA-9' = 'DATA-9') =>
  runChecks(
    context((e) => {
      ((e.find('App', 'Lt').Properties as Json).LaunchTemplateData as Json).UserData = { 'Fn::Base64': userData };
    }),
  ).find((r) => r.control === control)!;

describe('DATA-9 and the release boot script', () => {
  test("the contract's boot script runs migrate.js before the service: PASS", () => {
    const r = status(boot);
    expect(r.status).toBe('PASS');
    expect(r.evidence.find((e) => e.path === 'Properties.LaunchTemplateData.UserData')?.value).toBe(
      'runs migrate.js before the service',
    );
  });

  test('the same script without the migration step: FAIL', () => {
    const r = status(boot.replace(/if \[ -f "\$dir\/migrate.js" \][\s\S]*?\nfi\n/, ''));
    expect(r.status).toBe('FAIL');
    expect(r.summary).toMatch(/no migrate.js step/);
  });
});

describe('the erasure bound of the demo configuration', () => {
  const environments = loadConfig(DEMO_CONFIG_PATH).environments;
  const prod = environments.find((e) => e.name === 'prod')!;

  test('production: the last backup expires by 366 days, the last DR copy by 367 days after the erasure', () => {
    const at = new Date('2026-12-01T12:00:00Z');
    const b = erasureBound(prod, at);
    expect(b.lastBackupExpires.toISOString()).toBe('2027-12-02T00:00:00.000Z');
    expect(b.lastReplicaExpires.toISOString()).toBe('2027-12-03T00:00:00.000Z');
    expect(erasureBoundDays(prod)).toBe(367);
  });

  test('the bound follows the backup plan config', () => {
    const dev = environments.find((e) => e.name === 'dev')!;
    expect(dev.backup.dailyRetentionDays).toBe(90);
    expect(erasureBoundDays(dev)).toBe(92);
  });
});

/** The checks of lib/compliance/checks/tenant-data.ts, on the hand-written fixture (../fixture.ts). */
failsExactly([
  [
    'pgaudit not preloaded',
    { 'DATA-9': 'FAIL' },
    (e) => ((e.find('Data', 'Pg').Properties.Parameters as Json).shared_preload_libraries = 'pg_stat_statements'),
  ],
  [
    'pgaudit logs nothing',
    { 'DATA-9': 'FAIL' },
    (e) => ((e.find('Data', 'Pg').Properties.Parameters as Json)['pgaudit.log'] = 'none'),
  ],
  [
    'the postgresql log is not exported',
    { 'DATA-9': 'FAIL' },
    (e) => (e.find('Data', 'Db').Properties.EnableCloudwatchLogsExports = ['upgrade']),
  ],
  [
    'the data bucket lets the app role reach objects outside tenants/',
    { 'DATA-9': 'FAIL' },
    (e) => {
      const doc = e.find('Data', 'DataBucketPolicy').Properties.PolicyDocument as { Statement: Json[] };
      doc.Statement = doc.Statement.filter((st) => st.NotResource === undefined);
    },
  ],
  [
    'a release boot script without the migration',
    { 'DATA-9': 'FAIL' },
    (e) => {
      const lt = e.find('App', 'Lt').Properties as Json;
      const join = ((lt.LaunchTemplateData as Json).UserData as { 'Fn::Base64': { 'Fn::Join': [string, unknown[]] } })[
        'Fn::Base64'
      ]['Fn::Join'];
      join[1][3] = String(join[1][3]).replace('/usr/bin/node "$dir/migrate.js"\n', '');
    },
  ],
  [
    'a backup rule that never expires',
    { 'DATA-10': 'FAIL', 'DATA-3': 'FAIL' },
    (e) => {
      const rules = (e.find('Data', 'Plan').Properties.BackupPlan as { BackupPlanRule: Json[] }).BackupPlanRule;
      delete rules[1]!.Lifecycle;
    },
  ],
  [
    'no vault lock maximum',
    { 'DATA-10': 'FAIL' },
    (e) => delete (e.find('Data', 'Vault').Properties.LockConfiguration as Json).MaxRetentionDays,
  ],
  [
    'Object Lock on the data bucket (versions could not be erased)',
    { 'DATA-10': 'FAIL' },
    (e) => (e.find('Data', 'DataBucket').Properties.ObjectLockEnabled = true),
  ],
  ['no erasure log group', { 'DATA-10': 'FAIL' }, (e) => e.remove('Data', 'ErasureLog')],
  [
    'erasure records kept a year only',
    { 'DATA-10': 'FAIL' },
    (e) => (e.find('Data', 'ErasureLog').Properties.RetentionInDays = 365),
  ],
]);
