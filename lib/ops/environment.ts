import { existsSync } from 'node:fs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { DEMO_CONFIG_PATH, loadConfig } from '../config/load';
import type { EnvironmentConfig } from '../config/schema';
import { ConfigError } from '../config/validate';
import type { OpsClients } from './clients';
import { AwsAccessError, toAwsAccessError, UsageError } from './errors';

/**
 * Loads the configuration and returns the named environment. A bad file or an
 * unknown name is a usage error that lists the environments there are.
 */
export function selectEnvironment(name: string | undefined, configPath: string = DEMO_CONFIG_PATH): EnvironmentConfig {
  let environments: readonly EnvironmentConfig[];
  // The loader's own hint names CDK's flag (-c config=PATH); this CLI's is --config.
  if (!existsSync(configPath)) {
    throw new UsageError(
      `configuration file ${configPath} not found; pass an existing YAML or JSON file with --config PATH`,
    );
  }
  try {
    environments = loadConfig(configPath).environments;
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
  const names = environments.map((e) => e.name).join(', ');
  if (name === undefined) throw new UsageError(`--env is required; environments in ${configPath}: ${names}`);
  const env = environments.find((e) => e.name === name);
  if (!env) throw new UsageError(`unknown environment "${name}" in ${configPath}; allowed: ${names}`);
  return env;
}

/**
 * Asks STS who the credentials belong to before anything else, so missing
 * credentials and unreachable endpoints fail once with one clear message, and
 * a command never runs against the wrong account (IAM-3: each environment is
 * its own account).
 */
export async function checkAccount(
  clients: Pick<OpsClients, 'sts'>,
  env: EnvironmentConfig,
  endpoint: string,
): Promise<string> {
  let account: string | undefined;
  let arn: string | undefined;
  try {
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    account = identity.Account;
    arn = identity.Arn;
  } catch (e) {
    throw toAwsAccessError(e, endpoint);
  }
  if (account !== env.account) {
    throw new AwsAccessError(
      `the credentials are for account ${account ?? 'unknown'} (${arn ?? 'unknown principal'}) but environment "${env.name}" is account ${env.account}; use credentials for ${env.account} (e.g. AWS_PROFILE)`,
      'credentials',
    );
  }
  return account;
}
