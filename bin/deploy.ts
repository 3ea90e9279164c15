#!/usr/bin/env -S node --import tsx
/**
 * `npm run deploy -- --env NAME [--config PATH] [--dry-run]`: the synth gate,
 * then `cdk deploy` of that environment from the same cloud assembly. The
 * logic lives in lib/ops/deploy.ts; this file only connects it to the process.
 */
import { runDeployCli } from '../lib/ops/deploy';

process.exitCode = runDeployCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
