import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { APP_DB_USER } from '../../lib/release/contract';
import { USAGE_EXIT, UsageError } from '../../lib/cli/args';
import { deterministicTgz, HELP, pack, parsePackArgs } from '../../scripts/app-pack';
import { freePort, useMoto } from '../helpers/moto';
import { describePg, usePostgres } from '../helpers/postgres';
import { withSuperuser } from './helpers';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'app-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('app:pack flags', () => {
  test('bad flags are clear errors naming what is allowed', () => {
    expect(() => parsePackArgs([])).toThrow('--version is required for "app:pack"');
    expect(() => parsePackArgs(['--version', 'has space'])).toThrow(/not a release version/);
    // The common message form of every CLI (lib/cli/args.ts).
    expect(() => parsePackArgs(['--version', '1', '--bogus'])).toThrow(
      'unknown flag --bogus for "app:pack"; allowed: --version, --out, --help',
    );
    expect(() => parsePackArgs(['--version', '1', 'extra'])).toThrow(/unexpected argument "extra" for "app:pack"/);
    expect(() => parsePackArgs(['--version'])).toThrow('--version needs a value: --version V');
    expect(() => parsePackArgs(['--version', '--out', 'x'])).toThrow('--version needs a value');
    let error: unknown;
    try {
      parsePackArgs(['--version', 'has space']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(USAGE_EXIT);
    expect(() => parsePackArgs(['--version', '1', '--version', '2'])).toThrow('--version is given more than once');
    expect(parsePackArgs(['--version=1.2.3', '--out', 'x'])).toEqual({ version: '1.2.3', out: 'x' });
    expect(parsePackArgs(['--version', '1.2.3'])).toEqual({ version: '1.2.3', out: path.join('dist', 'app') });
    expect(parsePackArgs(['--help'])).toBe('help');
    expect(parsePackArgs(['-h'])).toBe('help');
    expect(HELP).toMatch(/^usage: npm run app:pack -- --version V \[--out DIR\]\n/);
    expect(HELP).toMatch(/\n {2}--version V {2}release version: .* \(required\)\n {2}--out DIR {4}output directory/);
  });

  test('the tarball writer is deterministic and sorts entries', () => {
    const a = deterministicTgz({ 'b.txt': Buffer.from('b'), 'a.txt': Buffer.from('a') });
    const b = deterministicTgz({ 'a.txt': Buffer.from('a'), 'b.txt': Buffer.from('b') });
    expect(a.equals(b)).toBe(true);
    const file = path.join(tmp, 'x.tgz');
    writeFileSync(file, a);
    expect(execFileSync('tar', ['-tzvf', file], { encoding: 'utf8' })).toMatch(
      /root\/root .* 2000-01-01 00:00 a\.txt\n.*b\.txt/,
    );
  });
});

describePg('the packed artifact (real PostgreSQL 15, moto Secrets Manager)', () => {
  const pg = usePostgres();
  const moto = useMoto();
  let packed: Awaited<ReturnType<typeof pack>>;
  const unpacked = path.join(tmp, 'release');

  beforeAll(async () => {
    packed = await pack({ version: '2.0.0', out: path.join(tmp, 'out1') });
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', packed.artifact, '-C', unpacked]);
  }, 60_000);

  test('same source and version give the same bytes; the .sha256 file checks with sha256sum', async () => {
    const again = await pack({ version: '2.0.0', out: path.join(tmp, 'out2') });
    expect(readFileSync(again.artifact).equals(readFileSync(packed.artifact))).toBe(true);
    expect(packed.sha256).toBe(createHash('sha256').update(readFileSync(packed.artifact)).digest('hex'));
    expect(readFileSync(packed.checksumFile, 'utf8')).toBe(`${packed.sha256}  app-2.0.0.tgz\n`);
    execFileSync('sha256sum', ['--check', '--status', path.basename(packed.checksumFile)], {
      cwd: path.dirname(packed.artifact),
    });
    expect(execFileSync('tar', ['-tzf', packed.artifact], { encoding: 'utf8' }).split('\n').filter(Boolean)).toEqual([
      'migrate.js',
      'package.json',
      'server.js',
    ]);
    expect(JSON.parse(readFileSync(path.join(unpacked, 'package.json'), 'utf8'))).toMatchObject({ version: '2.0.0' });
  }, 60_000);

  test('migrate.js reads the master secret and creates the schema and role; server.js serves /healthz for its version', async () => {
    const p = pg.get();
    const sm = new SecretsManagerClient(moto.get().clientConfig);
    const secret = await sm.send(
      new CreateSecretCommand({
        Name: 'db-master',
        SecretString: JSON.stringify({ username: p.superuser, password: p.superuserPassword }),
      }),
    );
    sm.destroy();
    const port = await freePort();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=node',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
      ],
      {
        cwd: tmp,
        stdio: 'ignore',
      },
    );
    writeFileSync(path.join(tmp, 'release.json'), JSON.stringify({ version: '2.0.0', sha256: packed.sha256 }));
    const env = {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL: moto.get().endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      PORT: String(port),
      TLS_CERT: path.join(tmp, 'cert.pem'),
      TLS_KEY: path.join(tmp, 'key.pem'),
      RELEASE_FILE: path.join(tmp, 'release.json'),
      DB_HOST: 'localhost',
      DB_PORT: String(p.port),
      DB_NAME: p.database,
      DB_USER: APP_DB_USER,
      DB_CA_FILE: p.caFile,
      DB_MASTER_SECRET_ARN: secret.ARN!,
      DATA_BUCKET: 'data',
      UPLOAD_URL_TTL_SECONDS: '300',
      LOG_DIR: path.join(tmp, 'log'),
    };
    const out = execFileSync(process.execPath, [path.join(unpacked, 'migrate.js')], { env, encoding: 'utf8' });
    expect(out).toMatch(/migrate: schema ready; role app_rw created/);
    await withSuperuser(p, async (c) => {
      expect((await c.query("SELECT 1 FROM pg_roles WHERE rolname = 'app_rw' AND NOT rolbypassrls")).rowCount).toBe(1);
    });

    const server = spawn(process.execPath, [path.join(unpacked, 'server.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
        server.once('exit', (code) => reject(new Error(`server.js exited ${code}`)));
      });
      // The app role has no password here (AWS gives it IAM tokens): the database is unreachable for it, /healthz still 200.
      const res = execFileSync('curl', ['-sk', `https://127.0.0.1:${port}/healthz`], { encoding: 'utf8' });
      expect(JSON.parse(res)).toMatchObject({ status: 'ok', version: '2.0.0', database: 'unreachable' });
    } finally {
      server.kill('SIGTERM');
    }
  }, 60_000);

  test('migrate.js fails clearly without its secret', () => {
    expect(() =>
      execFileSync(process.execPath, [path.join(unpacked, 'migrate.js')], {
        env: { PATH: process.env.PATH },
        stdio: 'pipe',
      }),
    ).toThrow(/AWS_REGION is not set/);
  });
});
