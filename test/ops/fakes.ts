import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { OpsClients } from '../../lib/ops/clients';

/**
 * Hand-written fakes of the SDK clients: real client objects (the SDK
 * paginators check `instanceof`) whose `send` answers from a table of
 * handlers keyed by command name, e.g. `DescribeInstancesCommand`.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (input: any, call: number) => unknown;
export type Handlers = Partial<Record<string, Handler>>;

export interface Call {
  readonly command: string;
  readonly input: Record<string, unknown>;
}

export interface FakeClients extends OpsClients {
  /** Every command sent, in order. */
  readonly calls: Call[];
  /** The inputs of one command, in order. */
  inputs(command: string): Record<string, unknown>[];
}

/** An error shaped like the SDK's service exceptions. */
export function awsError(name: string, message = name, attempts = 1): Error {
  return Object.assign(new Error(message), { name, $metadata: { attempts, httpStatusCode: 400 } });
}

export const ACCOUNT = '123456789012';

// The SDK's notice that releases after January 2027 need Node 22 would be printed once per test file.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

type Command = { constructor: { name: string }; input: Record<string, unknown> };

/**
 * A client's `send` answered by `handlers` (each told how many times its command came), recording every command in
 * `calls`; an unexpected command fails the test loudly. Shared by every fake client set of the tests.
 */
export function fakeSend(handlers: Handlers, calls: Call[]): (command: Command) => Promise<unknown> {
  const counts = new Map<string, number>();
  return async (command) => {
    const name = command.constructor.name;
    // A copy: the SDK paginators reuse and mutate one input object across pages.
    calls.push({ command: name, input: { ...command.input } });
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    const handler = handlers[name];
    if (!handler) throw new Error(`fake AWS: unexpected ${name} ${JSON.stringify(command.input)}`);
    return handler(command.input, n);
  };
}

/** Puts `send` on a real client object (the SDK paginators check `instanceof`). */
export const fakeClient =
  (send: (command: Command) => Promise<unknown>) =>
  <T extends { send: unknown }>(client: T): T =>
    Object.assign(client, { send });

/** Clients whose commands are answered by `handlers`; an unexpected command fails the test loudly. */
export function fakeClients(handlers: Handlers, region = 'eu-west-1'): FakeClients {
  const calls: Call[] = [];
  const config = { region, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } };
  const all: Handlers = {
    GetCallerIdentityCommand: () => ({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/tester` }),
    ...handlers,
  };
  const fake = fakeClient(fakeSend(all, calls));
  return {
    region,
    autoscaling: fake(new AutoScalingClient(config)),
    cloudtrail: fake(new CloudTrailClient(config)),
    cloudwatch: fake(new CloudWatchClient(config)),
    ec2: fake(new EC2Client(config)),
    s3: fake(new S3Client(config)),
    ssm: fake(new SSMClient(config)),
    sts: fake(new STSClient(config)),
    calls,
    inputs: (command) => calls.filter((c) => c.command === command).map((c) => c.input),
  };
}
