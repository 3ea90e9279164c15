#!/usr/bin/env node
/**
 * Stands in for `cdk-assets` in the delivery pipeline's asset steps (SDLC-2).
 *
 * CDK Pipelines publishes assets with
 *   cdk-assets --path assembly-dev/devApp1234.assets.json --verbose publish "HASH:DESTINATION"
 * but no published cdk-assets can read the asset manifests aws-cdk-lib 2.276
 * writes (cloud assembly schema 55; cdk-assets 4.7.3 stops at 54). This script
 * takes the same arguments, finds the stack the manifest belongs to, and
 * publishes that stack's assets with the aws-cdk CLI the repository pins
 * (`cdk --app . publish-assets --exclusively STACK`), which assumes the same
 * bootstrap file-publishing roles and skips what is already published.
 *
 * Run from the cloud assembly's root (the asset step's working directory).
 * Exit codes: the CLI's; 2 for arguments it does not understand or a manifest
 * it cannot place.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

const USAGE = 'usage: cdk-assets --path ASSET_MANIFEST [--verbose] publish ASSET:DESTINATION...';

function fail(message) {
  process.stderr.write(`cdk-assets (pipeline shim): ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** Parses the arguments CDK Pipelines passes; anything else is refused rather than guessed. */
export function parseArgs(argv) {
  let manifest;
  let verbose = false;
  let command;
  const selectors = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--path' || a === '-p') {
      manifest = argv[++i];
      if (!manifest) throw new Error('--path needs the asset manifest file');
    } else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (command === undefined) command = a;
    else selectors.push(a);
  }
  if (!manifest) throw new Error('--path is required');
  if (command !== 'publish') throw new Error(`only "publish" is supported (got ${command ?? 'nothing'})`);
  return { manifest, verbose, selectors };
}

/** The display name (`dev/App`) of the stack whose asset manifest `file` is, from the assembly's manifest.json. */
export function stackOfAssetManifest(file) {
  const dir = path.dirname(file);
  const assembly = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const artifacts = Object.entries(assembly.artifacts ?? {});
  const assets = artifacts.find(
    ([, a]) => a.type === 'cdk:asset-manifest' && a.properties?.file === path.basename(file),
  )?.[0];
  if (!assets) throw new Error(`${file} is not an asset manifest listed in ${path.join(dir, 'manifest.json')}`);
  const stack = artifacts.find(
    ([, a]) => a.type === 'aws:cloudformation:stack' && (a.dependencies ?? []).includes(assets),
  );
  if (!stack) throw new Error(`no stack in ${path.join(dir, 'manifest.json')} uses ${file}`);
  return stack[1].displayName ?? stack[0];
}

/**
 * Refuses container image assets: the asset steps that run this shim are the
 * file-asset ones (no Docker, no image-publishing role). Add image support
 * here, and in the pipeline, before adding an image asset to the app.
 */
export function checkOnlyFileAssets(file) {
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  const images = Object.keys(manifest.dockerImages ?? {});
  if (images.length > 0)
    throw new Error(`${file} has container image assets (${images.join(', ')}); this shim publishes file assets only`);
}

export function main(argv, run = execFileSync) {
  let args;
  let stack;
  try {
    args = parseArgs(argv);
    stack = stackOfAssetManifest(args.manifest);
    checkOnlyFileAssets(args.manifest);
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  const cli = process.env.CDK_CLI ?? 'cdk';
  // publish-assets is marked unstable in aws-cdk 2.1148; the version is pinned, so its behaviour is too.
  const cliArgs = [
    '--app',
    '.',
    'publish-assets',
    '--unstable=publish-assets',
    '--exclusively',
    stack,
    ...(args.verbose ? ['--verbose'] : []),
  ];
  process.stderr.write(`cdk-assets (pipeline shim): ${args.selectors.join(' ')} -> ${cli} ${cliArgs.join(' ')}\n`);
  try {
    run(cli, cliArgs, { stdio: 'inherit' });
  } catch (e) {
    process.exit(typeof e?.status === 'number' ? e.status : 1);
  }
}

// Run as a program (also through the `cdk-assets` symlink the asset step creates), not when imported by tests.
if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(new URL(import.meta.url).pathname)) {
  main(process.argv.slice(2));
}
