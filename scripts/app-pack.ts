/**
 * `npm run app:pack -- --version V [--out DIR]`: builds the reference app
 * (app/) with esbuild into server.js and migrate.js, adds a package.json
 * (name, version) and writes DIR/app-V.tgz and DIR/app-V.tgz.sha256.
 * Deterministic: the same source and version give the same bytes (fixed
 * mtimes and owners, sorted entries, fixed gzip header), so a pipeline packs
 * once and releases the very same artifact to every environment.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import {
  type CommandSpec,
  HELP_FLAG,
  helpText,
  parseFlags,
  requireFlags,
  USAGE_EXIT,
  UsageError,
  usageMessage,
} from '../lib/cli/args';
import { MAX_ARTIFACT_BYTES, RELEASE_VERSION_PATTERN } from '../lib/release/contract';

export const APP_NAME = 'saas-reference-app';
const ROOT = path.join(__dirname, '..');
/** 2000-01-01T00:00:00Z: every entry's mtime. */
const MTIME = 946684800;

export interface PackArgs {
  readonly version: string;
  readonly out: string;
}

const VERSION_RULE = 'a letter or digit, then up to 63 of letters, digits and ._+-';

/** The command line: the single source for parsing, the usage errors and the help. */
export const PACK_COMMAND: CommandSpec = {
  name: 'app:pack',
  summary: 'build the reference app (app/) into a deterministic release artifact',
  flags: [
    {
      name: 'version',
      type: 'string',
      value: 'V',
      required: true,
      help: `release version: ${VERSION_RULE} (required)`,
    },
    { name: 'out', type: 'string', value: 'DIR', help: 'output directory (default: dist/app)' },
    HELP_FLAG,
  ],
};

export const HELP = helpText(PACK_COMMAND, {
  usage: 'npm run app:pack -- --version V [--out DIR]',
  description: [
    'Builds app/ into server.js and migrate.js (esbuild, Node 20), adds package.json,',
    'and writes DIR/app-V.tgz and DIR/app-V.tgz.sha256 (same source and version,',
    'same bytes).',
  ],
});

export function parsePackArgs(argv: readonly string[]): PackArgs | 'help' {
  const flags = parseFlags(PACK_COMMAND, argv);
  if (flags.help) return 'help';
  requireFlags(PACK_COMMAND, flags);
  const version = flags.version as string;
  if (!RELEASE_VERSION_PATTERN.test(version)) {
    throw new UsageError(`--version "${version}" is not a release version: ${VERSION_RULE} (e.g. 1.4.2)`);
  }
  return { version, out: (flags.out as string | undefined) ?? path.join('dist', 'app') };
}

/** One ustar header + content, padded to 512-byte blocks; owner root, mode 0644, fixed mtime. */
function tarEntry(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512, 0);
  const put = (text: string, offset: number, length: number) => header.write(text, offset, length, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  if (Buffer.byteLength(name) > 100) throw new Error(`tar entry name too long: ${name}`);
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(content.length, 12), 124, 12);
  put(octal(MTIME, 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put('root', 265, 32);
  put('root', 297, 32);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512, 0);
  return Buffer.concat([header, content, pad]);
}

/** A gzip tarball of `files`, entries sorted by name, the gzip header fixed (no mtime, OS unknown). */
export function deterministicTgz(files: Readonly<Record<string, Buffer>>): Buffer {
  const names = Object.keys(files).sort();
  const tar = Buffer.concat([...names.map((n) => tarEntry(n, files[n]!)), Buffer.alloc(1024, 0)]);
  const gz = gzipSync(tar, { level: 9 });
  gz.writeUInt32LE(0, 4); // MTIME
  gz[9] = 255; // OS: unknown, whatever platform packed it
  return gz;
}

/** Bundles the two entry points; the version is compiled into server.js for /healthz. */
export async function bundle(version: string): Promise<Record<string, Buffer>> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { server: 'app/src/main.ts', migrate: 'app/src/migrate-main.ts' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: 'out',
    write: false,
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    // pg tries the optional native binding and falls back to JavaScript.
    external: ['pg-native'],
    define: { __APP_VERSION__: JSON.stringify(version) },
    logLevel: 'silent',
  });
  const files: Record<string, Buffer> = {};
  for (const f of result.outputFiles) files[path.basename(f.path)] = Buffer.from(f.contents);
  files['package.json'] = Buffer.from(`${JSON.stringify({ name: APP_NAME, version, private: true }, null, 2)}\n`);
  return files;
}

export interface Packed {
  readonly artifact: string;
  readonly checksumFile: string;
  readonly sha256: string;
  readonly bytes: number;
}

export async function pack(args: PackArgs): Promise<Packed> {
  const tgz = deterministicTgz(await bundle(args.version));
  if (tgz.length > MAX_ARTIFACT_BYTES)
    throw new Error(`the artifact is ${tgz.length} bytes, over the limit ${MAX_ARTIFACT_BYTES}`);
  const sha256 = createHash('sha256').update(tgz).digest('hex');
  mkdirSync(args.out, { recursive: true });
  const artifact = path.join(args.out, `app-${args.version}.tgz`);
  writeFileSync(artifact, tgz);
  const checksumFile = `${artifact}.sha256`;
  // sha256sum's format, so `sha256sum --check app-V.tgz.sha256` works next to the file.
  writeFileSync(checksumFile, `${sha256}  ${path.basename(artifact)}\n`);
  return { artifact, checksumFile, sha256, bytes: tgz.length };
}

async function main(): Promise<number> {
  let args: PackArgs | 'help';
  try {
    args = parsePackArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(usageMessage('app:pack', e, 'Run "npm run app:pack -- --help" for its flags.'));
      return USAGE_EXIT;
    }
    throw e;
  }
  if (args === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  const p = await pack(args);
  process.stdout.write(`${p.artifact}  ${p.bytes} bytes  sha256 ${p.sha256}\n${p.checksumFile}\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`app:pack: ${(e as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
