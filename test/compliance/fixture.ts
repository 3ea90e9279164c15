/**
 * A small hand-written environment (template JSON, not a synth) that meets
 * every template control, for unit tests of lib/compliance/checks: each test
 * breaks one property of a copy and expects exactly its control to fail.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnResourceJson, CheckContext, StackTemplate } from '../../lib/compliance/checks/types';
import type { NagReport } from '../../lib/compliance/checks/nag-report';
import { RELEASE_BLOCK_BEGIN, RELEASE_BLOCK_END } from '../../lib/release/contract';

type Json = Record<string, unknown>;
type Resources = Record<string, CfnResourceJson>;

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const DR_REGION = 'eu-central-1';
export const ENV = 'prod';

const ref = (id: string) => ({ Ref: id });
const att = (id: string, a = 'Arn') => ({ 'Fn::GetAtt': [id, a] });
const imp = (stack: string, name: string) => ({ 'Fn::ImportValue': `${ENV}-${stack}:${name}` });
const tags = (): Json[] =>
  Object.entries({ application: 'app', environment: ENV, owner: 'team', 'data-classification': 'internal' }).map(
    ([Key, Value]) => ({ Key, Value }),
  );
const retained = { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' };

function key(): CfnResourceJson {
  return {
    Type: 'AWS::KMS::Key',
    Properties: {
      EnableKeyRotation: true,
      RotationPeriodInDays: 365,
      KeyPolicy: {
        Statement: [
          { Effect: 'Allow', Action: 'kms:*', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Resource: '*' },
        ],
      },
    },
    ...retained,
  };
}

function logGroup(name?: string): CfnResourceJson {
  return {
    Type: 'AWS::Logs::LogGroup',
    Properties: { LogGroupName: name, RetentionInDays: 365, KmsKeyId: imp('Network', 'LogKeyArn') },
    ...retained,
  };
}

/** DATA-9: the data bucket denies the fleet role every object outside tenants/*. */
function tenantPrefixOnly(resources: Resources): Resources {
  const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy')!;
  ((policy.Properties as Json).PolicyDocument as { Statement: Json[] }).Statement.push({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:PutObject'],
    NotResource: 'arn:aws:s3:::app-prod-data/tenants/*',
    Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/app-prod-fleet-node' } },
  });
  return resources;
}

/** A bucket meeting DATA-2, with its TLS-only policy. */
function bucket(id: string, props: Json, kmsKey?: unknown): Resources {
  return {
    [id]: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: kmsKey
                ? { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKey }
                : { SSEAlgorithm: 'AES256' },
            },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        Tags: tags(),
        ...props,
      },
      ...retained,
    },
    [`${id}Policy`]: {
      Type: 'AWS::S3::BucketPolicy',
      Properties: {
        Bucket: ref(id),
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
            {
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:*',
              Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
            },
            ...(props.ReplicationConfiguration
              ? [
                  {
                    Effect: 'Deny',
                    Principal: { AWS: '*' },
                    Action: 's3:*',
                    Condition: { NumericGreaterThan: { 's3:signatureAge': 900000 } },
                  },
                  {
                    Effect: 'Deny',
                    Principal: { AWS: '*' },
                    Action: 's3:*',
                    Condition: { StringNotEquals: { 's3:signatureversion': 'AWS4-HMAC-SHA256' } },
                  },
                ]
              : []),
          ],
        },
      },
    },
  };
}

const expiring = (days: number) => ({
  LifecycleConfiguration: {
    Rules: [{ Status: 'Enabled', ExpirationInDays: days, NoncurrentVersionExpiration: { NoncurrentDays: 30 } }],
  },
});

function stack(
  name: string,
  resources: Resources,
  outputs: Record<string, unknown> = {},
  region = REGION,
): StackTemplate {
  const withPaths: Resources = {};
  for (const [id, r] of Object.entries(resources)) {
    withPaths[id] = { ...r, Metadata: { 'aws:cdk:path': `${ENV}/${name}/${id}/Resource` } };
  }
  return {
    stackName: `${ENV}-${name}`,
    displayName: `${ENV}/${name}`,
    account: ACCOUNT,
    region,
    terminationProtection: true,
    templateFile: `assembly-${ENV}/${ENV}${name}.template.json`,
    sha256: 'a'.repeat(64),
    template: {
      Resources: withPaths,
      Outputs: Object.fromEntries(
        Object.entries(outputs).map(([n, v]) => [n, { Value: v, Export: { Name: `${ENV}-${name}:${n}` } }]),
      ),
    },
  };
}

const INTERFACE_SERVICES = ['ssm', 'ssmmessages', 'ec2messages', 'logs', 'monitoring', 'kms', 'secretsmanager', 'sts'];

function network(): StackTemplate {
  const subnets: Resources = {};
  const assoc: Resources = {};
  for (const [tier, rt] of [
    ['Pub', 'RtPub'],
    ['Priv', 'RtPriv'],
    ['Iso', 'RtIso'],
  ]) {
    for (const az of ['a', 'b']) {
      subnets[`${tier}${az}`] = {
        Type: 'AWS::EC2::Subnet',
        Properties: { VpcId: ref('Vpc'), AvailabilityZone: `${REGION}${az}`, MapPublicIpOnLaunch: false, Tags: tags() },
      };
      assoc[`${tier}${az}Assoc`] = {
        Type: 'AWS::EC2::SubnetRouteTableAssociation',
        Properties: { RouteTableId: ref(rt), SubnetId: ref(`${tier}${az}`) },
      };
    }
  }
  const endpoints: Resources = {
    EpS3: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcId: ref('Vpc'),
        VpcEndpointType: 'Gateway',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      },
    },
  };
  for (const svc of INTERFACE_SERVICES) {
    endpoints[`Ep${svc}`] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcId: ref('Vpc'),
        VpcEndpointType: 'Interface',
        ServiceName: `com.amazonaws.${REGION}.${svc}`,
        PrivateDnsEnabled: true,
      },
    };
  }
  return stack(
    'Network',
    {
      Vpc: { Type: 'AWS::EC2::VPC', Properties: { CidrBlock: '10.0.0.0/16', Tags: tags() } },
      Igw: { Type: 'AWS::EC2::InternetGateway', Properties: {} },
      ...subnets,
      RtPub: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('Vpc') } },
      RtPriv: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('Vpc') } },
      RtIso: { Type: 'AWS::EC2::RouteTable', Properties: { VpcId: ref('Vpc') } },
      ...assoc,
      RoutePub: {
        Type: 'AWS::EC2::Route',
        Properties: { RouteTableId: ref('RtPub'), DestinationCidrBlock: '0.0.0.0/0', GatewayId: ref('Igw') },
      },
      RoutePriv: {
        Type: 'AWS::EC2::Route',
        Properties: { RouteTableId: ref('RtPriv'), DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: ref('Nat') },
      },
      Nat: { Type: 'AWS::EC2::NatGateway', Properties: { SubnetId: ref('Puba') } },
      RestrictDefaultSg: {
        Type: 'Custom::VpcRestrictDefaultSG',
        Properties: { DefaultSecurityGroupId: att('Vpc', 'DefaultSecurityGroup') },
      },
      FlowLog: {
        Type: 'AWS::EC2::FlowLog',
        Properties: { ResourceId: ref('Vpc'), ResourceType: 'VPC', TrafficType: 'ALL', LogGroupName: ref('FlowLogs') },
      },
      FlowLogs: { ...logGroup(), Properties: { RetentionInDays: 365, KmsKeyId: att('LogKey') } },
      LogKey: key(),
      EndpointSg: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'endpoints',
          VpcId: ref('Vpc'),
          SecurityGroupIngress: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '10.0.0.0/16' }],
        },
      },
      ...endpoints,
    },
    {
      Vpc: ref('Vpc'),
      Puba: ref('Puba'),
      Pubb: ref('Pubb'),
      Priva: ref('Priva'),
      Privb: ref('Privb'),
      Isoa: ref('Isoa'),
      Isob: ref('Isob'),
      LogKeyArn: att('LogKey'),
    },
  );
}

const HSTS = 'routing.http.response.strict_transport_security.header_value';

function ingress(): StackTemplate {
  const hostMatch = {
    ByteMatchStatement: {
      FieldToMatch: { SingleHeader: { Name: 'host' } },
      PositionalConstraint: 'EXACTLY',
      SearchString: 'app.example.com',
    },
  };
  return stack(
    'Ingress',
    {
      AlbSg: {
        Type: 'AWS::EC2::SecurityGroup',
        Properties: {
          GroupDescription: 'alb',
          SecurityGroupIngress: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' },
            { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: '0.0.0.0/0' },
          ],
        },
      },
      FleetSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'fleet' } },
      FleetFromAlb: {
        Type: 'AWS::EC2::SecurityGroupIngress',
        Properties: {
          GroupId: att('FleetSg', 'GroupId'),
          IpProtocol: 'tcp',
          FromPort: 8443,
          ToPort: 8443,
          SourceSecurityGroupId: att('AlbSg', 'GroupId'),
        },
      },
      Alb: {
        Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        Properties: {
          Scheme: 'internet-facing',
          Type: 'application',
          Subnets: [imp('Network', 'Puba'), imp('Network', 'Pubb')],
          SecurityGroups: [att('AlbSg', 'GroupId')],
          LoadBalancerAttributes: [
            { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
            { Key: 'routing.http.desync_mitigation_mode', Value: 'strictest' },
            { Key: 'access_logs.s3.enabled', Value: 'true' },
            { Key: 'access_logs.s3.bucket', Value: ref('RequestLogs') },
          ],
          Tags: tags(),
        },
      },
      Https: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: ref('Alb'),
          Port: 443,
          Protocol: 'HTTPS',
          SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
          ListenerAttributes: [{ Key: HSTS, Value: 'max-age=63072000; includeSubDomains' }],
          DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
        },
      },
      Http: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: {
          LoadBalancerArn: ref('Alb'),
          Port: 80,
          Protocol: 'HTTP',
          DefaultActions: [
            { Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } },
          ],
        },
      },
      Route: {
        Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
        Properties: {
          ListenerArn: ref('Https'),
          Priority: 10,
          Conditions: [
            { Field: 'host-header', HostHeaderConfig: { Values: ['app.example.com'] } },
            { Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } },
          ],
          Actions: [{ Type: 'forward', TargetGroupArn: ref('Tg') }],
        },
      },
      Tg: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: { Protocol: 'HTTPS', Port: 8443, HealthCheckPath: '/healthz' },
      },
      WebAcl: {
        Type: 'AWS::WAFv2::WebACL',
        Properties: {
          Scope: 'REGIONAL',
          DefaultAction: { Allow: {} },
          Rules: [
            {
              Name: 'BlockUnknownHost',
              Priority: 0,
              Action: { Block: {} },
              RuleLabels: [{ Name: 'unknown-host' }],
              Statement: { NotStatement: { Statement: hostMatch } },
            },
            ...[
              'AWSManagedRulesAmazonIpReputationList',
              'AWSManagedRulesKnownBadInputsRuleSet',
              'AWSManagedRulesCommonRuleSet',
            ].map((Name, i) => ({
              Name,
              Priority: 10 + i,
              OverrideAction: { None: {} },
              Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name } },
            })),
            {
              Name: 'RateLimit',
              Priority: 20,
              Action: { Block: {} },
              Statement: { RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP' } },
            },
          ],
        },
      },
      WebAclAssociation: {
        Type: 'AWS::WAFv2::WebACLAssociation',
        Properties: { ResourceArn: ref('Alb'), WebACLArn: att('WebAcl') },
      },
      WafLogging: {
        Type: 'AWS::WAFv2::LoggingConfiguration',
        Properties: {
          ResourceArn: att('WebAcl'),
          LogDestinationConfigs: [
            { 'Fn::Join': ['', [`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:`, ref('WafLogs')]] },
          ],
        },
      },
      WafLogs: logGroup('aws-waf-logs-app-prod'),
      Review: {
        Type: 'AWS::Logs::QueryDefinition',
        Properties: { QueryString: "filter terminatingRuleId = 'BlockUnknownHost'" },
      },
      ...bucket('RequestLogs', {
        ...expiring(365),
        LoggingConfiguration: { DestinationBucketName: ref('AccessLogs') },
      }),
      ...bucket('AccessLogs', expiring(365)),
      Alb5xx: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'app-prod-fleet-target-5xx',
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'HTTPCode_Target_5XX_Count',
          AlarmActions: [imp('Alerting', 'Topic')],
        },
      },
      Unhealthy: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'app-prod-fleet-unhealthy-targets',
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'UnHealthyHostCount',
          AlarmActions: [imp('Alerting', 'Topic')],
        },
      },
    },
    { Tg: ref('Tg'), FleetSg: att('FleetSg', 'GroupId'), AccessLogs: ref('AccessLogs') },
  );
}

/** The App stack's launch template resolves the release record at deploy time (IMM-9). */
function withReleaseRecord(s: StackTemplate): StackTemplate {
  return {
    ...s,
    template: {
      ...s.template,
      Parameters: {
        ReleaseRecord: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/app/prod/release/current' },
      },
    },
  };
}

function app(): StackTemplate {
  return withReleaseRecord(
    stack('App', {
      Lt: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: {
          LaunchTemplateData: {
            MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
            BlockDeviceMappings: [
              { DeviceName: '/dev/xvda', Ebs: { Encrypted: true, KmsKeyId: imp('Image', 'ImagesKeyArn') } },
            ],
            Monitoring: { Enabled: true },
            NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false }],
            IamInstanceProfile: { Arn: att('Profile') },
            UserData: {
              'Fn::Base64': {
                'Fn::Join': [
                  '',
                  [
                    `#!/bin/bash\n${RELEASE_BLOCK_BEGIN}\nRELEASE='`,
                    ref('ReleaseRecord'),
                    `'\n${RELEASE_BLOCK_END}\n`,
                    'if ! echo "$RELEASE_SHA256  $artifact" | sha256sum --check --status; then\n  exit 1\nfi\n/usr/bin/node "$dir/migrate.js"\nsystemctl start app\n',
                  ],
                ],
              },
            },
            TagSpecifications: [
              {
                ResourceType: 'instance',
                Tags: [
                  { Key: 'saas:release', Value: { 'Fn::Select': [0, { 'Fn::Split': [' ', ref('ReleaseRecord')] }] } },
                ],
              },
            ],
          },
        },
      },
      Profile: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [ref('Role')] } },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ec2.amazonaws.com' } }],
          },
        },
      },
      RolePolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [ref('Role')],
          PolicyDocument: {
            Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::data/key' }],
          },
        },
      },
      Asg: {
        Type: 'AWS::AutoScaling::AutoScalingGroup',
        Properties: {
          LaunchTemplate: { LaunchTemplateId: ref('Lt'), Version: att('Lt', 'LatestVersionNumber') },
          MaxInstanceLifetime: 259200,
          MinSize: '2',
          MaxSize: '4',
          VPCZoneIdentifier: [imp('Network', 'Priva'), imp('Network', 'Privb')],
          HealthCheckType: 'ELB',
          TargetGroupARNs: [imp('Ingress', 'Tg')],
          Tags: [...tags(), { Key: 'saas:component', Value: 'app-fleet', PropagateAtLaunch: true }],
        },
        UpdatePolicy: {
          AutoScalingInstanceRefresh: { Preferences: { MinHealthyPercentage: 100, MaxHealthyPercentage: 200 } },
        },
      },
      RolloutFn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          VpcConfig: { SubnetIds: [imp('Network', 'Priva')] },
          Environment: {
            Variables: {
              ASG_NAME: ref('Asg'),
              AMI_PARAMETER: '/app/prod/golden-ami/latest',
              INSTANCE_WARMUP_SECONDS: '300',
              ALARM_NAMES: 'app-prod-fleet-target-5xx,app-prod-fleet-unhealthy-targets',
            },
          },
        },
      },
      OnNewImage: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { source: ['aws.imagebuilder'], detail: { state: { status: ['AVAILABLE'] } } },
          Targets: [{ Arn: att('RolloutFn'), Id: 't' }],
        },
      },
      OnRefreshFailed: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Auto Scaling Instance Refresh Failed'] },
          Targets: [{ Arn: att('RolloutFn'), Id: 't' }],
        },
      },
      FleetAudit: logGroup('/app/prod/fleet/audit'),
      FleetSystem: logGroup('/app/prod/fleet/system'),
      FleetApp: logGroup('/app/prod/fleet/app'),
    }),
  );
}

const TEST_COMPONENT =
  'name: test\nphases:\n  - name: build\n    steps: []\n  - name: test\n    steps:\n      - name: check\n        action: ExecuteBash\n';

function image(): StackTemplate {
  return stack(
    'Image',
    {
      ImagesKey: key(),
      Build: {
        Type: 'AWS::ImageBuilder::Component',
        Properties: { Data: 'name: build\nphases:\n  - name: build\n    steps: []\n' },
      },
      Test: { Type: 'AWS::ImageBuilder::Component', Properties: { Data: TEST_COMPONENT } },
      Recipe: {
        Type: 'AWS::ImageBuilder::ImageRecipe',
        Properties: {
          ParentImage: 'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
          Components: [{ ComponentArn: att('Build') }, { ComponentArn: att('Test') }],
        },
      },
      Infra: {
        Type: 'AWS::ImageBuilder::InfrastructureConfiguration',
        Properties: { SubnetId: imp('Network', 'Priva'), InstanceMetadataOptions: { HttpTokens: 'required' } },
      },
      Dist: {
        Type: 'AWS::ImageBuilder::DistributionConfiguration',
        Properties: {
          Distributions: [
            {
              Region: REGION,
              AmiDistributionConfiguration: { KmsKeyId: att('ImagesKey'), AmiTags: { component: 'golden' } },
            },
            {
              Region: DR_REGION,
              AmiDistributionConfiguration: {
                KmsKeyId: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:alias/app/prod/images`,
                AmiTags: { component: 'golden' },
              },
            },
          ],
        },
      },
      Pipeline: {
        Type: 'AWS::ImageBuilder::ImagePipeline',
        Properties: {
          ImageRecipeArn: att('Recipe'),
          InfrastructureConfigurationArn: att('Infra'),
          DistributionConfigurationArn: att('Dist'),
          ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: 60 },
          ImageScanningConfiguration: { ImageScanningEnabled: true },
          Schedule: {
            ScheduleExpression: 'cron(0 2/12 * * ? *)',
            PipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
          },
          Status: 'ENABLED',
        },
      },
      ...bucket(
        'Releases',
        { LoggingConfiguration: { DestinationBucketName: imp('Ingress', 'AccessLogs') } },
        att('ImagesKey'),
      ),
      ReleaseBucketName: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Name: '/app/prod/release/bucket', Type: 'String', Value: ref('Releases') },
      },
      RebuildFn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          VpcConfig: { SubnetIds: [imp('Network', 'Priva')] },
          ReservedConcurrentExecutions: 1,
          Environment: { Variables: { PIPELINE_ARN: att('Pipeline') } },
        },
      },
      OnFinding: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: {
            source: ['aws.inspector2'],
            detail: { severity: ['CRITICAL', 'HIGH'], fixAvailable: ['YES'] },
          },
          Targets: [{ Arn: att('RebuildFn'), Id: 't' }],
        },
      },
      OnBuildEnded: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { source: ['aws.imagebuilder'], detail: { state: { status: ['AVAILABLE', 'FAILED'] } } },
          Targets: [{ Arn: att('RebuildFn'), Id: 't' }],
        },
      },
      Lifecycle: {
        Type: 'AWS::ImageBuilder::LifecyclePolicy',
        Properties: {
          ResourceType: 'AMI_IMAGE',
          PolicyDetails: [
            {
              Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
              Filter: { Type: 'COUNT', Value: 3 },
            },
          ],
          ResourceSelection: { TagMap: { component: 'golden' } },
        },
      },
      BuildFailed: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventPattern: { source: ['aws.imagebuilder'], detail: { state: { status: ['FAILED'] } } },
          Targets: [{ Arn: imp('Alerting', 'Topic'), Id: 't' }],
        },
      },
    },
    { ImagesKeyArn: att('ImagesKey') },
  );
}

const DB_ARN = { 'Fn::Join': ['', [`arn:aws:rds:${REGION}:${ACCOUNT}:db:`, ref('Db')]] };

function data(): StackTemplate {
  const copy = (days: number) => [
    {
      DestinationBackupVaultArn: `arn:aws:backup:${DR_REGION}:${ACCOUNT}:backup-vault:prod-dr`,
      Lifecycle: { DeleteAfterDays: days },
    },
  ];
  return stack('Data', {
    DbKey: key(),
    BackupKey: key(),
    ObjectsKey: key(),
    Pg: {
      Type: 'AWS::RDS::DBParameterGroup',
      Properties: {
        Family: 'postgres16',
        Parameters: { 'rds.force_ssl': '1', shared_preload_libraries: 'pgaudit', 'pgaudit.log': 'read,write,ddl,role' },
      },
    },
    DbSubnets: {
      Type: 'AWS::RDS::DBSubnetGroup',
      Properties: { SubnetIds: [imp('Network', 'Isoa'), imp('Network', 'Isob')] },
    },
    DbSg: { Type: 'AWS::EC2::SecurityGroup', Properties: { GroupDescription: 'db' } },
    DbFromFleet: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: att('DbSg', 'GroupId'),
        IpProtocol: 'tcp',
        FromPort: 5433,
        ToPort: 5433,
        SourceSecurityGroupId: imp('Ingress', 'FleetSg'),
      },
    },
    Db: {
      Type: 'AWS::RDS::DBInstance',
      Properties: {
        Engine: 'postgres',
        EngineVersion: '16.6',
        StorageEncrypted: true,
        KmsKeyId: att('DbKey'),
        DBParameterGroupName: ref('Pg'),
        DBSubnetGroupName: ref('DbSubnets'),
        VPCSecurityGroups: [att('DbSg', 'GroupId')],
        Port: '5433',
        MultiAZ: true,
        DeletionProtection: true,
        BackupRetentionPeriod: 14,
        ManageMasterUserPassword: true,
        EnableCloudwatchLogsExports: ['postgresql'],
        PubliclyAccessible: false,
        Tags: tags(),
      },
      ...retained,
    },
    Vault: {
      Type: 'AWS::Backup::BackupVault',
      Properties: {
        BackupVaultName: 'prod-primary',
        EncryptionKeyArn: att('BackupKey'),
        LockConfiguration: { MinRetentionDays: 14, MaxRetentionDays: 365, ChangeableForDays: 3 },
        AccessPolicy: {
          Statement: [
            { Effect: 'Deny', Principal: { AWS: '*' }, Action: ['backup:DeleteRecoveryPoint'], Resource: '*' },
          ],
        },
      },
      ...retained,
    },
    Plan: {
      Type: 'AWS::Backup::BackupPlan',
      Properties: {
        BackupPlan: {
          BackupPlanRule: [
            {
              RuleName: 'Every12Hours',
              TargetBackupVault: att('Vault', 'BackupVaultName'),
              ScheduleExpression: 'cron(0 0/12 * * ? *)',
              CompletionWindowMinutes: 360,
              Lifecycle: { DeleteAfterDays: 14 },
              CopyActions: copy(14),
            },
            {
              RuleName: 'Daily',
              TargetBackupVault: att('Vault', 'BackupVaultName'),
              ScheduleExpression: 'cron(0 3 * * ? *)',
              CompletionWindowMinutes: 720,
              Lifecycle: { DeleteAfterDays: 365 },
              CopyActions: copy(365),
            },
          ],
        },
      },
    },
    Selection: {
      Type: 'AWS::Backup::BackupSelection',
      Properties: {
        BackupPlanId: att('Plan', 'BackupPlanId'),
        BackupSelection: { Resources: [DB_ARN, att('DataBucket')] },
      },
    },
    Drills: {
      Type: 'AWS::Backup::RestoreTestingPlan',
      Properties: {
        RestoreTestingPlanName: 'drills',
        ScheduleExpression: 'cron(0 5 1 * ? *)',
        RecoveryPointSelection: { Algorithm: 'LATEST_WITHIN_WINDOW' },
      },
    },
    DrillDb: {
      Type: 'AWS::Backup::RestoreTestingSelection',
      Properties: {
        RestoreTestingPlanName: ref('Drills'),
        ProtectedResourceType: 'RDS',
        ProtectedResourceArns: [DB_ARN],
        ValidationWindowHours: 12,
      },
    },
    FailedJobs: {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventPattern: {
          source: ['aws.backup'],
          'detail-type': ['Backup Job State Change', 'Restore Job State Change'],
          detail: { state: ['FAILED'] },
        },
        Targets: [{ Arn: imp('Alerting', 'Topic'), Id: 't' }],
      },
    },
    DbCpu: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Namespace: 'AWS/RDS', MetricName: 'CPUUtilization', AlarmActions: [imp('Alerting', 'Topic')] },
    },
    ErasureLog: {
      ...logGroup('/app/prod/data/erasures'),
      Properties: {
        LogGroupName: '/app/prod/data/erasures',
        RetentionInDays: 731,
        KmsKeyId: imp('Network', 'LogKeyArn'),
      },
    },
    ...tenantPrefixOnly(
      bucket(
        'DataBucket',
        {
          BucketName: 'app-prod-data',
          LoggingConfiguration: { DestinationBucketName: imp('Ingress', 'AccessLogs') },
          ReplicationConfiguration: {
            Role: 'arn:aws:iam::111111111111:role/replication',
            Rules: [
              {
                Status: 'Enabled',
                Destination: {
                  Bucket: 'arn:aws:s3:::app-prod-dr',
                  EncryptionConfiguration: {
                    ReplicaKmsKeyID: `arn:aws:kms:${DR_REGION}:${ACCOUNT}:alias/app/prod/objects`,
                  },
                },
                SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
              },
            ],
          },
        },
        att('ObjectsKey'),
      ),
    ),
  });
}

function alerting(): StackTemplate {
  return stack(
    'Alerting',
    {
      AlertsKey: key(),
      Topic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: att('AlertsKey') } },
      TopicPolicy: {
        Type: 'AWS::SNS::TopicPolicy',
        Properties: {
          Topics: [ref('Topic')],
          PolicyDocument: {
            Statement: [
              {
                Effect: 'Deny',
                Principal: '*',
                Action: 'sns:Publish',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              },
            ],
          },
        },
      },
    },
    { Topic: ref('Topic') },
  );
}

export const SECURITY_PATTERNS = [
  '{ $.userIdentity.type = "Root" }',
  '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
  '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
  '{ ($.eventName = PutRolePolicy) || ($.eventName = AttachRolePolicy) }',
  '{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }',
  '{ ($.eventName = AuthorizeSecurityGroupIngress) }',
  '{ ($.eventName = CreateNetworkAclEntry) }',
  '{ ($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion) }',
];

function audit(): StackTemplate {
  const filters: Resources = {};
  SECURITY_PATTERNS.forEach((FilterPattern, i) => {
    filters[`Filter${i}`] = {
      Type: 'AWS::Logs::MetricFilter',
      Properties: {
        LogGroupName: ref('TrailLogs'),
        FilterPattern,
        MetricTransformations: [{ MetricName: `Event${i}`, MetricNamespace: 'Security', MetricValue: '1' }],
      },
    };
    filters[`Alarm${i}`] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { Namespace: 'Security', MetricName: `Event${i}`, AlarmActions: [imp('Alerting', 'Topic')] },
    };
  });
  const mfa = { Bool: { 'aws:MultiFactorAuthPresent': 'true' } };
  const person = (policy: string) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/people` },
            Condition: mfa,
          },
        ],
      },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${policy}`]] }],
    },
  });
  return stack('Audit', {
    TrailKey: key(),
    SessionKey: key(),
    ...bucket(
      'TrailBucket',
      {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1827 } },
        },
        LoggingConfiguration: { DestinationBucketName: imp('Ingress', 'AccessLogs') },
        ...expiring(1827),
      },
      att('TrailKey'),
    ),
    TrailLogs: logGroup(),
    Trail: {
      Type: 'AWS::CloudTrail::Trail',
      Properties: {
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        KMSKeyId: att('TrailKey'),
        CloudWatchLogsLogGroupArn: att('TrailLogs'),
        S3BucketName: ref('TrailBucket'),
      },
    },
    ...filters,
    ...bucket(
      'Transcripts',
      { LoggingConfiguration: { DestinationBucketName: imp('Ingress', 'AccessLogs') } },
      att('SessionKey'),
    ),
    SessionLogs: logGroup(),
    SessionPrefs: {
      Type: 'AWS::SSM::Document',
      Properties: {
        DocumentType: 'Session',
        Content: {
          inputs: {
            s3BucketName: ref('Transcripts'),
            s3EncryptionEnabled: true,
            cloudWatchLogGroupName: ref('SessionLogs'),
            cloudWatchEncryptionEnabled: true,
            cloudWatchStreamingEnabled: true,
            kmsKeyId: ref('SessionKey'),
          },
        },
      },
    },
    Admin: person('AdministratorAccess'),
    Auditor: person('ReadOnlyAccess'),
    GuardDuty: { Type: 'AWS::GuardDuty::Detector', Properties: { Enable: true } },
    Hub: { Type: 'AWS::SecurityHub::Hub', Properties: {} },
    Fsbp: {
      Type: 'AWS::SecurityHub::Standard',
      Properties: {
        StandardsArn: `arn:aws:securityhub:${REGION}::standards/aws-foundational-security-best-practices/v/1.0.0`,
      },
    },
    Cis: {
      Type: 'AWS::SecurityHub::Standard',
      Properties: { StandardsArn: `arn:aws:securityhub:${REGION}::standards/cis-aws-foundations-benchmark/v/3.0.0` },
    },
    Recorder: {
      Type: 'AWS::Config::ConfigurationRecorder',
      Properties: { RecordingGroup: { AllSupported: true, IncludeGlobalResourceTypes: true } },
    },
    Channel: { Type: 'AWS::Config::DeliveryChannel', Properties: {} },
  });
}

function dr(): StackTemplate {
  return stack(
    'DisasterRecovery',
    {
      DrBackupKey: key(),
      DrObjectsKey: key(),
      DrImagesKey: key(),
      ObjectsAlias: {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: 'alias/app/prod/objects', TargetKeyId: ref('DrObjectsKey') },
      },
      ImagesAlias: {
        Type: 'AWS::KMS::Alias',
        Properties: { AliasName: 'alias/app/prod/images', TargetKeyId: ref('DrImagesKey') },
      },
      DrVault: {
        Type: 'AWS::Backup::BackupVault',
        Properties: {
          BackupVaultName: 'prod-dr',
          EncryptionKeyArn: att('DrBackupKey'),
          LockConfiguration: { MinRetentionDays: 14, MaxRetentionDays: 365, ChangeableForDays: 3 },
          AccessPolicy: {
            Statement: [
              { Effect: 'Deny', Principal: { AWS: '*' }, Action: ['backup:DeleteRecoveryPoint'], Resource: '*' },
            ],
          },
        },
        ...retained,
      },
      ...bucket(
        'Replica',
        { BucketName: 'app-prod-dr', LoggingConfiguration: { DestinationBucketName: 'app-prod-dr-logs' } },
        att('DrObjectsKey'),
      ),
    },
    {},
    DR_REGION,
  );
}

const ack = (pack: string, rule: string, stackName: string, id: string, reason: string) => ({
  pack,
  rule: `${pack}-${rule}`,
  severity: 'error',
  constructPaths: [`${ENV}/${stackName}/${id}/Resource`],
  acknowledgedAt: `${ENV}/${stackName}/${id}`,
  reason,
});

export function nagReport(): NagReport {
  const nist = 'NIST.800.53.R5';
  return {
    packs: [
      {
        pack: 'AwsSolutions',
        conclusion: 'success',
        violations: [],
        acknowledged: [ack('AwsSolutions', 'EC23', 'Ingress', 'AlbSg', 'NET-2: the ALB is the front door')],
      },
      {
        pack: nist,
        conclusion: 'success',
        violations: [],
        acknowledged: [
          ack(
            nist,
            'S3DefaultEncryptionKMS',
            'Ingress',
            'RequestLogs',
            'DATA-2: ELB log delivery supports only SSE-S3',
          ),
          ack(
            nist,
            'S3DefaultEncryptionKMS',
            'Ingress',
            'AccessLogs',
            'DATA-2: S3 access log delivery supports only SSE-S3',
          ),
          ...['RequestLogs', 'AccessLogs'].map((b) =>
            ack(nist, 'S3BucketReplicationEnabled', 'Ingress', b, 'LOG-2: request logs are not customer data'),
          ),
          ...['TrailBucket', 'Transcripts'].map((b) =>
            ack(nist, 'S3BucketReplicationEnabled', 'Audit', b, 'LOG-1: audit evidence, locked'),
          ),
          ack(
            nist,
            'S3BucketReplicationEnabled',
            'Image',
            'Releases',
            'IMM-9: release artifacts are rebuilt from source',
          ),
        ],
      },
      { pack: 'HIPAA.Security', conclusion: 'success', violations: [], acknowledged: [] },
      { pack: 'PCI.DSS.321', conclusion: 'success', violations: [], acknowledged: [] },
    ],
  };
}

export function stacks(): StackTemplate[] {
  return [network(), ingress(), app(), image(), data(), alerting(), audit(), dr()];
}

export interface FixtureEditor {
  /** A resource of the copy, to change in place. */
  find(stack: string, id: string): CfnResourceJson & { Properties: Json };
  /** Removes a resource from the copy. */
  remove(stack: string, id: string): void;
  /** Adds a resource to the copy. */
  add(stack: string, id: string, resource: CfnResourceJson): void;
  /** A stack of the copy, e.g. to change what the manifest says about it. */
  stack(name: string): { -readonly [K in keyof StackTemplate]: StackTemplate[K] };
}

/** A context over a fresh copy of the fixture; `edit` changes it before the checks run. */
export function context(edit?: (e: FixtureEditor) => void, options: Partial<CheckContext> = {}): CheckContext {
  const all = stacks();
  const resources = (stackName: string) => {
    const r = all.find((s) => s.stackName === `${ENV}-${stackName}`)?.template.Resources;
    if (!r) throw new Error(`fixture has no stack ${stackName}`);
    return r as Record<string, CfnResourceJson>;
  };
  edit?.({
    find: (stackName, id) => {
      const r = resources(stackName)[id];
      if (!r) throw new Error(`fixture has no ${stackName}/${id}`);
      return r as CfnResourceJson & { Properties: Json };
    },
    remove: (stackName, id) => {
      if (!(id in resources(stackName))) throw new Error(`fixture has no ${stackName}/${id}`);
      delete resources(stackName)[id];
    },
    add: (stackName, id, resource) => {
      resources(stackName)[id] = resource;
    },
    stack: (name) => all.find((x) => x.stackName === `${ENV}-${name}`)!,
  });
  return {
    environment: ENV,
    stacks: all,
    production: true,
    nag: nagReport(),
    otherEnvironments: [{ name: 'dev', accounts: ['222222222222'], production: false }],
    ...options,
  };
}

/**
 * Writes stacks as a cloud assembly (manifests, nested assembly, templates,
 * validation report in CDK's format), so the loader and the CLI can run
 * without a synth.
 */
export function writeAssembly(
  dir: string,
  all: readonly StackTemplate[] = stacks(),
  nag: NagReport | undefined = nagReport(),
): void {
  const nested = path.join(dir, `assembly-${ENV}`);
  mkdirSync(nested, { recursive: true });
  writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      version: '55.0.0',
      artifacts: {
        [`assembly-${ENV}`]: {
          type: 'cdk:cloud-assembly',
          properties: { directoryName: `assembly-${ENV}`, displayName: ENV },
        },
      },
    }),
  );
  const artifacts: Record<string, unknown> = {};
  for (const s of all) {
    const id = s.stackName.replace(/-/g, '');
    const templateFile = `${id}.template.json`;
    writeFileSync(path.join(nested, templateFile), JSON.stringify(s.template, null, 1));
    artifacts[id] = {
      type: 'aws:cloudformation:stack',
      environment: `aws://${s.account ?? 'unknown-account'}/${s.region ?? 'unknown-region'}`,
      displayName: s.displayName,
      properties: { templateFile, terminationProtection: s.terminationProtection, stackName: s.stackName },
    };
  }
  writeFileSync(path.join(nested, 'manifest.json'), JSON.stringify({ version: '55.0.0', artifacts }));
  if (nag) {
    const violation = (f: NagReport['packs'][number]['violations'][number]) => ({
      ruleName: f.rule,
      severity: f.severity,
      violatingConstructs: f.constructPaths.map((constructPath) => ({ constructPath })),
      reason: f.reason,
      acknowledgedAt: f.acknowledgedAt,
    });
    const report = {
      version: '55.0.0',
      title: 'Validation Report',
      pluginReports: nag.packs.map((p) => ({
        pluginName: p.pack,
        conclusion: p.conclusion,
        violations: p.violations.map(violation),
        suppressedViolations: p.acknowledged.map(violation),
      })),
    };
    writeFileSync(path.join(dir, 'validation-report.json'), JSON.stringify(report));
  }
}
