import {
  APP_ENV,
  type AppEnvName,
  formatRelease,
  NO_RELEASE,
  parseReleaseRecord,
  releaseOfUserData,
  renderBootScript,
  withRelease,
} from '../../lib/release/contract';

const SHA = 'a'.repeat(64);
const env = Object.fromEntries(Object.keys(APP_ENV).map((k) => [k, `value-of-${k}`])) as Record<AppEnvName, string>;
const script = (release: string) => renderBootScript(release, { releaseBucket: 'bucket', region: 'eu-west-1', env });

describe('release contract', () => {
  test('the boot script names its release, and a rewritten script names the new one', () => {
    const first = script(formatRelease({ version: '1.2.3', sha256: SHA }));
    expect(releaseOfUserData(first)).toEqual({ version: '1.2.3', sha256: SHA });
    const next = withRelease(first, { version: '1.2.4', sha256: 'b'.repeat(64) });
    expect(releaseOfUserData(next)).toEqual({ version: '1.2.4', sha256: 'b'.repeat(64) });
    // Nothing but the release block changes.
    expect(next.replace(/RELEASE='[^']*'/, '')).toBe(first.replace(/RELEASE='[^']*'/, ''));
  });

  test('the boot script checks the checksum before it starts the service', () => {
    const s = script(formatRelease({ version: '1.2.3', sha256: SHA }));
    const check = s.indexOf('sha256sum --check');
    expect(check).toBeGreaterThan(0);
    expect(s.indexOf('exit 1', check)).toBeGreaterThan(check);
    expect(s.lastIndexOf('systemctl start app')).toBeGreaterThan(check);
    for (const k of Object.keys(APP_ENV)) expect(s).toContain(`${k}=value-of-${k}`);
  });

  test('records parse strictly', () => {
    expect(parseReleaseRecord('none -')).toBe(NO_RELEASE);
    expect(parseReleaseRecord(`v1 ${SHA}`)).toEqual({ version: 'v1', sha256: SHA });
    for (const bad of ['', 'v1', `v1 ${SHA.slice(1)}`, `-v1 ${SHA}`, `v1 ${SHA.toUpperCase()}`, `v/1 ${SHA}`])
      expect(parseReleaseRecord(bad)).toBeUndefined();
  });

  test('a script without a release block cannot be given a release', () => {
    expect(releaseOfUserData('#!/bin/bash\necho hi\n')).toBeUndefined();
    expect(() => withRelease('#!/bin/bash\n', NO_RELEASE)).toThrow(/no release block/);
  });
});
