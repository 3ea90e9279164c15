import { Stack } from 'aws-cdk-lib';
import * as config from 'aws-cdk-lib/aws-config';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as guardduty from 'aws-cdk-lib/aws-guardduty';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import type { MANAGED_SERVICES } from '../config/schema';
import { SecureBucket } from './secure-bucket';
import { SecureLogGroup } from './secure-log-group';
import { EncryptionKey } from './encryption-key';

/** What Inspector scans where this app enables it (LOG-5). */
export const INSPECTOR_RESOURCE_TYPES = ['EC2', 'ECR'] as const;

/** GuardDuty protection plans turned on with the detector (LOG-5). */
export const GUARDDUTY_FEATURES = [
  'S3_DATA_EVENTS',
  'EBS_MALWARE_PROTECTION',
  'RDS_LOGIN_EVENTS',
  'LAMBDA_NETWORK_LOGS',
  'RUNTIME_MONITORING',
] as const;

/** Security Hub standards enabled (LOG-5), by their ARN path. */
export const SECURITY_HUB_STANDARDS = [
  'standards/aws-foundational-security-best-practices/v/1.0.0',
  'standards/cis-aws-foundations-benchmark/v/3.0.0',
] as const;

/** AWS Config managed rules that watch the same promises the templates make. */
export const CONFIG_RULES: Readonly<Record<string, string>> = {
  MULTI_REGION_CLOUD_TRAIL_ENABLED: 'LOG-1',
  CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED: 'LOG-1',
  CLOUD_TRAIL_ENCRYPTION_ENABLED: 'LOG-1',
  CLOUDWATCH_LOG_GROUP_ENCRYPTED: 'LOG-3',
  VPC_FLOW_LOGS_ENABLED: 'NET-6',
  INCOMING_SSH_DISABLED: 'NET-2',
  VPC_DEFAULT_SECURITY_GROUP_CLOSED: 'NET-1',
  ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK: 'NET-2',
  ALB_HTTP_DROP_INVALID_HEADER_ENABLED: 'NET-4',
  ALB_WAF_ENABLED: 'NET-5',
  EC2_IMDSV2_CHECK: 'IMM-6',
  EC2_INSTANCE_NO_PUBLIC_IP: 'NET-1',
  EC2_EBS_ENCRYPTION_BY_DEFAULT: 'IMM-6',
  ENCRYPTED_VOLUMES: 'IMM-6',
  RDS_STORAGE_ENCRYPTED: 'DATA-1',
  RDS_MULTI_AZ_SUPPORT: 'DATA-1',
  RDS_INSTANCE_DELETION_PROTECTION_ENABLED: 'DATA-1',
  S3_BUCKET_SSL_REQUESTS_ONLY: 'DATA-2',
  S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED: 'DATA-2',
  S3_BUCKET_VERSIONING_ENABLED: 'DATA-2',
  CMK_BACKING_KEY_ROTATION_ENABLED: 'DATA-6',
  IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS: 'IAM-2',
  ROOT_ACCOUNT_MFA_ENABLED: 'IAM-1',
  MFA_ENABLED_FOR_IAM_CONSOLE_ACCESS: 'IAM-1',
  GUARDDUTY_ENABLED_CENTRALIZED: 'LOG-5',
  SECURITYHUB_ENABLED: 'LOG-5',
};

export interface DetectionProps {
  /** Which account-level services this environment creates; the others are enabled elsewhere. */
  readonly manage: readonly (typeof MANAGED_SERVICES)[number][];
  /** Key of the AWS Config delivery bucket. */
  readonly configKey: kms.IKey;
  readonly accessLogBucket: s3.IBucket;
  /** Key of the log group of the function that enables Inspector. */
  readonly logKey: kms.IKey;
}

/**
 * Threat detection and posture (LOG-5): GuardDuty with its protection plans,
 * Security Hub with the AWS Foundational Security Best Practices and CIS
 * standards, and the AWS Config recorder delivering to an encrypted bucket
 * with managed rules matching our controls. Each exists once per account and
 * region, so each is created only where config says this app owns it.
 */
export class Detection extends Construct {
  constructor(scope: Construct, id: string, props: DetectionProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (props.manage.includes('guardduty')) {
      new guardduty.CfnDetector(this, 'GuardDuty', {
        enable: true,
        findingPublishingFrequency: 'FIFTEEN_MINUTES',
        features: GUARDDUTY_FEATURES.map((name) => ({
          name,
          status: 'ENABLED',
          additionalConfiguration:
            name === 'RUNTIME_MONITORING' ? [{ name: 'EC2_AGENT_MANAGEMENT', status: 'ENABLED' }] : undefined,
        })),
      });
    }

    if (props.manage.includes('securityhub')) {
      const hub = new securityhub.CfnHub(this, 'SecurityHub', {
        enableDefaultStandards: false,
        controlFindingGenerator: 'SECURITY_CONTROL',
        autoEnableControls: true,
      });
      SECURITY_HUB_STANDARDS.forEach((path, i) => {
        const standard = new securityhub.CfnStandard(this, `Standard${i + 1}`, {
          standardsArn: stack.formatArn({
            service: 'securityhub',
            account: '',
            resource: path.split('/')[0],
            resourceName: path.split('/').slice(1).join('/'),
          }),
        });
        standard.addResourceDependency(hub);
      });
    }

    if (props.manage.includes('inspector')) {
      // Inspector has no CloudFormation resource to turn it on: one SDK call at deploy time.
      const logGroup = new SecureLogGroup(this, 'InspectorEnablerLogs', { encryptionKey: props.logKey });
      const enable = {
        service: 'Inspector2',
        action: 'enable',
        parameters: { accountIds: [stack.account], resourceTypes: [...INSPECTOR_RESOURCE_TYPES] },
        physicalResourceId: cr.PhysicalResourceId.of(`inspector2-${stack.account}-${stack.region}`),
      };
      const enabler = new cr.AwsCustomResource(this, 'Inspector', {
        onCreate: enable,
        onUpdate: enable,
        installLatestAwsSdk: false,
        logGroup: logGroup.logGroup,
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({
            // Inspector2 Enable and the service-linked role it creates have no resource-level permissions.
            actions: ['inspector2:Enable', 'iam:CreateServiceLinkedRole'],
            resources: ['*'],
          }),
        ]),
      });
      // The singleton function CDK adds to the stack for every AwsCustomResource, under this fixed ID.
      const provider = stack.node.tryFindChild('AWS679f53fac002430cb0da5b7982bd2287');
      acknowledge(
        enabler,
        'LOG-5',
        'Inspector2 Enable and the service-linked role it creates support no resource-level permissions',
        'AwsSolutions-IAM5[Resource::*]',
        'compliance:IAMNoInlinePolicy',
      );
      if (provider) {
        acknowledge(
          provider,
          'LOG-5',
          'the CDK-provided function that makes the single Inspector2 Enable call at deploy time: it runs for seconds, only from CloudFormation, with the basic execution role; it needs neither the VPC, a dead-letter queue nor reserved concurrency',
          'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'AwsSolutions-L1',
          'compliance:LambdaInsideVPC',
          'compliance:LambdaDLQ',
          'compliance:LambdaConcurrency',
          'compliance:IAMNoInlinePolicy',
        );
      }
    }

    if (props.manage.includes('config')) {
      const bucket = new SecureBucket(this, 'ConfigBucket', {
        encryption: { kmsKey: props.configKey },
        serverAccessLogsBucket: props.accessLogBucket,
      });
      acknowledge(
        bucket.bucket,
        'LOG-5',
        'AWS Config snapshots and history can be re-read from the service; they are evidence, not customer data (DATA-4)',
        'compliance:S3BucketReplicationEnabled',
      );
      const role = new iam.Role(this, 'ConfigRole', {
        assumedBy: new iam.ServicePrincipal('config.amazonaws.com'),
        description: 'AWS Config recorder',
        managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWS_ConfigRole')],
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: [bucket.bucket.arnForObjects(`AWSLogs/${stack.account}/Config/*`)],
        }),
      );
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetBucketAcl'], resources: [bucket.bucket.bucketArn] }),
      );
      EncryptionKey.grantEnvelope(props.configKey, role);
      acknowledge(
        role,
        'IAM-2',
        'AWS_ConfigRole is the AWS-maintained read-only set Config needs to record resources; the role writes only under its own prefix of the Config bucket',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole]',
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/AWSLogs/${stack.account}/Config/*]`,
        'compliance:IAMNoInlinePolicy',
      );
      const recorder = new config.CfnConfigurationRecorder(this, 'Recorder', {
        roleArn: role.roleArn,
        recordingGroup: { allSupported: true, includeGlobalResourceTypes: true },
      });
      const channel = new config.CfnDeliveryChannel(this, 'DeliveryChannel', {
        s3BucketName: bucket.bucket.bucketName,
        s3KmsKeyArn: props.configKey.keyArn,
        configSnapshotDeliveryProperties: { deliveryFrequency: 'TwentyFour_Hours' },
      });
      for (const [identifier, control] of Object.entries(CONFIG_RULES)) {
        const rule = new config.ManagedRule(this, `Rule-${identifier}`, {
          identifier,
          description: `Watches ${control} in the running account`,
        });
        rule.node.addDependency(recorder);
        rule.node.addDependency(channel);
      }
    }
  }
}
