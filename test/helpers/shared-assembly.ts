/**
 * Synthesized assemblies shared by the test files of one jest run.
 *
 * test/helpers/global-setup.ts makes a fresh folder per `jest` run and names it
 * in TEST_SHARED_ASSEMBLIES_DIR (its teardown removes it, so nothing carries
 * over from one run to the next: every run synthesizes what it tests). The
 * first test file that asks for a key synthesizes and moves its assembly there
 * under that key; every later file of the run, in any worker, reads it instead
 * of synthesizing again. While one worker synthesizes a key, another asking
 * for the same key waits for it (a lock folder), so a key is synthesized once.
 *
 * The key must say everything the templates depend on besides the source tree
 * (which does not change during a run): use JSON-serializable values, e.g.
 * `{ config, nag, validation }`. Without the variable (a test run outside jest's
 * global setup) nothing is shared.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

export const SHARED_ASSEMBLIES_ENV = 'TEST_SHARED_ASSEMBLIES_DIR';
/** Longest wait for another worker's synthesis before synthesizing ourselves. */
const WAIT_MS = 180_000;

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** The assembly for `key`: from the run's shared folder, or `synthesize()` once and shared from then on. */
export function sharedAssembly(key: unknown, synthesize: () => CloudAssembly): CloudAssembly {
  const root = process.env[SHARED_ASSEMBLIES_ENV];
  if (!root || !existsSync(root)) return synthesize();
  const id = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
  const dir = path.join(root, id);
  const done = () => existsSync(path.join(dir, 'manifest.json'));
  if (done()) return new CloudAssembly(dir);

  const lock = `${dir}.lock`;
  let locked = false;
  try {
    mkdirSync(lock);
    locked = true;
  } catch {
    // Another worker is synthesizing this key: wait for it.
    const until = Date.now() + WAIT_MS;
    while (existsSync(lock) && !done() && Date.now() < until) sleep(100);
    if (done()) return new CloudAssembly(dir);
  }
  try {
    const assembly = synthesize();
    if (done()) return assembly;
    // The assembly moves to the shared folder whole (one rename): no reader ever sees half of one.
    try {
      if (statSync(assembly.directory).dev !== statSync(root).dev) return assembly;
      renameSync(assembly.directory, dir);
    } catch {
      return done() ? new CloudAssembly(dir) : assembly;
    }
    return new CloudAssembly(dir);
  } finally {
    if (locked) rmSync(lock, { recursive: true, force: true });
  }
}
