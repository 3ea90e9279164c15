import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Client } from 'pg';
import type { EnvironmentConfig } from '../config/schema';
import {
  type CommandSpec,
  findCommand,
  type FlagSpec,
  HELP_FLAG,
  helpText,
  parseFlags,
  requireFlags,
} from '../cli/args';
import { CONFIG_FLAG, ENV_FLAG } from '../ops/args';
import { clientConfig } from '../ops/clients';
import { type CliIo, failure, flagsHint, inAccount } from '../ops/command';
import { selectEnvironment } from '../ops/environment';
import { EXIT, type ExitCode, UsageError } from '../ops/errors';
import { eraseTenant, exportTenant, TENANT_ID } from './commands';
import { connectOperator, DB_AUTH, parseDbFlags } from './database';

export interface TenantClients {
  readonly sts: STSClient;
  /** The data bucket's region (the environment's). */
  readonly s3: S3Client;
  /** The DR replica bucket's region. */
  readonly drS3: S3Client;
  readonly logs: CloudWatchLogsClient;
  readonly secrets: SecretsManagerClient;
}

export function createTenantClients(env: EnvironmentConfig): TenantClients {
  const inRegion = clientConfig(env.region);
  return {
    sts: new STSClient(inRegion),
    s3: new S3Client(inRegion),
    drS3: new S3Client(clientConfig(env.drRegion)),
    logs: new CloudWatchLogsClient(inRegion),
    secrets: new SecretsManagerClient(inRegion),
  };
}

const f = (name: string, help: string, value?: string): FlagSpec => ({
  name,
  type: value ? 'string' : 'boolean',
  help,
  value,
});
const required = (spec: FlagSpec): FlagSpec => ({ ...spec, required: true });
const COMMON: readonly FlagSpec[] = [
  ENV_FLAG,
  CONFIG_FLAG,
  required(f('tenant', 'tenant ID (required)', 'ID')),
  required(
    f(
      'db-url',
      'postgres://USER@HOST:PORT/DATABASE, no password (required; through Session Manager port forwarding: localhost)',
      'URL',
    ),
  ),
  {
    ...f(
      'db-auth',
      'iam (RDS IAM token for USER), secret (the RDS-managed master secret) or pgpassword (PGPASSWORD; test clusters) (default iam)',
      'MODE',
    ),
    allowed: DB_AUTH,
  },
  f('db-secret-arn', 'the master secret for --db-auth secret', 'ARN'),
  required(f('db-ca', 'CA bundle the database certificate must chain to (required; the RDS CA bundle)', 'FILE')),
  f(
    'db-tls-name',
    'name the database certificate must carry (default: the --db-url host; the RDS endpoint when forwarding)',
    'NAME',
  ),
];

export const TENANT_COMMANDS: readonly (CommandSpec & { usage: string })[] = [
  {
    name: 'export',
    usage: 'npm run tenant:export -- --env NAME --tenant ID --out DIR --db-url URL --db-ca FILE [flags]',
    summary: "write a tenant's rows (JSON lines), its objects and a manifest of SHA-256 checksums to DIR (DATA-10)",
    flags: [...COMMON, required(f('out', 'new or empty directory for the export (required)', 'DIR')), HELP_FLAG],
  },
  {
    name: 'erase',
    usage: 'npm run tenant:erase -- --env NAME --tenant ID --db-url URL --db-ca FILE [--dry-run] [flags]',
    summary:
      "delete a tenant's rows and every object version in the primary and DR buckets, record the erasure, print when the last backup expires (DATA-10)",
    flags: [...COMMON, f('dry-run', 'show the counts and the backup bound, change nothing'), HELP_FLAG],
  },
];

export const tenantHelp = (spec: (typeof TENANT_COMMANDS)[number]): string =>
  helpText(spec, {
    usage: spec.usage,
    footer: [
      'Exit codes: 0 done, 1 refused or failed (unknown or erased tenant, a step that failed: run again to resume), 2 could not run.',
      'The database is reached through Session Manager port forwarding; see docs/customer-data.md.',
    ],
  });

export interface TenantCliDeps extends CliIo {
  readonly createClients?: (env: EnvironmentConfig) => TenantClients;
  readonly now?: () => Date;
}

/** Runs `export` or `erase`; never throws. */
export async function runTenantCli(argv: readonly string[], deps: TenantCliDeps): Promise<ExitCode> {
  const [command, ...rest] = argv;
  let db: Client | undefined;
  let clients: TenantClients | undefined;
  let prefix = 'tenant';
  let hint = 'Run "npm run tenant:export -- --help" or "npm run tenant:erase -- --help" for the flags.';
  try {
    const spec = findCommand(TENANT_COMMANDS, command);
    prefix = `tenant ${spec.name}`;
    hint = flagsHint(`npm run tenant:${spec.name} -- --help`);
    const flags = parseFlags(spec, rest);
    if (flags.help) {
      deps.stdout(tenantHelp(spec));
      return EXIT.ok;
    }
    const env = selectEnvironment(flags.env as string | undefined, flags.config as string | undefined);
    requireFlags(spec, flags);
    const tenant = flags.tenant as string;
    if (!TENANT_ID.test(tenant)) throw new UsageError(`--tenant "${tenant}" is not a tenant ID (${TENANT_ID.source})`);
    const target = parseDbFlags({
      url: flags['db-url'] as string,
      auth: (flags['db-auth'] as string | undefined) ?? 'iam',
      caFile: flags['db-ca'] as string,
      tlsName: flags['db-tls-name'] as string | undefined,
      secretArn: flags['db-secret-arn'] as string | undefined,
    });
    const tenantClients = (deps.createClients ?? createTenantClients)(env);
    clients = tenantClients;
    return await inAccount(tenantClients, env, deps, async () => {
      const who = (await tenantClients.sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown principal';
      db = await connectOperator(target, { region: env.region, secrets: tenantClients.secrets, env: deps.env });
      const run = { env, tenant, who, now: deps.now ?? (() => new Date()), log: (l: string) => deps.stdout(`${l}\n`) };
      const targets = { db, s3: tenantClients.s3, drS3: tenantClients.drS3, logs: tenantClients.logs };
      if (spec.name === 'export') await exportTenant(targets, run, flags.out as string);
      else await eraseTenant(targets, run, flags['dry-run'] === true);
      return EXIT.ok;
    });
  } catch (e) {
    return failure(deps.stderr, prefix, e, hint);
  } finally {
    await db?.end().catch(() => undefined);
    if (clients) for (const c of [clients.sts, clients.s3, clients.drS3, clients.logs, clients.secrets]) c.destroy();
  }
}
