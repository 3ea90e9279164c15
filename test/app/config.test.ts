import { APP_ENV } from '../../lib/release/contract';
import { readConfig } from '../../app/src/config';

const full: Record<string, string> = {
  PORT: '8443',
  TLS_CERT: '/etc/app/tls/cert.pem',
  TLS_KEY: '/etc/app/tls/key.pem',
  RELEASE_FILE: '/etc/app/release.json',
  AWS_REGION: 'eu-west-1',
  DB_HOST: 'db.example',
  DB_PORT: '5433',
  DB_NAME: 'app',
  DB_USER: 'app_rw',
  DB_CA_FILE: '/etc/app/rds-ca.pem',
  DB_MASTER_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x',
  DATA_BUCKET: 'data',
  UPLOAD_URL_TTL_SECONDS: '300',
  LOG_DIR: '/var/log/app',
};

test('reads every variable of the release contract', () => {
  expect(Object.keys(full).sort()).toEqual(Object.keys(APP_ENV).sort());
  expect(readConfig(full)).toMatchObject({ port: 8443, urlTtlSeconds: 300, db: { port: 5433, user: 'app_rw' } });
});

test('presigned URL lifetime is minutes: 60-900 s', () => {
  expect(() => readConfig({ ...full, UPLOAD_URL_TTL_SECONDS: '3600' })).toThrow(
    /UPLOAD_URL_TTL_SECONDS must be an integer from 60 to 900 \(got "3600"\)/,
  );
  expect(() => readConfig({ ...full, UPLOAD_URL_TTL_SECONDS: '59' })).toThrow(/from 60 to 900/);
});

test('every missing or malformed variable is named', () => {
  const noHost = { ...full };
  delete noHost.DB_HOST;
  expect(() => readConfig({ ...noHost, PORT: 'x' })).toThrow(
    /PORT must be an integer from 1 to 65535 \(got "x"\); DB_HOST is not set/,
  );
});
