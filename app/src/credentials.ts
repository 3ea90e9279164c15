import { Signer } from '@aws-sdk/rds-signer';

/**
 * Where the database password of a new connection comes from. In AWS it is an
 * RDS IAM authentication token (valid 15 minutes, minted per connection from
 * the node's instance role), so no password exists in the artifact, the image
 * or the user data. Tests use a fixed password for the throwaway cluster.
 */
export interface CredentialProvider {
  /** The password for the next connection. */
  password(): Promise<string>;
}

export function iamTokenCredentials(opts: {
  readonly region: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
}): CredentialProvider {
  const signer = new Signer({ region: opts.region, hostname: opts.host, port: opts.port, username: opts.user });
  return { password: () => signer.getAuthToken() };
}

export function staticPassword(password: string): CredentialProvider {
  return { password: async () => password };
}
