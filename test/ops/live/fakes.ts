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
import type { LiveClients } from '../../../lib/ops/live/clients';
import { type Call, fakeClient, fakeSend, type Handlers } from '../fakes';

/**
 * In-memory fakes of the live evidence clients, for the APIs moto lacks or
 * answers wrongly (Image Builder, Backup jobs, restore testing, Security Hub
 * standards, Inspector, WAF on a moto-deployed stack, listener attributes):
 * real client objects whose `send` answers from handlers keyed by command
 * name; an unexpected command throws.
 */
export function fakeLiveClients(handlers: Handlers, region = 'eu-west-1', calls: Call[] = []): LiveClients {
  const config = { region, credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' } };
  const fake = fakeClient(fakeSend(handlers, calls));
  return {
    region,
    backup: fake(new BackupClient(config)),
    cloudformation: fake(new CloudFormationClient(config)),
    cloudwatch: fake(new CloudWatchClient(config)),
    logs: fake(new CloudWatchLogsClient(config)),
    config: fake(new ConfigServiceClient(config)),
    elbv2: fake(new ElasticLoadBalancingV2Client(config)),
    guardduty: fake(new GuardDutyClient(config)),
    iam: fake(new IAMClient(config)),
    imagebuilder: fake(new ImagebuilderClient(config)),
    inspector: fake(new Inspector2Client(config)),
    kms: fake(new KMSClient(config)),
    rds: fake(new RDSClient(config)),
    s3: fake(new S3Client(config)),
    securityhub: fake(new SecurityHubClient(config)),
    sns: fake(new SNSClient(config)),
    ec2: fake(new EC2Client(config)),
    wafv2: fake(new WAFV2Client(config)),
  };
}

/** An account where nothing of the environment exists: every live family answers "not found". */
export const EMPTY_LIVE: Handlers = {
  DescribeLoadBalancersCommand: () => ({ LoadBalancers: [] }),
  DescribeFlowLogsCommand: () => ({ FlowLogs: [] }),
  ListImagePipelinesCommand: () => ({ imagePipelineList: [] }),
  ListLifecyclePoliciesCommand: () => ({ lifecyclePolicySummaryList: [] }),
  DescribeDBInstancesCommand: () => {
    throw Object.assign(new Error('not found'), { name: 'DBInstanceNotFoundFault' });
  },
  ListBucketsCommand: () => ({ Buckets: [] }),
  ListAliasesCommand: () => ({ Aliases: [] }),
  ListBackupVaultsCommand: () => ({ BackupVaultList: [] }),
  ListRestoreTestingPlansCommand: () => ({ RestoreTestingPlans: [] }),
  DescribeLogGroupsCommand: () => ({ logGroups: [] }),
  DescribeAlarmsCommand: () => ({ MetricAlarms: [] }),
  ListDetectorsCommand: () => ({ DetectorIds: [] }),
  GetEnabledStandardsCommand: () => ({ StandardsSubscriptions: [] }),
  DescribeConfigurationRecorderStatusCommand: () => ({ ConfigurationRecordersStatus: [] }),
  BatchGetAccountStatusCommand: () => ({ accounts: [] }),
  GetDocumentCommand: () => {
    throw Object.assign(new Error('no document'), { name: 'InvalidDocument' });
  },
  ListRolesCommand: () => ({ Roles: [] }),
  ListFindingsCommand: () => ({ findings: [] }),
};
