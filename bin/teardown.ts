#!/usr/bin/env -S node --import tsx
/**
 * `npm run teardown -- --env NAME [--config PATH] [--dry-run] [--yes]
 * [--no-final-snapshot]`: deletes a non-production environment completely.
 * The logic lives in lib/ops/teardown.ts; this file only connects it to the
 * process (and the terminal that confirms).
 */
import { createInterface } from 'node:readline/promises';
import { runTeardownCli } from '../lib/ops/teardown-cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function ask(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

process.once('SIGINT', () => {
  process.stderr.write('\nteardown: interrupted; run it again to finish (it deletes only what is still there)\n');
  process.exit(130);
});

void runTeardownCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  ask,
}).then((code) => {
  process.exitCode = code;
});
