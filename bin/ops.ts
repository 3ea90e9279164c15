#!/usr/bin/env -S node --import tsx
/**
 * The operations CLI: `verify` (OPS-1), `rotate` and `rollback` (OPS-2) for a
 * deployed environment. Usage: `ops <command> --env NAME [flags]`; run
 * `ops help`. Exit codes: 0 success, 1 violation or failed operation, 2 could
 * not run. The logic lives in lib/ops/; this file only connects it to the
 * process.
 */
import { runCli } from '../lib/ops/cli';

// The SDK warns on Node 20 about releases after January 2027; the versions this
// project pins support Node 20, and the notice would precede every command's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

process.once('SIGINT', () => {
  process.stderr.write(
    '\nops: interrupted. An instance refresh that was already started keeps running in AWS; ' +
      'see it with: aws autoscaling describe-instance-refreshes --auto-scaling-group-name <group>\n',
  );
  process.exit(130);
});

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
