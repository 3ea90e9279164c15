import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { AppConfig } from './schema';
import { ConfigError, validateConfig } from './validate';

/** The demo configuration shipped with the repository: placeholder accounts, synthesizes offline. */
export const DEMO_CONFIG_PATH = path.join(__dirname, '..', '..', 'config', 'demo.yaml');

/**
 * Reads a YAML or JSON configuration file and validates it.
 *
 * @throws ConfigError naming the file and every problem in it.
 */
export function loadConfig(file: string = DEMO_CONFIG_PATH): AppConfig {
  if (!existsSync(file)) {
    throw new ConfigError(file, [
      { path: '(file)', message: `no such file; pass an existing YAML or JSON file with -c config=PATH` },
    ]);
  }
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [{ path: '(file)', message: `is not valid YAML or JSON: ${(e as Error).message}` }]);
  }
  return validateConfig(raw, file);
}
