import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSchedule } from '../../lib/constructs/golden-image';
import { contentVersion, loadComponents } from '../../lib/images/components';
import { tempDir } from '../helpers/app';

describe('images/components (IMM-1)', () => {
  const components = loadComponents();

  test('every document parses and passes the component schema', () => {
    expect(components.map((c) => c.file)).toEqual([
      'app-runtime.yml',
      'cloudwatch-agent.yml',
      'hardening-test.yml',
      'hardening.yml',
      'ssm-agent.yml',
    ]);
    for (const c of components) expect(c.document.schemaVersion).toBe(1);
  });

  test('build components have a build phase; the test component only a test phase', () => {
    for (const c of components) {
      const phases = c.document.phases.map((p) => p.name);
      if (c.kind === 'build') expect(phases).toContain('build');
      else expect(phases).toEqual(['test']);
    }
    expect(components.filter((c) => c.kind === 'test').map((c) => c.document.name)).toEqual(['hardening-test']);
  });

  const commandsOf = (name: string) =>
    components
      .find((c) => c.document.name === name)!
      .document.phases.flatMap((p) => p.steps)
      .flatMap((s) => (s.inputs.commands as string[] | undefined) ?? [])
      .join('\n');

  test('hardening disables SSH, enables auditd and time sync, sets kernel parameters, removes automatic updates', () => {
    const cmds = commandsOf('os-hardening');
    expect(cmds).toMatch(/systemctl disable --now sshd/);
    expect(cmds).toMatch(/systemctl enable auditd\.service chronyd\.service/);
    expect(cmds).toMatch(/kernel\.randomize_va_space = 2/);
    expect(cmds).toMatch(/dnf -y remove dnf-automatic/);
  });

  test('the test component checks what hardening promises, on an instance of the new image', () => {
    const cmds = commandsOf('hardening-test');
    for (const check of [
      'sshd.service',
      'authorized_keys',
      'auditd.service',
      'chronyd.service',
      'randomize_va_space',
      'dnf-automatic',
      'amazon-ssm-agent',
    ]) {
      expect(cmds).toContain(check);
    }
  });

  test('a version follows the content: same text, same version; any change, a new one', () => {
    expect(contentVersion('a')).toBe(contentVersion('a'));
    expect(contentVersion('a')).not.toBe(contentVersion('b'));
    expect(contentVersion('a')).toMatch(/^1\.\d+\.\d+$/);
  });

  test('a document that is not YAML is rejected with its file name', () => {
    const dir = tempDir('components-');
    writeFileSync(path.join(dir, 'broken.yml'), 'name: [unclosed');
    expect(() => loadComponents(dir)).toThrow(/broken\.yml: not valid YAML/);
  });

  test('a document that breaks the schema is rejected with file and field', () => {
    const dir = tempDir('components-');
    writeFileSync(
      path.join(dir, 'bad.yml'),
      'name: Bad_Name\ndescription: does something useful\nschemaVersion: 1.0\nphases:\n  - name: deploy\n    steps:\n      - name: Step\n        action: RunShell\n        inputs: {}\n',
    );
    expect(() => loadComponents(dir)).toThrow(
      /bad\.yml: not a valid component document:\n {2}- name: component names are lower-case kebab-case[\s\S]*phases\.0\.name: must be one of build, validate, test[\s\S]*action: must be one of ExecuteBash/,
    );
  });

  test('a test component with build phases is rejected', () => {
    const dir = tempDir('components-');
    writeFileSync(
      path.join(dir, 'mixed.yml'),
      'name: mixed\ndescription: does two things at once\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n        action: ExecuteBash\n        inputs: { commands: [true] }\n  - name: test\n    steps:\n      - name: B\n        action: ExecuteBash\n        inputs: { commands: [true] }\n',
    );
    expect(() => loadComponents(dir)).toThrow(
      /mixed\.yml: a test component has only a "test" phase \(got build, test\)/,
    );
  });

  test('an empty folder is an error, not an image without components', () => {
    expect(() => loadComponents(tempDir('components-'))).toThrow(/No Image Builder components/);
  });
});

describe('build schedule (IMM-4)', () => {
  test.each([
    [2, 12, 'cron(0 2/12 * * ? *)'],
    [14, 12, 'cron(0 2/12 * * ? *)'],
    [0, 6, 'cron(0 0/6 * * ? *)'],
    [3, 24, 'cron(0 3 * * ? *)'],
  ])('first hour %i every %i h is %s', (hour, interval, cron) => {
    expect(buildSchedule(hour, interval)).toBe(cron);
  });
  test('an interval that does not divide the day is refused', () => {
    expect(() => buildSchedule(0, 5)).toThrow(/buildIntervalHours must divide 24 \(got 5\)/);
  });
});
