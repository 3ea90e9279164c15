import { type FixtureEditor } from '../fixture';
import { changed } from './harness';

/** The checks of lib/compliance/checks/release.ts, on the hand-written fixture (../fixture.ts). */

describe('IMM-9 and IMM-10: weakening a release or rebuild property fails exactly its control', () => {
  const lt = (e: FixtureEditor) => e.find('App', 'Lt').Properties.LaunchTemplateData as Record<string, unknown>;
  const bootText = (e: FixtureEditor) => {
    const join = (lt(e).UserData as { 'Fn::Base64': { 'Fn::Join': [string, unknown[]] } })['Fn::Base64']['Fn::Join'];
    return join[1];
  };
  test.each([
    [
      'the boot script no longer checks the checksum',
      (e: FixtureEditor) => {
        const parts = bootText(e);
        parts[3] = '/usr/bin/node "$dir/migrate.js"\nsystemctl start app\n';
      },
    ],
    [
      'a mismatch does not stop the boot',
      (e: FixtureEditor) => {
        const parts = bootText(e);
        parts[3] = String(parts[3]).replace('exit 1', 'true');
      },
    ],
    [
      'the release is a literal instead of the SSM record',
      (e: FixtureEditor) => {
        bootText(e)[1] = 'v1 ' + 'a'.repeat(64);
      },
    ],
    ['nodes are not tagged with their release', (e: FixtureEditor) => delete lt(e).TagSpecifications],
    [
      'refreshes watch no alarm',
      (e: FixtureEditor) => {
        const env = (e.find('App', 'RolloutFn').Properties.Environment as { Variables: Record<string, string> })
          .Variables;
        env.ALARM_NAMES = '';
      },
    ],
    [
      'a refresh alarm does not exist',
      (e: FixtureEditor) => delete e.find('Ingress', 'Unhealthy').Properties.AlarmName,
    ],
  ] as const)('IMM-9: %s', (_what, edit) => {
    expect(changed(edit)).toEqual({ 'IMM-9': 'FAIL' });
  });

  test.each([
    [
      'only CRITICAL findings start a rebuild',
      (e: FixtureEditor) => {
        (e.find('Image', 'OnFinding').Properties.EventPattern as { detail: { severity: string[] } }).detail.severity = [
          'CRITICAL',
        ];
      },
    ],
    [
      'the function may run twice at once',
      (e: FixtureEditor) => delete e.find('Image', 'RebuildFn').Properties.ReservedConcurrentExecutions,
    ],
    [
      'the test timeout makes the worst case longer than 6 h',
      (e: FixtureEditor) => {
        (e.find('Image', 'Pipeline').Properties.ImageTestsConfiguration as { TimeoutMinutes: number }).TimeoutMinutes =
          120;
      },
    ],
  ] as const)('IMM-10: %s', (_what, edit) => {
    expect(changed(edit)).toEqual({ 'IMM-10': 'FAIL' });
  });

  test('IMM-9 (and DATA-2, for every bucket): an unversioned release bucket fails', () => {
    const edit = (e: FixtureEditor) => delete e.find('Image', 'Releases').Properties.VersioningConfiguration;
    expect(changed(edit)).toEqual({ 'IMM-9': 'FAIL', 'DATA-2': 'FAIL' });
  });
});
