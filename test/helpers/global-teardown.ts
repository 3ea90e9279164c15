import { rmSync } from 'node:fs';
import { SHARED_ASSEMBLIES_ENV } from './shared-assembly';

/** Removes the run's shared assemblies: the next run synthesizes afresh. */
export default function globalTeardown(): void {
  const dir = process.env[SHARED_ASSEMBLIES_ENV];
  if (dir) rmSync(dir, { recursive: true, force: true });
}
