#!/usr/bin/env node
/**
 * The CDK app entry: the only place that reads context. Loads and validates
 * the configuration (`-c config=path`, default: the demo config), then builds
 * one stage per environment. A bad configuration prints every problem and
 * exits 1 before any template is written.
 */
import { App } from 'aws-cdk-lib';
import { addEnvironments } from '../lib/app';
import { DEMO_CONFIG_PATH, loadConfig } from '../lib/config/load';
import { ConfigError } from '../lib/config/validate';

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
app.synth();
