import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';

/**
 * The AWS SDK clients the operations CLI uses, all in one region.
 *
 * Functions in `lib/ops/` take this object instead of creating clients, so
 * tests can pass clients whose `send` is a fake. They are real client
 * instances (not structural look-alikes) because the SDK paginators check
 * `instanceof`.
 */
export interface OpsClients {
  readonly region: string;
  readonly autoscaling: AutoScalingClient;
  readonly cloudtrail: CloudTrailClient;
  /** The fleet-health alarms a refresh watches (release, rotate, rollback). */
  readonly cloudwatch: CloudWatchClient;
  readonly ec2: EC2Client;
  /** The release bucket (IMM-9). */
  readonly s3: S3Client;
  readonly ssm: SSMClient;
  readonly sts: STSClient;
}

/**
 * Retries for every client: exponential backoff with jitter on throttling,
 * 5xx and network errors, at most 5 attempts so a persistently failing call
 * ends the run in seconds. Not adaptive mode: its client-side rate limiter
 * starts from the few requests a short CLI run has measured and, after one
 * throttle, slows every later call to about one every two seconds (measured:
 * 13 s to give up on a throttled call, against 1-2 s in standard mode).
 */
export const RETRY = { retryMode: 'standard', maxAttempts: 5 } as const;

/**
 * Bounded network waits: without a connection timeout an unreachable endpoint
 * waits for the operating system's TCP timeout (minutes) on every attempt.
 * `requestTimeout` alone only logs a warning in @smithy/node-http-handler 4.x;
 * `throwOnRequestTimeout` makes an endpoint that accepts and never answers
 * fail the attempt (TimeoutError, retried): at most 5 x 10 s plus backoff,
 * about 55 s per call. The CLI also bounds the whole run (RUN_DEADLINE_MS).
 */
export const HTTP_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 10_000, throwOnRequestTimeout: true } as const;

/** Settings every client gets on top of the SDK defaults; tests add an endpoint or credentials. */
export interface ClientSettings {
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly maxAttempts?: number;
  readonly retryMode?: 'standard' | 'adaptive';
}

/** The configuration {@link clientConfig} makes; every SDK client takes it. */
export type ClientConfig = ReturnType<typeof clientConfig>;

/** An SDK client class, as {@link createClientSet} constructs it. */
export type ClientClass<C> = new (config: ClientConfig) => C;

/**
 * One client of each class, all in one region, with the CLI's retries and
 * timeouts; an S3 client serves buckets by path when an endpoint is
 * overridden (moto, LocalStack). Credentials, profile and endpoint come from
 * the standard SDK chain (environment, shared files, SSO, instance role;
 * `AWS_ENDPOINT_URL` included) unless `settings` overrides them.
 */
export function createClientSet<T extends Record<string, ClientClass<object>>>(
  region: string,
  classes: T,
  settings: ClientSettings = {},
): { readonly region: string } & { readonly [K in keyof T]: InstanceType<T[K]> } {
  const config = clientConfig(region, settings);
  const s3Config = { ...config, forcePathStyle: pathStyle(settings.endpoint) };
  const clients = Object.entries(classes).map(([key, Class]) => [
    key,
    (Class as unknown) === S3Client ? new S3Client(s3Config) : new Class(config),
  ]);
  return { region, ...Object.fromEntries(clients) };
}

/** Closes the sockets of every client in a set so the process can exit promptly. */
export function destroyClientSet(clients: object): void {
  for (const client of Object.values(clients)) {
    if (typeof client === 'object' && client !== null && 'destroy' in client) (client as { destroy(): void }).destroy();
  }
}

const OPS_CLIENTS = {
  autoscaling: AutoScalingClient,
  cloudtrail: CloudTrailClient,
  cloudwatch: CloudWatchClient,
  ec2: EC2Client,
  s3: S3Client,
  ssm: SSMClient,
  sts: STSClient,
};

/** Creates the ops clients for one region ({@link createClientSet}). */
export const createClients = (region: string, settings: ClientSettings = {}): OpsClients =>
  createClientSet(region, OPS_CLIENTS, settings);

/** The configuration every client of the CLI gets: retries, bounded timeouts, and the test overrides. */
export function clientConfig(region: string, settings: ClientSettings = {}) {
  return {
    region,
    retryMode: settings.retryMode ?? RETRY.retryMode,
    maxAttempts: settings.maxAttempts ?? RETRY.maxAttempts,
    requestHandler: HTTP_TIMEOUTS,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: { ...settings.credentials } } : {}),
  };
}

/** An endpoint override (moto, LocalStack) serves buckets by path, not as bucket.host names. */
export function pathStyle(endpoint: string | undefined): boolean {
  return Boolean(endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL);
}

/** Closes the clients' sockets so the process can exit promptly. */
export const destroyClients = (clients: OpsClients): void => destroyClientSet(clients);
