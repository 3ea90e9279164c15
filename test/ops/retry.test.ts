import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetEbsEncryptionByDefaultCommand } from '@aws-sdk/client-ec2';
import { runCli } from '../../lib/ops/cli';
import { createClients, destroyClients, RETRY } from '../../lib/ops/clients';
import { tempDir } from '../helpers/app';
import { MOTO_CREDENTIALS } from '../helpers/moto';
import { writeTestConfig } from './config';
import { ACCOUNT } from './fakes';

/**
 * The real SDK clients, with the CLI's retry settings, against a local HTTP
 * endpoint that throttles: proves the settings retry throttling and give up
 * after a bounded number of attempts.
 */

const EC2_THROTTLED = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-1</RequestID></Response>`;
const EC2_EBS_DEFAULT_ON = `<?xml version="1.0" encoding="UTF-8"?>
<GetEbsEncryptionByDefaultResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-2</requestId><ebsEncryptionByDefault>true</ebsEncryptionByDefault></GetEbsEncryptionByDefaultResponse>`;
const STS_THROTTLED = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-3</RequestId></ErrorResponse>`;

let server: Server;
let endpoint: string;
let requests = 0;
let respond: (n: number) => { status: number; body: string } = () => ({ status: 500, body: '' });

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      const { status, body } = respond(requests);
      res.writeHead(status, { 'content-type': 'text/xml' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = 0;
});

const settings = () => ({ endpoint, credentials: MOTO_CREDENTIALS });

const resolve = async (value: unknown) => (typeof value === 'function' ? await value() : value);

test('every client retries in standard mode with a bounded number of attempts', async () => {
  const clients = createClients('eu-west-1', settings());
  try {
    expect(RETRY).toEqual({ retryMode: 'standard', maxAttempts: 5 });
    for (const client of [
      clients.ec2,
      clients.sts,
      clients.cloudtrail,
      clients.ssm,
      clients.autoscaling,
      clients.s3,
      clients.cloudwatch,
    ]) {
      expect(await resolve(client.config.retryMode)).toBe('standard');
      expect(await resolve(client.config.maxAttempts)).toBe(5);
    }
  } finally {
    destroyClients(clients);
  }
});

test('a throttled call is retried until it succeeds', async () => {
  respond = (n) => (n <= 2 ? { status: 503, body: EC2_THROTTLED } : { status: 200, body: EC2_EBS_DEFAULT_ON });
  const clients = createClients('eu-west-1', settings());
  try {
    const out = await clients.ec2.send(new GetEbsEncryptionByDefaultCommand({}));
    expect(out.EbsEncryptionByDefault).toBe(true);
    expect(out.$metadata.attempts).toBe(3);
    expect(requests).toBe(3);
  } finally {
    destroyClients(clients);
  }
});

test('persistent throttling gives up after maxAttempts and the command exits 2 saying so', async () => {
  // Three attempts instead of the CLI's five keep the test short: throttling backoff starts at 0.5 s and doubles.
  const maxAttempts = 3;
  respond = () => ({ status: 400, body: STS_THROTTLED });
  let stderr = '';
  const code = await runCli(['verify', '--env', 'dev', '--config', writeTestConfig(tempDir('ops-retry-'), ACCOUNT)], {
    stdout: () => undefined,
    stderr: (t) => (stderr += t),
    env: { AWS_ENDPOINT_URL: endpoint },
    createClients: (region) => createClients(region, { ...settings(), maxAttempts }),
  });
  expect(code).toBe(2);
  expect(requests).toBe(maxAttempts);
  expect(stderr).toBe(
    'ops verify: AWS kept throttling the request (Throttling) after 3 attempts; wait a minute and run again\n',
  );
});
