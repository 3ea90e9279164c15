#!/usr/bin/env -S node --import tsx
/**
 * Auditor evidence report (SDLC-4): `node --import tsx scripts/evidence.ts
 * [cdk.out] [--out dir]` reads a synthesized cloud assembly and writes
 * `<dir>/<env>.md` and `<env>.json` per environment. Exits 1 when a production
 * environment has a failing control, 2 when it cannot run. The logic lives in
 * lib/compliance/evidence/; this file only connects it to the process.
 */
import { runEvidenceCli } from '../lib/compliance/evidence/cli';

process.exitCode = runEvidenceCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
