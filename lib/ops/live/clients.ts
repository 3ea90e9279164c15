import { BackupClient } from '@aws-sdk/client-backup';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { IAMClient } from '@aws-sdk/client-iam';
import { ImagebuilderClient } from '@aws-sdk/client-imagebuilder';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { KMSClient } from '@aws-sdk/client-kms';
import { RDSClient } from '@aws-sdk/client-rds';
import { S3Client } from '@aws-sdk/client-s3';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { clientConfig, type ClientSettings, type OpsClients, pathStyle } from '../clients';
import { nameFailedCalls } from './check';

/**
 * The clients the live evidence checks use beyond {@link OpsClients}, all in
 * one region, with the same retry and timeout settings. Kept apart from
 * `OpsClients` so rotate, rollback and release do not create them.
 */
export interface LiveClients {
  readonly region: string;
  readonly backup: BackupClient;
  readonly cloudformation: CloudFormationClient;
  readonly cloudwatch: CloudWatchClient;
  readonly logs: CloudWatchLogsClient;
  readonly config: ConfigServiceClient;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly guardduty: GuardDutyClient;
  readonly iam: IAMClient;
  readonly imagebuilder: ImagebuilderClient;
  readonly inspector: Inspector2Client;
  readonly kms: KMSClient;
  readonly rds: RDSClient;
  readonly s3: S3Client;
  readonly securityhub: SecurityHubClient;
  readonly sns: SNSClient;
  /** The DR region's images (IMM-8). */
  readonly ec2: EC2Client;
  readonly wafv2: WAFV2Client;
}

export function createLiveClients(region: string, settings: ClientSettings = {}): LiveClients {
  const config = clientConfig(region, settings);
  return namingFailedCalls({
    region,
    backup: new BackupClient(config),
    cloudformation: new CloudFormationClient(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    config: new ConfigServiceClient(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    guardduty: new GuardDutyClient(config),
    iam: new IAMClient(config),
    imagebuilder: new ImagebuilderClient(config),
    inspector: new Inspector2Client(config),
    kms: new KMSClient(config),
    rds: new RDSClient(config),
    s3: new S3Client({ ...config, forcePathStyle: pathStyle(settings.endpoint) }),
    securityhub: new SecurityHubClient(config),
    sns: new SNSClient(config),
    ec2: new EC2Client(config),
    wafv2: new WAFV2Client(config),
  });
}

/** The same clients with {@link nameFailedCalls} on each (idempotent: the middleware has a name). */
export function namingFailedCalls<T extends LiveClients | OpsClients>(clients: T): T {
  for (const client of Object.values(clients)) if (typeof client === 'object') nameFailedCalls(client);
  return clients;
}

export function destroyLiveClients(clients: LiveClients): void {
  for (const client of Object.values(clients)) {
    if (typeof client === 'object' && client !== null && 'destroy' in client) (client as { destroy(): void }).destroy();
  }
}
