#!/usr/bin/env -S node --import tsx
/**
 * Customers' data on request (DATA-10): `tenant export` and `tenant erase`
 * (`npm run tenant:export`, `npm run tenant:erase`). The logic lives in
 * lib/tenant/; this file only connects it to the process.
 */
import { runTenantCli } from '../lib/tenant/cli';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

void runTenantCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
