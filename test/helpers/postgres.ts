import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './moto';

/**
 * A throwaway PostgreSQL 15 cluster per test file: 127.0.0.1 on a free port,
 * SSL only (hostssl in pg_hba.conf, TLS 1.2+) with a certificate of a test CA
 * made by openssl at test time (SAN localhost and 127.0.0.1, so verify-full can
 * be tested), scram-sha-256 passwords. Stopped and deleted in afterAll, also
 * when tests fail.
 */

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** Whether the PostgreSQL 15 server binaries are installed; tests skip (saying so) where they are not. */
export const PG_AVAILABLE = ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(path.join(PG_BIN, b)));
export const PG_SKIP_MESSAGE = `PostgreSQL 15 server binaries not found in ${PG_BIN} (install Debian's postgresql-15 or set PG_BIN): database tests are SKIPPED`;

export const PG_SUPERUSER = 'postgres';

export interface TestPostgres {
  readonly host: '127.0.0.1';
  /** Name the server certificate is issued to (verify-full checks it). */
  readonly tlsName: 'localhost';
  readonly port: number;
  readonly database: 'postgres';
  readonly superuser: typeof PG_SUPERUSER;
  readonly superuserPassword: string;
  /** PEM of the CA that signed the server certificate. */
  readonly ca: string;
  /** Path of {@link ca} on disk (DB_CA_FILE). */
  readonly caFile: string;
  /** PEM of another CA that did not sign it (must be refused). */
  readonly wrongCa: string;
  readonly dir: string;
  stop(): void;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary as the postgres user when we are root (initdb refuses root). */
function pgRun(binary: string, args: readonly string[]): void {
  const cmd = asRoot ? 'runuser' : path.join(PG_BIN, binary);
  const full = asRoot ? ['-u', 'postgres', '--', path.join(PG_BIN, binary), ...args] : [...args];
  const r = spawnSync(cmd, full, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`${binary} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  }
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function giveToPostgres(file: string): void {
  if (!asRoot) return;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  chownSync(file, uid, gid);
}

/** Makes the test CA, the server certificate and an unrelated CA in `dir`. */
function makeCertificates(dir: string): void {
  const ext = path.join(dir, 'san.ext');
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const ca of ['ca', 'wrong-ca']) {
    openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=test ${ca}`].concat([
        '-keyout',
        `${ca}.key`,
        '-out',
        `${ca}.pem`,
      ]),
      dir,
    );
  }
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr'],
    dir,
  );
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-days',
      '2',
      '-extfile',
      'san.ext',
      '-out',
      'server.pem',
    ]),
    dir,
  );
  const key = path.join(dir, 'server.key');
  chmodSync(key, 0o600);
  giveToPostgres(key);
}

/** Starts a cluster; ~1.5 s from nothing to the first query. */
export async function startPostgres(): Promise<TestPostgres> {
  if (!PG_AVAILABLE) throw new Error(PG_SKIP_MESSAGE);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
  // postgres must reach its data directory, certificate and socket directory.
  chmodSync(dir, 0o755);
  giveToPostgres(dir);
  let started = false;
  const data = path.join(dir, 'data');
  const stop = () => {
    if (started) {
      try {
        pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already stopped.
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    makeCertificates(dir);
    const superuserPassword = `pw-${Math.random().toString(36).slice(2)}`;
    const pwfile = path.join(dir, 'pwfile');
    writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o600 });
    giveToPostgres(pwfile);
    pgRun('initdb', [
      '-D',
      data,
      '-U',
      PG_SUPERUSER,
      '--pwfile',
      pwfile,
      '-A',
      'scram-sha-256',
      '--no-sync',
      '-E',
      'UTF8',
    ]);
    rmSync(pwfile);
    // SSL only, like rds.force_ssl: no plain `host` line.
    writeFileSync(
      path.join(data, 'pg_hba.conf'),
      'local all all scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n',
    );
    const port = await freePort();
    const settings = [
      `port=${port}`,
      "listen_addresses='127.0.0.1'",
      `unix_socket_directories='${dir}'`,
      'ssl=on',
      `ssl_cert_file='${path.join(dir, 'server.pem')}'`,
      `ssl_key_file='${path.join(dir, 'server.key')}'`,
      "ssl_min_protocol_version='TLSv1.2'",
      "password_encryption='scram-sha-256'",
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      "shared_buffers='16MB'",
      'max_connections=40',
    ];
    writeFileSync(path.join(data, 'postgresql.auto.conf'), settings.join('\n') + '\n');
    pgRun('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '30', 'start']);
    started = true;
    process.once('exit', stop);
    return {
      host: '127.0.0.1',
      tlsName: 'localhost',
      port,
      database: 'postgres',
      superuser: PG_SUPERUSER,
      superuserPassword,
      ca: readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
      caFile: path.join(dir, 'ca.pem'),
      wrongCa: readFileSync(path.join(dir, 'wrong-ca.pem'), 'utf8'),
      dir,
      stop: () => {
        process.removeListener('exit', stop);
        stop();
      },
    };
  } catch (e) {
    const log = path.join(dir, 'server.log');
    const detail = existsSync(log) ? `\nserver log:\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    stop();
    throw new Error(`${e instanceof Error ? e.message : String(e)}${detail}`, { cause: e });
  }
}

/**
 * Starts a cluster in `beforeAll`, stops and deletes it in `afterAll`. Use
 * inside {@link describePg} so machines without the binaries skip.
 */
export function usePostgres(): { get(): TestPostgres } {
  let pg: TestPostgres | undefined;
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(() => {
    pg?.stop();
  });
  return {
    get() {
      if (!pg) throw new Error('the test PostgreSQL is not running (did beforeAll fail?)');
      return pg;
    },
  };
}

/** `describe` where PostgreSQL 15 is installed; elsewhere a skipped block and one clear message. */
export const describePg: jest.Describe = PG_AVAILABLE
  ? describe
  : (((name: string, fn: () => void) => {
      console.warn(PG_SKIP_MESSAGE);
      describe.skip(name, fn);
    }) as unknown as jest.Describe);
