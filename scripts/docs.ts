#!/usr/bin/env -S node --import tsx
/**
 * npm run docs:config [-- --check]: writes the generated documentation,
 * docs/configuration.md and config/schema.json (from lib/config/schema.ts)
 * and docs/controls.md (from lib/compliance/controls.ts). With --check it
 * writes nothing and exits 1 when a file is stale or a field has no
 * description. The logic lives in lib/docs/; this file only connects it to
 * the process.
 */
import { runDocsCli } from '../lib/docs/generate';

void runDocsCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
