import { BackupClient } from '@aws-sdk/client-backup';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { HTTP_TIMEOUTS, RETRY } from '../clients';

/** The AWS clients of one region that teardown needs. */
export interface TeardownRegionClients {
  readonly region: string;
  readonly cloudformation: CloudFormationClient;
  readonly s3: S3Client;
  readonly logs: CloudWatchLogsClient;
  readonly kms: KMSClient;
  readonly rds: RDSClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  /** The backup vaults and their recovery points (DATA-3). */
  readonly backup: BackupClient;
  /** The parameters written outside CloudFormation (release record, golden AMI). */
  readonly ssm: SSMClient;
}

export function createTeardownClients(region: string): TeardownRegionClients {
  const config = { region, ...RETRY, requestHandler: { ...HTTP_TIMEOUTS } };
  return {
    region,
    cloudformation: new CloudFormationClient(config),
    s3: new S3Client({ ...config, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(config),
    kms: new KMSClient(config),
    rds: new RDSClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    backup: new BackupClient(config),
    ssm: new SSMClient(config),
  };
}

export function destroyTeardownClients(c: TeardownRegionClients): void {
  for (const client of [c.cloudformation, c.s3, c.logs, c.kms, c.rds, c.elbv2, c.backup, c.ssm]) client.destroy();
}

/** True when `e` says the thing is already gone: one of the given error names or codes, or a not-found message. */
export function isNotFound(e: unknown, ...names: string[]): boolean {
  const err = e as { name?: string; Code?: string; message?: string };
  return (
    names.includes(err.name ?? '') ||
    names.includes(err.Code ?? '') ||
    /does not exist|not found|NotFound/i.test(err.message ?? '')
  );
}

/** Runs `fn`; an error saying the thing is already gone counts as done (a second run deletes only what is left). */
export async function ignoreNotFound(fn: () => Promise<unknown>, ...names: string[]): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e, ...names)) throw e;
  }
}

/** Waits `seconds` (tests pass 0). */
export const sleep = (seconds: number) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));
