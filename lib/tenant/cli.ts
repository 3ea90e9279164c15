import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Client } from 'pg';
import type { EnvironmentConfig } from '../config/schema';
import { type CommandSpec, type FlagSpec, type FlagValues, parseFlags } from '../ops/args';
import { HTTP_TIMEOUTS, RETRY } from '../ops/clients';
import { checkAccount, selectEnvironment } from '../ops/environment';
import { endpointLabel, EXIT, type ExitCode, isOpsError, toAwsAccessError, UsageError } from '../ops/errors';
import { eraseTenant, exportTenant, TENANT_ID } from './commands';
import { connectOperator, parseDbFlags } from './database';

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
  const base = {
    retryMode: RETRY.retryMode,
    maxAttempts: RETRY.maxAttempts,
    requestHandler: { ...HTTP_TIMEOUTS, throwOnRequestTimeout: true },
  };
  const inRegion = { ...base, region: env.region };
  return {
    sts: new STSClient(inRegion),
    s3: new S3Client(inRegion),
    drS3: new S3Client({ ...base, region: env.drRegion }),
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
const COMMON: readonly FlagSpec[] = [
  f('env', 'environment name from the configuration (required)', 'NAME'),
  f('config', 'YAML or JSON configuration file (default: config/demo.yaml)', 'PATH'),
  f('tenant', 'tenant ID (required)', 'ID'),
  f(
    'db-url',
    'postgres://USER@HOST:PORT/DATABASE, no password (required; through Session Manager port forwarding: localhost)',
    'URL',
  ),
  f(
    'db-auth',
    'iam (RDS IAM token for USER), secret (the RDS-managed master secret) or pgpassword (PGPASSWORD; test clusters) (default iam)',
    'MODE',
  ),
  f('db-secret-arn', 'the master secret for --db-auth secret', 'ARN'),
  f('db-ca', 'CA bundle the database certificate must chain to (required; the RDS CA bundle)', 'FILE'),
  f(
    'db-tls-name',
    'name the database certificate must carry (default: the --db-url host; the RDS endpoint when forwarding)',
    'NAME',
  ),
];
const HELP = f('help', 'show this help');

export const TENANT_COMMANDS: readonly (CommandSpec & { usage: string })[] = [
  {
    name: 'export',
    usage: 'npm run tenant:export -- --env NAME --tenant ID --out DIR --db-url URL --db-ca FILE [flags]',
    summary: "write a tenant's rows (JSON lines), its objects and a manifest of SHA-256 checksums to DIR (DATA-10)",
    flags: [...COMMON, f('out', 'new or empty directory for the export (required)', 'DIR'), HELP],
  },
  {
    name: 'erase',
    usage: 'npm run tenant:erase -- --env NAME --tenant ID --db-url URL --db-ca FILE [--dry-run] [flags]',
    summary:
      "delete a tenant's rows and every object version in the primary and DR buckets, record the erasure, print when the last backup expires (DATA-10)",
    flags: [...COMMON, f('dry-run', 'show the counts and the backup bound, change nothing'), HELP],
  },
];

export function tenantHelp(spec: (typeof TENANT_COMMANDS)[number]): string {
  const labels = spec.flags.map((x) => `--${x.name}${x.value ? ` ${x.value}` : ''}`);
  const width = Math.max(...labels.map((l) => l.length));
  return [
    `usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'flags:',
    ...spec.flags.map((x, i) => `  ${labels[i]!.padEnd(width)}  ${x.help}`),
    '',
    'Exit codes: 0 done, 1 refused or failed (unknown or erased tenant, a step that failed: run again to resume), 2 could not run.',
    'The database is reached through Session Manager port forwarding; see docs/customer-data.md.',
    '',
  ].join('\n');
}

export interface TenantCliDeps {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly createClients?: (env: EnvironmentConfig) => TenantClients;
  readonly now?: () => Date;
}

function required(flags: FlagValues, name: string): string {
  const v = flags[name];
  if (typeof v !== 'string') throw new UsageError(`--${name} is required`);
  return v;
}

/** Runs `export` or `erase`; never throws. */
export async function runTenantCli(argv: readonly string[], deps: TenantCliDeps): Promise<ExitCode> {
  const [command, ...rest] = argv;
  const spec = TENANT_COMMANDS.find((c) => c.name === command);
  if (!spec) {
    deps.stderr(
      `tenant: unknown command "${command ?? ''}"; commands: ${TENANT_COMMANDS.map((c) => c.name).join(', ')}\n`,
    );
    return EXIT.cannotRun;
  }
  let db: Client | undefined;
  let clients: TenantClients | undefined;
  try {
    const flags = parseFlags(spec, rest);
    if (flags.help) {
      deps.stdout(tenantHelp(spec));
      return EXIT.ok;
    }
    const env = selectEnvironment(flags.env as string | undefined, flags.config as string | undefined);
    const tenant = required(flags, 'tenant');
    if (!TENANT_ID.test(tenant)) throw new UsageError(`--tenant "${tenant}" is not a tenant ID (${TENANT_ID.source})`);
    const out = spec.name === 'export' ? required(flags, 'out') : undefined;
    const target = parseDbFlags({
      url: required(flags, 'db-url'),
      auth: (flags['db-auth'] as string | undefined) ?? 'iam',
      caFile: required(flags, 'db-ca'),
      tlsName: flags['db-tls-name'] as string | undefined,
      secretArn: flags['db-secret-arn'] as string | undefined,
    });
    const endpoint = endpointLabel(deps.env, env.region);
    clients = (deps.createClients ?? createTenantClients)(env);
    try {
      await checkAccount(clients, env, endpoint);
      const who = (await clients.sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown principal';
      db = await connectOperator(target, { region: env.region, secrets: clients.secrets, env: deps.env });
      const run = { env, tenant, who, now: deps.now ?? (() => new Date()), log: (l: string) => deps.stdout(`${l}\n`) };
      const targets = { db, s3: clients.s3, drS3: clients.drS3, logs: clients.logs };
      if (spec.name === 'export') await exportTenant(targets, run, out!);
      else await eraseTenant(targets, run, flags['dry-run'] === true);
      return EXIT.ok;
    } catch (e) {
      throw isOpsError(e) ? e : toAwsAccessError(e, endpoint);
    }
  } catch (e) {
    const err = isOpsError(e) ? e : new UsageError(e instanceof Error ? e.message : String(e));
    deps.stderr(`tenant ${spec.name}: ${err.message}\n`);
    return err.exitCode;
  } finally {
    await db?.end().catch(() => undefined);
    if (clients) for (const c of [clients.sts, clients.s3, clients.drS3, clients.logs, clients.secrets]) c.destroy();
  }
}
