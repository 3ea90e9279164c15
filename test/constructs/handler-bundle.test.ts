import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as HandlerBundleModule from '../../lib/constructs/handler-bundle';
import { bundleHandler } from '../../lib/constructs/handler-bundle';
import { ROOT, tempDir } from '../helpers/app';

/**
 * Handlers live inside the repository (inputs are recorded relative to it), so
 * each test writes its handler into a temporary folder under node_modules/.cache.
 */
function handlerFiles() {
  const base = path.join(ROOT, 'node_modules', '.cache', 'handler-bundle-test');
  mkdirSync(base, { recursive: true });
  const dir = tempDirUnder(base);
  const entry = path.join(dir, 'handler.ts');
  const helper = path.join(dir, 'helper.ts');
  writeFileSync(helper, 'export const greeting = (name: string): string => `hello ${name}`;\n');
  writeFileSync(
    entry,
    "import { greeting } from './helper';\nexport async function handler(e: { name: string }) { return greeting(e.name); }\n",
  );
  return { entry, helper };
}

const made: string[] = [];
function tempDirUnder(base: string): string {
  const dir = path.join(base, `h-${process.pid}-${made.length}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh module registry, as a new synth process has: the in-process memo does not hide the disk cache. */
function fresh(): typeof HandlerBundleModule {
  let mod!: typeof HandlerBundleModule;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../../lib/constructs/handler-bundle');
  });
  return mod;
}

const options = { target: 'node22', externalModules: ['@aws-sdk/*'] };

beforeEach(() => {
  process.env.LAMBDA_BUNDLE_CACHE_DIR = tempDir('bundle-cache-');
});
afterEach(() => {
  delete process.env.LAMBDA_BUNDLE_CACHE_DIR;
});

test('a handler is bundled once; the next synth process reuses the bundle without esbuild, and the bundle runs', async () => {
  const { entry } = handlerFiles();
  const first = fresh().bundleHandler(entry, options);
  expect(first.source).toBe('esbuild');
  const second = fresh().bundleHandler(entry, options);
  expect(second).toEqual({ dir: first.dir, source: 'cache' });
  expect(bundleHandler(entry, options).dir).toBe(first.dir);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(path.join(first.dir, 'index.js')) as {
    handler: (e: { name: string }) => Promise<string>;
  };
  await expect(handler({ name: 'fleet' })).resolves.toBe('hello fleet');
});

test('a change to the entry, to a file it imports or to the options bundles again', () => {
  const { entry, helper } = handlerFiles();
  const a = fresh().bundleHandler(entry, options);
  writeFileSync(helper, 'export const greeting = (name: string): string => `hi ${name}`;\n');
  const b = fresh().bundleHandler(entry, options);
  expect(b.source).toBe('esbuild');
  expect(b.dir).not.toBe(a.dir);
  expect(readFileSync(path.join(b.dir, 'index.js'), 'utf8')).toContain('hi ');
  writeFileSync(entry, `${readFileSync(entry, 'utf8')}export const extra = 1;\n`);
  expect(fresh().bundleHandler(entry, options).source).toBe('esbuild');
  expect(fresh().bundleHandler(entry, options).source).toBe('cache');
  expect(fresh().bundleHandler(entry, { ...options, minify: false }).source).toBe('esbuild');
  expect(fresh().bundleHandler(entry, { ...options, target: 'node20' }).source).toBe('esbuild');
});

test('a corrupt index entry or an altered bundle is ignored and the handler bundled again', () => {
  const { entry } = handlerFiles();
  const first = fresh().bundleHandler(entry, options);
  const cache = process.env.LAMBDA_BUNDLE_CACHE_DIR!;
  writeFileSync(path.join(first.dir, 'index.js'), 'exports.handler = () => "tampered";');
  const rebuilt = fresh().bundleHandler(entry, options);
  expect(rebuilt.source).toBe('esbuild');
  expect(readFileSync(path.join(rebuilt.dir, 'index.js'), 'utf8')).not.toContain('tampered');
  const [index] = readdirSync(path.join(cache, 'index'));
  writeFileSync(path.join(cache, 'index', index), '{"schema":1,');
  expect(fresh().bundleHandler(entry, options).source).toBe('esbuild');
  expect(fresh().bundleHandler(entry, options).source).toBe('cache');
});

test('an entry that does not build fails with esbuild naming the problem, and nothing is cached', () => {
  const { entry } = handlerFiles();
  writeFileSync(entry, "import { missing } from './nowhere';\nexport const handler = missing;\n");
  expect(() => fresh().bundleHandler(entry, options)).toThrow(/Could not resolve "\.\/nowhere"/);
  const cache = process.env.LAMBDA_BUNDLE_CACHE_DIR!;
  expect(readdirSync(cache).includes('index')).toBe(false);
  expect(readdirSync(path.join(cache, 'bundles'))).toEqual([]);
});
