/**
 * Entry point of the service (`server.js` in the artifact): reads the
 * environment the boot script wrote, connects to the database as DB_USER with
 * RDS IAM tokens and serves HTTPS on PORT.
 */
import { readFileSync } from 'node:fs';
import { S3Client } from '@aws-sdk/client-s3';
import { fileAccessLog } from './access-log';
import { readConfig } from './config';
import { iamTokenCredentials } from './credentials';
import { createPool } from './db';
import { Documents } from './documents';
import { createAppServer } from './server';
import { ObjectUrls } from './storage';

declare const __APP_VERSION__: string | undefined;
const BUILD_VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : 'dev';

function main(): void {
  const config = readConfig(process.env);
  const pool = createPool({
    host: config.db.host,
    port: config.db.port,
    database: config.db.name,
    user: config.db.user,
    ca: readFileSync(config.db.caFile, 'utf8'),
    credentials: iamTokenCredentials({
      region: config.region,
      host: config.db.host,
      port: config.db.port,
      user: config.db.user,
    }),
  });
  // A connection that breaks while idle (a failover) must not end the process.
  pool.on('error', (e) => process.stderr.write(`database connection error: ${e.message}\n`));
  const s3 = new S3Client({ region: config.region });
  const server = createAppServer(
    {
      buildVersion: BUILD_VERSION,
      releaseFile: config.releaseFile,
      pool,
      documents: new Documents(pool),
      urls: new ObjectUrls(s3, config.dataBucket, config.urlTtlSeconds),
      log: fileAccessLog(config.logDir),
    },
    { cert: readFileSync(config.tlsCert, 'utf8'), key: readFileSync(config.tlsKey, 'utf8') },
  );
  server.listen(config.port, () => process.stdout.write(`app ${BUILD_VERSION} listening on ${config.port}\n`));
  process.once('SIGTERM', () => server.close(() => void pool.end()));
}

try {
  main();
} catch (e) {
  process.stderr.write(`app: ${(e as Error).message}\n`);
  process.exit(1);
}
