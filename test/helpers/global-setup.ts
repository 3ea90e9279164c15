import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SHARED_ASSEMBLIES_ENV } from './shared-assembly';

/** One folder per jest run for the assemblies test files share (shared-assembly.ts); the workers inherit the variable. */
export default function globalSetup(): void {
  process.env[SHARED_ASSEMBLIES_ENV] = mkdtempSync(path.join(tmpdir(), 'hardened-saas-shared-assemblies-'));
}
