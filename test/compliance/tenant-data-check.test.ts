import { runChecks } from '../../lib/compliance/checks';
import { DEMO_CONFIG_PATH, loadConfig } from '../../lib/config/load';
import { APP_ENV, type AppEnvName, renderBootScript } from '../../lib/release/contract';
import { erasureBound, erasureBoundDays } from '../../lib/tenant/bound';
import { context } from './fixture';

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
