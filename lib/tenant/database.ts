import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import { Client } from 'pg';
import { UsageError } from '../ops/errors';

/**
 * The operator's database connection (DATA-10). From a laptop the database is
 * reached through Session Manager port forwarding to a fleet node
 * (docs/customer-data.md): `--db-url postgres://USER@localhost:PORT/DB`, with
 * `--db-tls-name` set to the RDS endpoint so verify-full still checks the
 * certificate against the real name. No password on the command line:
 * `--db-auth iam` (an RDS IAM token for USER from the operator's role),
 * `secret` (the RDS-managed master secret, `--db-secret-arn`) or `pgpassword`
 * (the PGPASSWORD variable, for a local test cluster).
 */
export type DbAuth = 'iam' | 'secret' | 'pgpassword';
export const DB_AUTH: readonly DbAuth[] = ['iam', 'secret', 'pgpassword'];

export interface DbFlags {
  readonly url: string;
  readonly auth: string;
  readonly caFile: string;
  readonly tlsName?: string;
  readonly secretArn?: string;
}

export interface DbTarget {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user?: string;
  readonly auth: DbAuth;
  readonly ca: string;
  readonly tlsName: string;
  readonly secretArn?: string;
}

export function parseDbFlags(f: DbFlags): DbTarget {
  let url: URL;
  try {
    url = new URL(f.url);
  } catch {
    throw new UsageError(`--db-url "${f.url}" is not a URL; expected postgres://USER@HOST:PORT/DATABASE`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new UsageError(`--db-url must start with postgres:// (got ${url.protocol}//)`);
  }
  if (url.password) {
    throw new UsageError('--db-url must not contain a password (it would stay in the shell history); use --db-auth');
  }
  if (!DB_AUTH.includes(f.auth as DbAuth)) {
    throw new UsageError(`--db-auth must be one of ${DB_AUTH.join(', ')} (got "${f.auth}")`);
  }
  const auth = f.auth as DbAuth;
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  if (auth !== 'secret' && !user)
    throw new UsageError(`--db-auth ${auth} needs the user in --db-url (postgres://USER@HOST:PORT/DB)`);
  if (auth === 'secret' && !f.secretArn)
    throw new UsageError('--db-auth secret needs --db-secret-arn ARN (the RDS-managed master secret)');
  let ca: string;
  try {
    ca = readFileSync(f.caFile, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--db-ca ${f.caFile}: ${(e as Error).message}; pass the RDS CA bundle (https://truststore.pki.rds.amazonaws.com)`,
    );
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--db-ca ${f.caFile} holds no PEM certificate`);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    database: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres',
    user,
    auth,
    ca,
    tlsName: f.tlsName ?? url.hostname,
    secretArn: f.secretArn,
  };
}

/** Connects with verify-full TLS; the IAM token is signed for the RDS endpoint name (`--db-tls-name`). */
export async function connectOperator(
  t: DbTarget,
  deps: { region: string; secrets: SecretsManagerClient; env: Readonly<Record<string, string | undefined>> },
): Promise<Client> {
  let user = t.user;
  let password: string;
  if (t.auth === 'secret') {
    const s = await deps.secrets.send(new GetSecretValueCommand({ SecretId: t.secretArn }));
    const parsed = JSON.parse(s.SecretString ?? '{}') as { username?: string; password?: string };
    if (!parsed.password || !(user ?? parsed.username))
      throw new UsageError(`secret ${t.secretArn} has no username and password`);
    user = user ?? parsed.username;
    password = parsed.password;
  } else if (t.auth === 'iam') {
    password = await new Signer({
      region: deps.region,
      hostname: t.tlsName,
      port: t.port,
      username: user!,
    }).getAuthToken();
  } else {
    const p = deps.env.PGPASSWORD;
    if (!p) throw new UsageError('--db-auth pgpassword needs the PGPASSWORD environment variable');
    password = p;
  }
  const client = new Client({
    host: t.host,
    port: t.port,
    database: t.database,
    user,
    password,
    ssl: { ca: t.ca, rejectUnauthorized: true, servername: t.tlsName, minVersion: 'TLSv1.2' },
    connectionTimeoutMillis: 10_000,
    statement_timeout: 60_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw new UsageError(
      `cannot connect to PostgreSQL at ${t.host}:${t.port} as ${user} (${(e as Error).message}); is the port forwarding running (docs/customer-data.md)?`,
    );
  }
  return client;
}
