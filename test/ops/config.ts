import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { DEMO_CONFIG_PATH } from '../../lib/config/load';
import type { EnvironmentConfig } from '../../lib/config/schema';
import { validateConfig } from '../../lib/config/validate';

/**
 * A configuration for the ops tests: the demo's `dev` environment moved into
 * the test account (moto's), plus `qa`, its copy with its own VPC range.
 * Derived from the demo so it stays valid when the schema grows.
 */
export function testConfig(account: string): { environments: Record<string, unknown>[] } {
  const demo = parse(readFileSync(DEMO_CONFIG_PATH, 'utf8')) as { environments: Record<string, unknown>[] };
  const dev = demo.environments.find((e) => e.name === 'dev');
  if (!dev) throw new Error(`${DEMO_CONFIG_PATH} has no "dev" environment to base the ops tests on`);
  return {
    environments: [
      { ...dev, account, region: 'eu-west-1' },
      { ...dev, name: 'qa', account, region: 'eu-west-1', vpcCidr: '10.99.0.0/16' },
    ],
  };
}

/** Writes the test configuration as YAML into `dir` and returns its path. */
export function writeTestConfig(dir: string, account: string): string {
  const file = path.join(dir, 'ops-test.yaml');
  writeFileSync(file, stringify(testConfig(account)));
  return file;
}

/** One validated environment of the test configuration. */
export function testEnvironment(name: 'dev' | 'qa', account: string): EnvironmentConfig {
  const env = validateConfig(testConfig(account), 'ops test config').environments.find((e) => e.name === name);
  if (!env) throw new Error(`no environment ${name}`);
  return env;
}
