import { existsSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { newTestApp, tempDir } from './app';
import { SHARED_ASSEMBLIES_ENV, sharedAssembly } from './shared-assembly';

const synthTopicApp = (name: string) => () => {
  const app = newTestApp();
  new sns.Topic(new Stack(app, 'S'), name);
  return app.synth();
};

test('within a run, a key is synthesized once and every later caller reads the same assembly', () => {
  const saved = process.env[SHARED_ASSEMBLIES_ENV];
  process.env[SHARED_ASSEMBLIES_ENV] = tempDir('shared-assemblies-');
  try {
    const calls: string[] = [];
    const counted = (key: string, name: string) => () => {
      calls.push(key);
      return synthTopicApp(name)();
    };
    const a = sharedAssembly({ app: 'a' }, counted('a', 'First'));
    const again = sharedAssembly({ app: 'a' }, counted('a', 'Other'));
    const b = sharedAssembly({ app: 'b' }, counted('b', 'Second'));
    expect(calls).toEqual(['a', 'b']);
    expect(again.directory).toBe(a.directory);
    expect(JSON.stringify(again.getStackArtifact('S').template)).toContain('First');
    expect(JSON.stringify(b.getStackArtifact('S').template)).toContain('Second');
    expect(a.directory.startsWith(process.env[SHARED_ASSEMBLIES_ENV]!)).toBe(true);
  } finally {
    process.env[SHARED_ASSEMBLIES_ENV] = saved;
  }
});

test('outside a jest run with the global setup, nothing is shared', () => {
  const saved = process.env[SHARED_ASSEMBLIES_ENV];
  delete process.env[SHARED_ASSEMBLIES_ENV];
  try {
    let calls = 0;
    const synth = () => {
      calls++;
      return synthTopicApp('T')();
    };
    const first = sharedAssembly({ app: 'c' }, synth);
    sharedAssembly({ app: 'c' }, synth);
    expect(calls).toBe(2);
    expect(existsSync(first.directory)).toBe(true);
  } finally {
    process.env[SHARED_ASSEMBLIES_ENV] = saved;
  }
});

test("jest's global setup named a run folder for the shared assemblies", () => {
  expect(process.env[SHARED_ASSEMBLIES_ENV]).toMatch(/hardened-saas-shared-assemblies-/);
});
