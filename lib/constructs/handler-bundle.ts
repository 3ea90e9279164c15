import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildSync, version as esbuildVersion } from 'esbuild';

/**
 * Lambda code bundled from a TypeScript handler once per content hash, not on
 * every synth.
 *
 * `NodejsFunction` runs esbuild in a child process in every synth (0.4-0.5 s,
 * about 15% of the demo synth; docs/performance.md). This bundles a handler
 * file with esbuild's API the first time, keeps the bundle outside `cdk.out`
 * (which every synth deletes) and, next time, only hashes the files the bundle
 * was built from: when every one of them (the entry, what it imports, any
 * bundled package), the esbuild version and the options are the same, the
 * bundle is reused. A change to any of them bundles again. The bundle is the
 * asset (`lambda.Code.fromAsset`), so the template's asset hash is the hash of
 * the bundle, as with `NodejsFunction`.
 *
 * Cache: `node_modules/.cache/lambda-bundles/` (or `$LAMBDA_BUNDLE_CACHE_DIR`);
 * `index/<key>.json` records the inputs and their hashes for an entry and its
 * options, `bundles/<hash>/` holds the bundle. An entry that cannot be read, or
 * whose bundle is missing or altered, is ignored and the handler bundled again.
 * Deleting the folder is always safe.
 */
export interface HandlerBundleOptions {
  /** esbuild `target`, e.g. `node22`. */
  readonly target: string;
  /** Modules left out of the bundle, e.g. `@aws-sdk/*` (the runtime provides it). @default [] */
  readonly externalModules?: readonly string[];
  /** @default true */
  readonly minify?: boolean;
}

/** Where a bundle came from: `cache` means no esbuild ran. */
export interface HandlerBundle {
  /** The folder holding `index.js`. */
  readonly dir: string;
  readonly source: 'cache' | 'esbuild' | 'memory';
}

/** The repository root: esbuild's working directory, and input paths are recorded relative to it. */
const ROOT = path.join(__dirname, '..', '..');
const SCHEMA = 1;

interface IndexEntry {
  readonly schema: number;
  readonly fingerprint: string;
  /** Input path (relative to ROOT) -> SHA-256 of its content. */
  readonly inputs: Record<string, string>;
  readonly bundle: string;
  /** SHA-256 of the bundle's index.js, checked on every use. */
  readonly output: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const memory = new Map<string, HandlerBundle>();

export function handlerCacheDir(): string {
  return process.env.LAMBDA_BUNDLE_CACHE_DIR ?? path.join(ROOT, 'node_modules', '.cache', 'lambda-bundles');
}

/** The bundle of `entry` (its `index.js` exports what the entry exports), from the cache when nothing changed. */
export function bundleHandler(entry: string, options: HandlerBundleOptions): HandlerBundle {
  const cacheDir = handlerCacheDir();
  const fingerprint = JSON.stringify({
    schema: SCHEMA,
    esbuild: esbuildVersion,
    entry: path.relative(ROOT, path.resolve(entry)),
    target: options.target,
    minify: options.minify ?? true,
    external: [...(options.externalModules ?? [])].sort(),
  });
  const indexFile = path.join(cacheDir, 'index', `${sha256(fingerprint)}.json`);
  const remembered = memory.get(`${cacheDir}\0${fingerprint}`);
  // Within one process (three environments share one handler), the files have not changed.
  if (remembered && existsSync(path.join(remembered.dir, 'index.js'))) return { ...remembered, source: 'memory' };

  const fromCache = readIndex(indexFile, fingerprint, cacheDir);
  const result = fromCache
    ? { dir: fromCache, source: 'cache' as const }
    : build(entry, options, fingerprint, cacheDir, indexFile);
  memory.set(`${cacheDir}\0${fingerprint}`, result);
  return result;
}

/** `lambda.Code` of the bundle of `entry`; the Function's handler is `index.<export>`. */
export function handlerCode(entry: string, options: HandlerBundleOptions): lambda.Code {
  return lambda.Code.fromAsset(bundleHandler(entry, options).dir);
}

/** The bundle folder if the index entry is valid and every input still has its recorded hash. */
function readIndex(indexFile: string, fingerprint: string, cacheDir: string): string | undefined {
  let entry: IndexEntry;
  try {
    entry = JSON.parse(readFileSync(indexFile, 'utf8')) as IndexEntry;
  } catch {
    return undefined;
  }
  if (entry.schema !== SCHEMA || entry.fingerprint !== fingerprint || typeof entry.inputs !== 'object')
    return undefined;
  if (!/^[0-9a-f]{64}$/.test(String(entry.bundle))) return undefined;
  for (const [file, hash] of Object.entries(entry.inputs)) {
    try {
      if (sha256(readFileSync(path.join(ROOT, file))) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  const dir = path.join(cacheDir, 'bundles', entry.bundle);
  return validBundle(dir, entry.output) ? dir : undefined;
}

function validBundle(dir: string, output: string): boolean {
  try {
    return sha256(readFileSync(path.join(dir, 'index.js'))) === output;
  } catch {
    return false;
  }
}

function build(
  entry: string,
  options: HandlerBundleOptions,
  fingerprint: string,
  cacheDir: string,
  indexFile: string,
): HandlerBundle {
  mkdirSync(path.join(cacheDir, 'bundles'), { recursive: true });
  const staging = mkdtempSync(path.join(cacheDir, 'bundles', 'staging-'));
  try {
    const result = buildSync({
      entryPoints: [path.resolve(entry)],
      absWorkingDir: ROOT,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: options.target,
      minify: options.minify ?? true,
      external: [...(options.externalModules ?? [])],
      outfile: path.join(staging, 'index.js'),
      metafile: true,
      logLevel: 'warning',
    });
    const inputs: Record<string, string> = {};
    for (const file of Object.keys(result.metafile!.inputs).sort()) {
      inputs[file] = sha256(readFileSync(path.join(ROOT, file)));
    }
    const output = sha256(readFileSync(path.join(staging, 'index.js')));
    const bundle = sha256(`${fingerprint}\0${JSON.stringify(inputs)}\0${output}`);
    const dir = path.join(cacheDir, 'bundles', bundle);
    // Another process (a parallel jest worker) may have built the same bundle meanwhile and be using it:
    // a valid one is kept as it is, anything else there is replaced.
    if (!validBundle(dir, output)) {
      rmSync(dir, { recursive: true, force: true });
      try {
        renameSync(staging, dir);
      } catch (e) {
        if (!validBundle(dir, output)) throw e;
      }
    }
    mkdirSync(path.dirname(indexFile), { recursive: true });
    const tmp = `${indexFile}.${process.pid}.tmp`;
    const index: IndexEntry = { schema: SCHEMA, fingerprint, inputs, bundle, output };
    writeFileSync(tmp, JSON.stringify(index, null, 1));
    renameSync(tmp, indexFile);
    return { dir, source: 'esbuild' };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
