import type { LoadedAssembly } from '../../../lib/compliance/evidence/assembly';
import { fleetHealthAlarmNames } from '../../../lib/config/naming';
import { SECURITY_HUB_STANDARDS } from '../../../lib/constructs/detection';
import { type LiveContext, runFamily } from '../../../lib/ops/live/check';
import { ENDPOINT_SERVICES } from '../../../lib/ops/live/network';
import { FAMILIES } from '../../../lib/ops/live/index';
import { STRICT_TLS_POLICIES } from '../../../lib/config/schema';
import type { CheckResult } from '../../../lib/ops/verify';
import { testEnvironment } from '../config';
import { ACCOUNT, awsError, fakeClients, type Handlers } from '../fakes';
import { fakeLiveClients } from './fakes';

/**
 * Every live check over in-memory fakes (docs/operations.md lists which APIs
 * moto lacks): one compliant account where every row passes, then one
 * injected fault per check that must turn exactly that check into FAIL.
 */
const NOW = new Date('2030-06-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const env = testEnvironment('dev', ACCOUNT);
const TAGS = [
  { Key: 'application', Value: 'acme-saas' },
  { Key: 'environment', Value: 'dev' },
];
const LB = 'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/dev-alb/1';
const DATA = `acme-saas-dev-${ACCOUNT}-eu-west-1-data`;
const REPLICA = `acme-saas-dev-${ACCOUNT}-dr`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`;
const GOLDEN = 'ami-0123456789abcdef0';
const DR_KEY = `arn:aws:kms:${env.drRegion}:${ACCOUNT}:key/dr-images`;
const template = { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { A: 1, B: [1, 2] } } } };
const assembly: LoadedAssembly = {
  directory: 'cdk.out',
  environments: [
    {
      name: 'dev',
      directory: 'assembly-dev',
      stacks: [
        { stackName: 'dev-Data', template, templateFile: 'dev-Data.template.json', terminationProtection: true },
      ],
    },
  ],
  delivery: [],
};
const trust = (statement: object) => encodeURIComponent(JSON.stringify({ Statement: [statement] }));
const mfaTrust = trust({
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: 'sts:AssumeRole',
  Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
});
const policy = (action: string) =>
  encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: [action], Resource: '*' }] }));
const listener443 = {
  ListenerArn: 'l-443',
  Port: 443,
  Protocol: 'HTTPS',
  SslPolicy: STRICT_TLS_POLICIES[0],
  DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
};
const listener80 = {
  ListenerArn: 'l-80',
  Port: 80,
  Protocol: 'HTTP',
  DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
};
const managed = (name: string, override: object = { None: {} }) => ({
  Name: name,
  Statement: { ManagedRuleGroupStatement: { Name: name, VendorName: 'AWS' } },
  OverrideAction: override,
});
const lbAttributes: Record<string, string> = {
  'routing.http.drop_invalid_header_fields.enabled': 'true',
  'routing.http.desync_mitigation_mode': 'strictest',
  'access_logs.s3.enabled': 'true',
};
const rateRule = {
  Name: 'Rate',
  Statement: { RateBasedStatement: { Limit: env.waf.rateLimit } },
  Action: { Block: {} },
};

/** A compliant account: every live row passes. */
const GOOD: Handlers = {
  DescribeLoadBalancersCommand: () => ({ LoadBalancers: [{ LoadBalancerArn: LB, LoadBalancerName: 'dev-alb' }] }),
  DescribeTagsCommand: () => ({
    TagDescriptions: [{ ResourceArn: LB, Tags: [...TAGS, { Key: 'saas:component', Value: 'public-entry' }] }],
  }),
  DescribeLoadBalancerAttributesCommand: () => ({
    Attributes: Object.entries(lbAttributes).map(([Key, Value]) => ({ Key, Value })),
  }),
  DescribeListenersCommand: () => ({ Listeners: [listener80, listener443] }),
  DescribeListenerAttributesCommand: () => ({
    Attributes: [
      {
        Key: 'routing.http.response.strict_transport_security.header_value',
        Value: 'max-age=31536000; includeSubDomains',
      },
    ],
  }),
  GetWebACLForResourceCommand: () => ({
    WebACL: {
      Name: 'dev-acl',
      ARN: 'arn:acl',
      Rules: [
        managed('AWSManagedRulesCommonRuleSet'),
        managed('AWSManagedRulesKnownBadInputsRuleSet'),
        managed('AWSManagedRulesAmazonIpReputationList'),
        rateRule,
      ],
    },
  }),
  GetLoggingConfigurationCommand: () => ({
    LoggingConfiguration: {
      LogDestinationConfigs: [`arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:aws-waf-logs-acme-saas-dev`],
    },
  }),
  DescribeVpcsCommand: () => ({
    Vpcs: [
      {
        VpcId: 'vpc-1',
        Tags: [...TAGS, { Key: 'owner', Value: 'platform' }, { Key: 'data-classification', Value: 'internal' }],
      },
    ],
  }),
  DescribeFlowLogsCommand: () => ({
    FlowLogs: [
      {
        FlowLogId: 'fl-1',
        TrafficType: 'ALL',
        FlowLogStatus: 'ACTIVE',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: '/flow',
      },
    ],
  }),
  DescribeLogGroupsCommand: (input: { logGroupNamePrefix: string }) => ({
    logGroups:
      input.logGroupNamePrefix === '/flow'
        ? [{ logGroupName: '/flow', retentionInDays: 731 }]
        : ['audit', 'system', 'app'].map((s) => ({
            logGroupName: `/acme-saas/dev/fleet/${s}`,
            retentionInDays: 365,
            kmsKeyId: 'arn:key/logs',
          })),
  }),
  DescribeVpcEndpointsCommand: () => ({
    VpcEndpoints: ENDPOINT_SERVICES.map((s) => ({ ServiceName: `com.amazonaws.eu-west-1.${s}`, State: 'available' })),
  }),
  DescribeAutoScalingGroupsCommand: () => ({
    AutoScalingGroups: [
      {
        AutoScalingGroupName: 'dev-fleet',
        AvailabilityZones: ['eu-west-1a', 'eu-west-1b'],
        HealthCheckType: 'ELB',
        TargetGroupARNs: ['arn:tg'],
        MaxInstanceLifetime: env.fleet.maxInstanceLifetimeDays * 86_400,
      },
    ],
  }),
  ListImagePipelinesCommand: () => ({
    imagePipelineList: [
      {
        name: 'acme-saas-dev',
        arn: 'arn:pipeline',
        status: 'ENABLED',
        imageTestsConfiguration: { imageTestsEnabled: true },
        imageScanningConfiguration: { imageScanningEnabled: true },
      },
    ],
  }),
  ListImagePipelineImagesCommand: () => ({
    imageSummaryList: [{ state: { status: 'AVAILABLE' }, dateCreated: hoursAgo(5).toISOString() }],
  }),
  ListLifecyclePoliciesCommand: () => ({ lifecyclePolicySummaryList: [{ name: 'acme-saas-dev', status: 'ENABLED' }] }),
  DescribeDBInstancesCommand: () => ({
    DBInstances: [
      {
        StorageEncrypted: true,
        KmsKeyId: 'arn:key/db',
        MultiAZ: env.database.multiAz,
        DeletionProtection: true,
        BackupRetentionPeriod: 7,
        PubliclyAccessible: false,
        DBParameterGroups: [{ DBParameterGroupName: 'pg' }],
      },
    ],
  }),
  DescribeKeyCommand: () => ({ KeyMetadata: { KeyManager: 'CUSTOMER' } }),
  GetParameterCommand: () => ({ Parameter: { Value: GOLDEN } }),
  // The golden AMI by ID in the primary region; its copy by name (owned by the account) in the DR region.
  DescribeImagesCommand: (input: { ImageIds?: string[] }) => ({
    Images: input.ImageIds
      ? [{ ImageId: GOLDEN, Name: 'acme-saas-dev-golden 2030-06-01', CreationDate: hoursAgo(4).toISOString() }]
      : [{ ImageId: 'ami-dr', BlockDeviceMappings: [{ Ebs: { Encrypted: true, KmsKeyId: DR_KEY } }] }],
  }),
  ListFindingsCommand: () => ({ findings: [] }),
  DescribeDBParametersCommand: () => ({ Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '1' }] }),
  ListBucketsCommand: () => ({ Buckets: [{ Name: DATA }, { Name: REPLICA }, { Name: 'someone-else' }] }),
  GetBucketEncryptionCommand: () => ({
    ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] },
  }),
  GetPublicAccessBlockCommand: () => ({
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
  }),
  GetBucketPolicyCommand: () => ({
    Policy: JSON.stringify({
      Statement: [{ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
    }),
  }),
  GetBucketVersioningCommand: () => ({ Status: 'Enabled' }),
  GetBucketReplicationCommand: () => ({
    ReplicationConfiguration: {
      Rules: [
        {
          Status: 'Enabled',
          Destination: {
            Bucket: `arn:aws:s3:::${REPLICA}`,
            EncryptionConfiguration: { ReplicaKmsKeyID: 'arn:dr-key' },
          },
        },
      ],
    },
  }),
  ListAliasesCommand: () => ({ Aliases: [{ AliasName: 'alias/acme-saas/dev/data', TargetKeyId: 'k1' }] }),
  GetKeyRotationStatusCommand: () => ({ KeyRotationEnabled: true, RotationPeriodInDays: 365 }),
  ListBackupVaultsCommand: () => ({ BackupVaultList: [{ BackupVaultName: 'dev-vault', BackupVaultArn: 'arn:vault' }] }),
  ListTagsCommand: () => ({ Tags: { application: 'acme-saas', environment: 'dev' } }),
  ListBackupJobsCommand: () => ({ BackupJobs: [{ CompletionDate: hoursAgo(3) }] }),
  DescribeBackupVaultCommand: () => ({ Locked: true, MinRetentionDays: 7 }),
  ListCopyJobsCommand: () => ({ CopyJobs: [{ State: 'COMPLETED' }] }),
  ListRestoreTestingPlansCommand: () => ({
    RestoreTestingPlans: [{ RestoreTestingPlanName: 'dev_Data_Backup_drill', RestoreTestingPlanArn: 'arn:rtp' }],
  }),
  ListRestoreJobsCommand: () => ({ RestoreJobs: [{ Status: 'COMPLETED', ValidationStatus: 'SUCCESSFUL' }] }),
  DescribeAlarmsCommand: () => ({
    MetricAlarms: Object.values(fleetHealthAlarmNames('acme-saas', 'dev')).map((AlarmName) => ({
      AlarmName,
      AlarmActions: [TOPIC],
    })),
  }),
  GetTopicAttributesCommand: () => ({ Attributes: { KmsMasterKeyId: 'arn:key/alerts' } }),
  ListSubscriptionsByTopicCommand: () => ({
    Subscriptions: [{ SubscriptionArn: `${TOPIC}:1`, Protocol: 'email', Endpoint: 'ops@example.com' }],
  }),
  ListDetectorsCommand: () => ({ DetectorIds: ['d1'] }),
  GetDetectorCommand: () => ({ Status: 'ENABLED' }),
  GetEnabledStandardsCommand: () => ({
    StandardsSubscriptions: SECURITY_HUB_STANDARDS.map((p) => ({
      StandardsArn: `arn:aws:securityhub:eu-west-1::${p}`,
      StandardsStatus: 'READY',
    })),
  }),
  DescribeConfigurationRecorderStatusCommand: () => ({
    ConfigurationRecordersStatus: [{ name: 'default', recording: true, lastStatus: 'Success' }],
  }),
  BatchGetAccountStatusCommand: () => ({ accounts: [{ resourceState: { ec2: { status: 'ENABLED' } } }] }),
  GetDocumentCommand: () => ({
    Content: JSON.stringify({
      inputs: {
        s3BucketName: 'sessions',
        s3EncryptionEnabled: true,
        cloudWatchLogGroupName: '/sessions',
        cloudWatchEncryptionEnabled: true,
        kmsKeyId: 'k',
      },
    }),
  }),
  ListRolesCommand: () => ({
    Roles: [
      { RoleName: 'dev-admin', Path: '/', AssumeRolePolicyDocument: mfaTrust },
      {
        RoleName: 'dev-fleet',
        Path: '/',
        AssumeRolePolicyDocument: trust({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' } }),
      },
    ],
  }),
  ListRoleTagsCommand: () => ({ Tags: TAGS }),
  ListRolePoliciesCommand: () => ({ PolicyNames: ['inline'] }),
  GetRolePolicyCommand: () => ({ PolicyDocument: policy('s3:GetObject') }),
  ListAttachedRolePoliciesCommand: () => ({ AttachedPolicies: [] }),
  DescribeStacksCommand: () => ({
    Stacks: [
      { StackName: 'dev-Data', EnableTerminationProtection: true, DriftInformation: { StackDriftStatus: 'IN_SYNC' } },
    ],
  }),
  // Same template, other key order and formatting: the normalised hash is equal.
  GetTemplateCommand: () => ({
    TemplateBody: JSON.stringify(
      { Resources: { Bucket: { Properties: { B: [1, 2], A: 1 }, Type: 'AWS::S3::Bucket' } } },
      null,
      4,
    ),
  }),
};

async function liveRows(handlers: Handlers): Promise<CheckResult[]> {
  const ctx: LiveContext = {
    ops: fakeClients(handlers),
    live: fakeLiveClients(handlers),
    dr: fakeLiveClients(handlers, env.drRegion),
    env,
    now: NOW,
    endpoint: 'fake',
    assembly,
  };
  return (await Promise.all(FAMILIES.map((f) => runFamily(f, ctx)))).flat();
}

const with_ = (patch: Handlers): Handlers => ({ ...GOOD, ...patch });
const notFound = (name: string) => () => {
  throw awsError(name);
};

test('a compliant account passes every live row, of 29 controls (verify adds LOG-1, IMM-2 and IAM-3)', async () => {
  const rows = await liveRows(GOOD);
  expect(rows.filter((r) => r.status !== 'PASS')).toEqual([]);
  expect(new Set(rows.map((r) => r.control)).size).toBe(29);
  expect(rows.every((r) => r.property && r.found && r.required)).toBe(true);
});

const lbAttr = (key: string, value: string) => ({
  DescribeLoadBalancerAttributesCommand: () => ({
    Attributes: Object.entries({ ...lbAttributes, [key]: value }).map(([Key, Value]) => ({ Key, Value })),
  }),
});

/** [check that must FAIL, the fault]: each fault breaks one promise and nothing else. */
const FAULTS: [string, Handlers, string[]?][] = [
  [
    'backup.within-24h',
    { ListBackupJobsCommand: () => ({ BackupJobs: [] }) },
    ['backup.within-12h', 'backup.within-24h'],
  ],
  [
    'alarms.notify',
    {
      DescribeAlarmsCommand: () => ({
        MetricAlarms: [
          ...(GOOD.DescribeAlarmsCommand!({}, 1) as { MetricAlarms: object[] }).MetricAlarms,
          { AlarmName: 'dev-Monitoring-DbCpu-1', AlarmActions: [] },
        ],
      }),
    },
  ],
  [
    'image.golden-age',
    {
      DescribeImagesCommand: (input: { ImageIds?: string[] }, n: number) =>
        input.ImageIds
          ? { Images: [{ ImageId: GOLDEN, Name: 'acme-saas-dev-golden', CreationDate: hoursAgo(40).toISOString() }] }
          : GOOD.DescribeImagesCommand!(input, n),
    },
  ],
  [
    'image.dr-copy',
    {
      // The copy is encrypted, but with a key of the primary region.
      DescribeImagesCommand: (input: { ImageIds?: string[] }, n: number) =>
        input.ImageIds
          ? GOOD.DescribeImagesCommand!(input, n)
          : {
              Images: [
                {
                  ImageId: 'ami-dr',
                  BlockDeviceMappings: [{ Ebs: { Encrypted: true, KmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k' } }],
                },
              ],
            },
    },
  ],
  [
    'image.cve-bound',
    {
      ListFindingsCommand: () => ({
        findings: [{ severity: 'CRITICAL', title: 'CVE-2030-1 in openssl', resources: [{ id: 'i-1' }] }],
      }),
    },
  ],
  [
    'alb.tls-policy',
    {
      DescribeListenersCommand: () => ({
        Listeners: [listener80, { ...listener443, SslPolicy: 'ELBSecurityPolicy-2016-08' }],
      }),
    },
  ],
  [
    'alb.hsts',
    {
      DescribeListenerAttributesCommand: () => ({
        Attributes: [{ Key: 'routing.http.response.strict_transport_security.header_value', Value: 'max-age=300' }],
      }),
    },
  ],
  [
    'alb.default-404',
    {
      DescribeListenersCommand: () => ({
        Listeners: [listener80, { ...listener443, DefaultActions: [{ Type: 'forward' }] }],
      }),
    },
  ],
  [
    'alb.http-redirect-only',
    {
      DescribeListenersCommand: () => ({
        Listeners: [{ ...listener80, DefaultActions: [{ Type: 'forward' }] }, listener443],
      }),
    },
  ],
  [
    'alb.listener-ports',
    {
      DescribeListenersCommand: () => ({
        Listeners: [listener80, listener443, { ListenerArn: 'l-8080', Port: 8080, Protocol: 'HTTP' }],
      }),
    },
  ],
  ['alb.drop-invalid-headers', lbAttr('routing.http.drop_invalid_header_fields.enabled', 'false')],
  ['alb.desync-strictest', lbAttr('routing.http.desync_mitigation_mode', 'defensive')],
  ['alb.access-logs', lbAttr('access_logs.s3.enabled', 'false')],
  ['waf.associated', { GetWebACLForResourceCommand: () => ({}) }],
  [
    'waf.managed-group',
    {
      GetWebACLForResourceCommand: () => ({
        WebACL: {
          Name: 'dev-acl',
          ARN: 'arn:acl',
          Rules: [
            managed('AWSManagedRulesCommonRuleSet', { Count: {} }),
            managed('AWSManagedRulesKnownBadInputsRuleSet'),
            managed('AWSManagedRulesAmazonIpReputationList'),
            rateRule,
          ],
        },
      }),
    },
  ],
  [
    'waf.rate-rule',
    {
      GetWebACLForResourceCommand: () => ({
        WebACL: {
          Name: 'dev-acl',
          ARN: 'arn:acl',
          Rules: [
            managed('AWSManagedRulesCommonRuleSet'),
            managed('AWSManagedRulesKnownBadInputsRuleSet'),
            managed('AWSManagedRulesAmazonIpReputationList'),
            { ...rateRule, Action: { Count: {} } },
          ],
        },
      }),
    },
  ],
  ['waf.logging', { GetLoggingConfigurationCommand: notFound('WAFNonexistentItemException') }],
  [
    'vpc.flow-logs',
    {
      DescribeFlowLogsCommand: () => ({
        FlowLogs: [{ FlowLogId: 'fl-1', TrafficType: 'REJECT', FlowLogStatus: 'ACTIVE' }],
      }),
    },
  ],
  [
    'vpc.flow-log-retention',
    {
      DescribeLogGroupsCommand: (i: { logGroupNamePrefix: string }) =>
        i.logGroupNamePrefix === '/flow'
          ? { logGroups: [{ logGroupName: '/flow', retentionInDays: 30 }] }
          : (GOOD.DescribeLogGroupsCommand!(i, 1) as object),
    },
  ],
  [
    'vpc.endpoints',
    {
      DescribeVpcEndpointsCommand: () => ({
        VpcEndpoints: ENDPOINT_SERVICES.filter((s) => s !== 'sts').map((s) => ({
          ServiceName: `com.amazonaws.eu-west-1.${s}`,
          State: 'available',
        })),
      }),
    },
  ],
  ['tags.required', { DescribeVpcsCommand: () => ({ Vpcs: [{ VpcId: 'vpc-1', Tags: TAGS }] }) }],
  [
    'fleet.zones',
    {
      DescribeAutoScalingGroupsCommand: () => ({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: 'dev-fleet',
            AvailabilityZones: ['eu-west-1a'],
            HealthCheckType: 'ELB',
            TargetGroupARNs: ['tg'],
            MaxInstanceLifetime: 86_400,
          },
        ],
      }),
    },
  ],
  [
    'fleet.elb-health-check',
    {
      DescribeAutoScalingGroupsCommand: () => ({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: 'dev-fleet',
            AvailabilityZones: ['a', 'b'],
            HealthCheckType: 'EC2',
            TargetGroupARNs: ['tg'],
            MaxInstanceLifetime: 86_400,
          },
        ],
      }),
    },
  ],
  [
    'fleet.max-lifetime',
    {
      DescribeAutoScalingGroupsCommand: () => ({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: 'dev-fleet',
            AvailabilityZones: ['a', 'b'],
            HealthCheckType: 'ELB',
            TargetGroupARNs: ['tg'],
          },
        ],
      }),
    },
  ],
  [
    'image.pipeline',
    {
      ListImagePipelinesCommand: () => ({
        imagePipelineList: [
          {
            name: 'acme-saas-dev',
            arn: 'arn:p',
            status: 'ENABLED',
            imageTestsConfiguration: { imageTestsEnabled: true },
            imageScanningConfiguration: { imageScanningEnabled: false },
          },
        ],
      }),
    },
  ],
  [
    'image.last-build',
    {
      ListImagePipelineImagesCommand: () => ({
        imageSummaryList: [
          { state: { status: 'AVAILABLE' }, dateCreated: hoursAgo(40).toISOString() },
          { state: { status: 'FAILED' }, dateCreated: hoursAgo(1).toISOString() },
        ],
      }),
    },
  ],
  ['image.lifecycle', { ListLifecyclePoliciesCommand: () => ({ lifecyclePolicySummaryList: [] }) }],
  [
    'rds.encrypted-cmk',
    {
      DescribeKeyCommand: (i: { KeyId: string }) => ({
        KeyMetadata: { KeyManager: i.KeyId === 'arn:key/db' ? 'AWS' : 'CUSTOMER' },
      }),
    },
  ],
  [
    'rds.multi-az',
    {
      DescribeDBInstancesCommand: () => ({
        DBInstances: [
          {
            ...(GOOD.DescribeDBInstancesCommand!({}, 1) as { DBInstances: object[] }).DBInstances[0],
            MultiAZ: !env.database.multiAz,
          },
        ],
      }),
    },
  ],
  [
    'rds.deletion-protection',
    {
      DescribeDBInstancesCommand: () => ({
        DBInstances: [
          {
            ...(GOOD.DescribeDBInstancesCommand!({}, 1) as { DBInstances: object[] }).DBInstances[0],
            DeletionProtection: false,
          },
        ],
      }),
    },
  ],
  [
    'rds.pitr-window',
    {
      DescribeDBInstancesCommand: () => ({
        DBInstances: [
          {
            ...(GOOD.DescribeDBInstancesCommand!({}, 1) as { DBInstances: object[] }).DBInstances[0],
            BackupRetentionPeriod: 1,
          },
        ],
      }),
    },
  ],
  [
    'rds.not-public',
    {
      DescribeDBInstancesCommand: () => ({
        DBInstances: [
          {
            ...(GOOD.DescribeDBInstancesCommand!({}, 1) as { DBInstances: object[] }).DBInstances[0],
            PubliclyAccessible: true,
          },
        ],
      }),
    },
  ],
  [
    'rds.force-ssl',
    { DescribeDBParametersCommand: () => ({ Parameters: [{ ParameterName: 'rds.force_ssl', ParameterValue: '0' }] }) },
  ],
  [
    's3.encryption',
    {
      GetBucketEncryptionCommand: (i: { Bucket: string }) => ({
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: i.Bucket === DATA ? 'AES256' : 'aws:kms' } }],
        },
      }),
    },
  ],
  ['s3.public-access-block', { GetPublicAccessBlockCommand: notFound('NoSuchPublicAccessBlockConfiguration') }],
  ['s3.tls-only', { GetBucketPolicyCommand: notFound('NoSuchBucketPolicy') }],
  ['s3.versioning', { GetBucketVersioningCommand: () => ({ Status: 'Suspended' }) }],
  ['s3.replication', { GetBucketReplicationCommand: notFound('ReplicationConfigurationNotFoundError') }],
  ['kms.rotation', { GetKeyRotationStatusCommand: () => ({ KeyRotationEnabled: false }) }],
  ['backup.within-12h', { ListBackupJobsCommand: () => ({ BackupJobs: [{ CompletionDate: hoursAgo(18) }] }) }],
  ['backup.vault-lock', { DescribeBackupVaultCommand: () => ({ Locked: false }) }],
  ['backup.dr-copy', { ListCopyJobsCommand: () => ({ CopyJobs: [{ State: 'COMPLETED' }, { State: 'FAILED' }] }) }],
  [
    'backup.restore-test',
    { ListRestoreJobsCommand: () => ({ RestoreJobs: [{ Status: 'COMPLETED', ValidationStatus: 'FAILED' }] }) },
  ],
  [
    'logs.fleet-groups',
    {
      DescribeLogGroupsCommand: (i: { logGroupNamePrefix: string }) =>
        i.logGroupNamePrefix === '/flow'
          ? { logGroups: [{ logGroupName: '/flow', retentionInDays: 731 }] }
          : { logGroups: [{ logGroupName: '/acme-saas/dev/fleet/audit', retentionInDays: 365 }] },
    },
  ],
  [
    'alarms.present',
    {
      DescribeAlarmsCommand: () => ({
        MetricAlarms: [{ AlarmName: fleetHealthAlarmNames('acme-saas', 'dev').target5xx, AlarmActions: [TOPIC] }],
      }),
    },
  ],
  [
    'alarms.topic',
    {
      ListSubscriptionsByTopicCommand: () => ({
        Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email' }],
      }),
    },
  ],
  ['detect.guardduty', { GetDetectorCommand: () => ({ Status: 'DISABLED' }) }],
  [
    'detect.securityhub',
    {
      GetEnabledStandardsCommand: () => ({
        StandardsSubscriptions: [
          { StandardsArn: `arn:aws:securityhub:eu-west-1::${SECURITY_HUB_STANDARDS[0]}`, StandardsStatus: 'READY' },
        ],
      }),
    },
  ],
  [
    'detect.config',
    {
      DescribeConfigurationRecorderStatusCommand: () => ({
        ConfigurationRecordersStatus: [{ name: 'default', recording: false }],
      }),
    },
  ],
  [
    'detect.inspector',
    { BatchGetAccountStatusCommand: () => ({ accounts: [{ resourceState: { ec2: { status: 'DISABLED' } } }] }) },
  ],
  [
    'ssm.session-preferences',
    {
      GetDocumentCommand: () => ({
        Content: JSON.stringify({
          inputs: {
            s3BucketName: 'sessions',
            s3EncryptionEnabled: false,
            cloudWatchLogGroupName: '/s',
            cloudWatchEncryptionEnabled: true,
            kmsKeyId: 'k',
          },
        }),
      }),
    },
  ],
  [
    'iam.mfa',
    {
      ListRolesCommand: () => ({
        Roles: [
          {
            RoleName: 'dev-admin',
            Path: '/',
            AssumeRolePolicyDocument: trust({
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: 'sts:AssumeRole',
            }),
          },
        ],
      }),
    },
  ],
  ['iam.no-wildcard-actions', { GetRolePolicyCommand: () => ({ PolicyDocument: policy('s3:*') }) }],
  [
    'drift.template',
    {
      GetTemplateCommand: () => ({
        TemplateBody: JSON.stringify({
          Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: { A: 2, B: [1, 2] } } },
        }),
      }),
    },
  ],
  [
    'drift.resources',
    {
      DescribeStacksCommand: () => ({
        Stacks: [
          {
            StackName: 'dev-Data',
            EnableTerminationProtection: true,
            DriftInformation: { StackDriftStatus: 'DRIFTED' },
          },
        ],
      }),
    },
  ],
  [
    'stack.termination-protection',
    {
      DescribeStacksCommand: () => ({
        Stacks: [
          {
            StackName: 'dev-Data',
            EnableTerminationProtection: false,
            DriftInformation: { StackDriftStatus: 'IN_SYNC' },
          },
        ],
      }),
    },
  ],
];

// A rest parameter: with a third declared parameter jest would take it for the `done` callback on two-element rows.
test.each(FAULTS)('%s: the injected fault is a FAIL of that check only', async (check, patch, ...rest) => {
  const also = rest[0];
  const rows = await liveRows(with_(patch));
  const bad = rows.filter((r) => r.status !== 'PASS');
  expect([...new Set(bad.map((r) => `${r.check} ${r.status}`))]).toEqual((also ?? [check]).map((c) => `${c} FAIL`));
});

test('every live check has a fault case', async () => {
  const checks = new Set((await liveRows(GOOD)).map((r) => r.check));
  expect([...checks].filter((c) => !FAULTS.some(([f]) => f === c))).toEqual([]);
});

test('an API the endpoint lacks is an ERROR row of each control it serves, naming the API; the rest is still judged', async () => {
  // What moto answers for Image Builder and restore testing: not an AWS response.
  const unsupported = () => {
    throw Object.assign(new Error('Deserialization error: to see the raw response, inspect the hidden field'), {
      name: 'SyntaxError',
      $metadata: { httpStatusCode: 404 },
      $call: { service: 'Imagebuilder', operation: 'ListImagePipelines' },
    });
  };
  const rows = await liveRows(with_({ ListImagePipelinesCommand: unsupported, ListBackupJobsCommand: unsupported }));
  const bad = rows.filter((r) => r.status !== 'PASS');
  expect(bad.map((r) => `${r.check} ${r.control} ${r.status}`)).toEqual([
    'image.pipeline IMM-1 ERROR',
    'image.last-build IMM-4 ERROR',
    'backup.within-12h DATA-3 ERROR',
    'backup.within-24h DATA-3 ERROR',
  ]);
  expect(bad[0].detail).toMatch(
    /^Imagebuilder ListImagePipelines failed: fake answered with something that is not an AWS API response \(HTTP 404\)/,
  );
  // The golden AMI's age (IMM-4) and the vault lock (DATA-3) are still judged.
  expect(rows.find((r) => r.check === 'image.golden-age')?.status).toBe('PASS');
  expect(rows.find((r) => r.check === 'backup.vault-lock')?.status).toBe('PASS');
});

test('an AWS error in a family is one ERROR row, never a PASS; the other families still run', async () => {
  const rows = await liveRows(with_({ ListDetectorsCommand: notFound('AccessDeniedException') }));
  expect(rows.filter((r) => r.status !== 'PASS').map((r) => `${r.check} ${r.status}`)).toEqual([
    'detect.guardduty ERROR',
  ]);
});
