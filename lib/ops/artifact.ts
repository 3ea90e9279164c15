import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { MAX_ARTIFACT_BYTES, RELEASE_VERSION_PATTERN, SHA256_PATTERN } from '../release/contract';
import { UsageError } from './errors';

/**
 * The local half of a release (IMM-9): everything about the artifact and the
 * version that can be checked before AWS is asked, so bad input never leaves
 * half a release behind.
 */

export interface Artifact {
  readonly path: string;
  readonly bytes: number;
  /** Lower-case hex SHA-256 of the file. */
  readonly sha256: string;
  /** The `.sha256` file that was compared, if any. */
  readonly checksumFile?: string;
}

export interface ArtifactLimits {
  /** @default MAX_ARTIFACT_BYTES (256 MiB) */
  readonly maxBytes?: number;
}

const mib = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/** A version is refused unless it matches the pattern every side of the contract checks. */
export function checkVersion(version: string): string {
  if (!RELEASE_VERSION_PATTERN.test(version)) {
    throw new UsageError(
      `--version "${version}" is not a release version; allowed: a letter or digit, then up to 63 letters, digits and . _ + - (e.g. 1.4.0 or 2026.12.01-1)`,
    );
  }
  return version;
}

/** The first `n` bytes of the decompressed stream (fewer if it ends first); throws when it is not gzip data. */
function gunzipHead(path: string, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const input = createReadStream(path);
    const gunzip = createGunzip();
    const done = (value: Buffer) => {
      input.destroy();
      gunzip.destroy();
      resolve(value);
    };
    gunzip.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      got += chunk.length;
      if (got >= n) done(Buffer.concat(chunks).subarray(0, n));
    });
    gunzip.on('end', () => resolve(Buffer.concat(chunks)));
    gunzip.on('error', reject);
    input.on('error', reject);
    input.pipe(gunzip);
  });
}

/** Streams the file through SHA-256 (a 256 MiB artifact never sits in memory). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * The checksum in a `.sha256` file: the `sha256sum` format (`<hex>  <name>`)
 * or the bare hex. Anything else is a usage error naming the file.
 */
export function readChecksumFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read checksum file ${file} (${(e as Error).message})`);
  }
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!SHA256_PATTERN.test(first)) {
    throw new UsageError(
      `checksum file ${file} does not start with a SHA-256; allowed: 64 hex digits, optionally followed by the file name (sha256sum format)`,
    );
  }
  return first;
}

/**
 * Checks the artifact: it exists and is a file, is at most the size limit, is
 * a gzip-compressed tar archive (gzip magic bytes 1f 8b, and a ustar header
 * inside), and matches its `.sha256` (the one given, else `<artifact>.sha256`
 * when it exists). Returns its size and SHA-256.
 */
export async function inspectArtifact(
  path: string,
  checksumFile: string | undefined,
  limits: ArtifactLimits = {},
): Promise<Artifact> {
  const maxBytes = limits.maxBytes ?? MAX_ARTIFACT_BYTES;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile())
      throw new UsageError(`--artifact ${path} is not a file; give the .tgz that npm run app:pack wrote`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `--artifact ${path} does not exist or cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give the .tgz that npm run app:pack wrote`,
    );
  }
  if (size > maxBytes) {
    throw new UsageError(
      `--artifact ${path} is ${size} bytes (${mib(size)}); a release may be at most ${maxBytes} bytes (${mib(maxBytes)}), because every node downloads it at boot`,
    );
  }
  const magic = Buffer.alloc(Math.min(2, size));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, magic, 0, magic.length, 0);
  } finally {
    closeSync(fd);
  }
  if (size < 2 || magic[0] !== 0x1f || magic[1] !== 0x8b) {
    throw new UsageError(
      `--artifact ${path} is not gzip data (it starts with ${magic.toString('hex') || 'nothing'}, not 1f8b); a release must be a gzip-compressed tarball (.tgz, as npm run app:pack writes)`,
    );
  }
  let head: Buffer;
  try {
    head = await gunzipHead(path, 512);
  } catch (e) {
    throw new UsageError(
      `--artifact ${path} starts like gzip but does not decompress (${(e as Error).message}); a release must be an intact gzip-compressed tarball`,
    );
  }
  // POSIX tar: "ustar" at offset 257 of the first 512-byte header.
  if (head.length < 512 || head.subarray(257, 262).toString('latin1') !== 'ustar') {
    throw new UsageError(
      `--artifact ${path} is gzip data but not a tar archive (no ustar header); a release must be a gzip-compressed tarball (.tgz)`,
    );
  }
  const sha256 = await sha256File(path);
  const sidecar = checksumFile ?? (existsSync(`${path}.sha256`) ? `${path}.sha256` : undefined);
  if (sidecar !== undefined) {
    const expected = readChecksumFile(sidecar);
    if (expected !== sha256) {
      throw new UsageError(
        `checksum mismatch: ${path} has SHA-256 ${sha256} but ${sidecar} says ${expected}; the artifact is not the one that was packed (rebuild it with npm run app:pack, or give the matching .sha256)`,
      );
    }
  }
  return { path, bytes: size, sha256, ...(sidecar !== undefined ? { checksumFile: sidecar } : {}) };
}
