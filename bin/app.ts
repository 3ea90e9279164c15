#!/usr/bin/env node
/**
 * The CDK app entry: the only place that reads context. Loads and validates
 * the configuration (`-c config=path`, default: the demo config), then builds
 * one stage per environment. A bad configuration prints every problem and
 * exits 1 before any template is written. Under `npm run synth`
 * (SAAS_SYNTH_GATE=1) the gate's cfn-lint and evidence steps run here after
 * synthesis (lib/sdlc/gate.ts), and their exit code is the app's.
 */
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { addEnvironments } from '../lib/app';
import { DEMO_CONFIG_PATH, loadConfig } from '../lib/config/load';
import { ConfigError } from '../lib/config/validate';
import { gateRequested, runSynthGate } from '../lib/sdlc/gate';

// autoSynth off: nothing is written unless the configuration is valid.
const app = new App({ autoSynth: false });
const configPath = (app.node.tryGetContext('config') as string | undefined) ?? DEMO_CONFIG_PATH;
try {
  addEnvironments(app, loadConfig(configPath), { configPath });
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
const assembly = app.synth();
if (gateRequested()) {
  runSynthGate({
    outdir: path.relative(process.cwd(), assembly.directory) || '.',
    root: path.join(__dirname, '..'),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`synth gate: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
