/**
 * Second entry point of the artifact (`migrate.js`): the boot script runs it as
 * root, before the service, with the env file loaded. It is the only code that
 * reads the RDS-managed master secret; it creates the schema and the app role
 * and exits. A failure stops the boot (the service does not start, the health
 * check fails, the refresh rolls back).
 */
import { readFileSync } from 'node:fs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Client } from 'pg';
import { APP_DB_USER } from '../../lib/release/contract';
import { tlsOptions } from './db';
import { migrate } from './schema';

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

/**
 * A new RDS instance has only `postgres`: the application's database is
 * created on first boot. CREATE DATABASE cannot run in a transaction, so two
 * nodes booting at once may race: the loser's duplicate error is the winner's success.
 */
async function ensureDatabase(admin: Client, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`DB_NAME "${database}" is not a plain identifier`);
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      try {
        await admin.query(`CREATE DATABASE ${database}`);
        process.stdout.write(`migrate: database ${database} created\n`);
      } catch (e) {
        if ((e as { code?: string }).code !== '42P04') throw e; // duplicate_database
      }
    }
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const region = need('AWS_REGION');
  const secretArn = need('DB_MASTER_SECRET_ARN');
  const host = need('DB_HOST');
  const sm = new SecretsManagerClient({ region });
  const secret = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
  sm.destroy();
  const { username, password } = JSON.parse(secret.SecretString ?? '{}') as { username?: string; password?: string };
  if (!username || !password) throw new Error(`secret ${secretArn} has no username and password`);
  const database = need('DB_NAME');
  const connect = async (db: string) => {
    const c = new Client({
      host,
      port: Number(need('DB_PORT')),
      database: db,
      user: username,
      password,
      ssl: tlsOptions({ host, ca: readFileSync(need('DB_CA_FILE'), 'utf8') }),
      connectionTimeoutMillis: 10_000,
    });
    await c.connect();
    return c;
  };
  await ensureDatabase(await connect('postgres'), database);
  const client = await connect(database);
  try {
    const result = await migrate(client, process.env.DB_USER || APP_DB_USER);
    process.stdout.write(
      `migrate: schema ready; role ${process.env.DB_USER || APP_DB_USER} ${result.createdRole ? 'created' : 'present'}${result.grantedRdsIam ? ', granted rds_iam' : ''}\n`,
    );
  } finally {
    await client.end();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`migrate: ${(e as Error).message}\n`);
  process.exit(1);
});
