import type { AppEnvName } from '../../lib/release/contract';

/** The environment of the service, read once at start (the variables of APP_ENV in lib/release/contract.ts). */
export interface AppConfig {
  readonly port: number;
  readonly tlsCert: string;
  readonly tlsKey: string;
  readonly releaseFile: string;
  readonly region: string;
  readonly db: {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly user: string;
    readonly caFile: string;
  };
  readonly masterSecretArn: string;
  readonly dataBucket: string;
  readonly urlTtlSeconds: number;
  readonly logDir: string;
}

/** Presigned URLs live minutes: at least 60 s, at most 900 s (the data bucket's signature-age limit). */
export const URL_TTL_BOUNDS = { min: 60, max: 900 } as const;

export class ConfigError extends Error {}

/** Reads and validates the environment; every problem is named with what is allowed. */
export function readConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  const problems: string[] = [];
  const str = (name: AppEnvName): string => {
    const v = env[name];
    if (v === undefined || v.trim() === '') {
      problems.push(`${name} is not set`);
      return '';
    }
    return v;
  };
  const int = (name: AppEnvName, min: number, max: number): number => {
    const raw = str(name);
    const n = Number(raw);
    if (raw !== '' && (!Number.isInteger(n) || n < min || n > max)) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    }
    return n;
  };
  const config: AppConfig = {
    port: int('PORT', 1, 65535),
    tlsCert: str('TLS_CERT'),
    tlsKey: str('TLS_KEY'),
    releaseFile: str('RELEASE_FILE'),
    region: str('AWS_REGION'),
    db: {
      host: str('DB_HOST'),
      port: int('DB_PORT', 1, 65535),
      name: str('DB_NAME'),
      user: str('DB_USER'),
      caFile: str('DB_CA_FILE'),
    },
    masterSecretArn: env.DB_MASTER_SECRET_ARN ?? '',
    dataBucket: str('DATA_BUCKET'),
    urlTtlSeconds: int('UPLOAD_URL_TTL_SECONDS', URL_TTL_BOUNDS.min, URL_TTL_BOUNDS.max),
    logDir: str('LOG_DIR'),
  };
  if (problems.length) throw new ConfigError(`bad environment: ${problems.join('; ')}`);
  return config;
}
