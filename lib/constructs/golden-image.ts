import { ArnFormat, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as imagebuilder from 'aws-cdk-lib/aws-imagebuilder';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { COMPONENT_TAG } from '../config/naming';
import { contentVersion, type ImageComponent } from '../images/components';
import { SecureBucket } from './secure-bucket';
import { EncryptionKey } from './encryption-key';

/** The pipeline's cron: every `interval` hours, starting at `hour` UTC. */
export function buildSchedule(hour: number, interval: number): string {
  if (interval < 1 || interval > 24 || 24 % interval !== 0) {
    throw new Error(`buildIntervalHours must divide 24 (got ${interval})`);
  }
  return interval === 24 ? `cron(0 ${hour} * * ? *)` : `cron(0 ${hour % interval}/${interval} * * ? *)`;
}

/** Tag value that marks this project's golden images; the lifecycle policy selects by it. */
export const GOLDEN_IMAGE_COMPONENT = 'golden-image';

/**
 * The EventBridge pattern of an Image Builder state change of the images under
 * `imageArnPrefix` (see {@link GoldenImagePipeline.imageArnPrefix}) to one of `statuses`.
 */
export function imageStateChange(imageArnPrefix: string, statuses: readonly string[]): events.EventPattern {
  return {
    source: ['aws.imagebuilder'],
    detailType: ['EC2 Image Builder Image State Change'],
    // A prefix match: EventBridge takes content filters in `resources`, CDK's type knows only strings.
    resources: [{ prefix: imageArnPrefix } as unknown as string],
    detail: { state: { status: [...statuses] } },
  };
}

export interface GoldenImagePipelineProps {
  /** Prefix of every Image Builder name (names are unique per account and region). */
  readonly namePrefix: string;
  readonly vpc: ec2.IVpc;
  /** The known-good base: `ssm:/aws/service/...` (resolved at build time) or an AMI ID. */
  readonly parentImage: string;
  /** The component documents from `images/`, build and test. */
  readonly components: readonly ImageComponent[];
  /** Values for component parameters, by component name. */
  readonly componentParameters?: Readonly<Record<string, Record<string, string>>>;
  readonly buildInstanceTypes: readonly string[];
  /** Hour (UTC) of the first build of the day (IMM-4). */
  readonly buildHourUtc: number;
  /** Hours between builds; at least daily (IMM-4). */
  readonly buildIntervalHours: number;
  /** How many images to keep for rollback; older ones are deleted with their snapshots (IMM-5). */
  readonly keepImages: number;
  /** Image Builder's test timeout; it bounds the time from a finding to a rebuilt image (IMM-10). */
  readonly testTimeoutMinutes: number;
  readonly rootVolumeGiB: number;
  /** The images key of this region. */
  readonly imageKey: kms.IKey;
  /** The DR region and the alias of its images key: every AMI is copied there (IMM-8). */
  readonly drRegion: string;
  readonly drImageKeyAliasName: string;
  /** The SSM parameter, in both regions, that receives the new AMI ID. */
  readonly amiParameterName: string;
  readonly accessLogBucket: s3.IBucket;
  /** Where build failures are reported (LOG-4). */
  readonly alarmTopic: sns.ITopic;
}

/**
 * The golden-image pipeline (IMM-1, IMM-4, IMM-5, IMM-8).
 *
 * EC2 Image Builder builds a hardened image from the base declared in config
 * and the component documents in `images/`, in a private subnet with IMDSv2
 * and no key pair; runs the test components on an instance of the new image;
 * scans it with Inspector; and distributes it, encrypted with each region's
 * images key, to the primary and the DR region, writing the AMI ID to an SSM
 * parameter in each. It runs every few hours (and once at deploy time, so that the
 * fleet never starts on an unhardened image); old images and snapshots are
 * deleted, keeping the last N. Failed builds notify the alarm topic.
 */
export class GoldenImagePipeline extends Construct {
  readonly pipeline: imagebuilder.CfnImagePipeline;
  readonly recipe: imagebuilder.CfnImageRecipe;
  /** The image built at deploy time; the fleet's stack waits for it. */
  readonly bootstrapImage: imagebuilder.CfnImage;
  readonly infrastructure: imagebuilder.CfnInfrastructureConfiguration;
  readonly distribution: imagebuilder.CfnDistributionConfiguration;
  readonly lifecycle: imagebuilder.CfnLifecyclePolicy;
  readonly logBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: GoldenImagePipelineProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = props.namePrefix;

    this.logBucket = new SecureBucket(this, 'BuildLogs', {
      encryption: { kmsKey: props.imageKey },
      serverAccessLogsBucket: props.accessLogBucket,
      expiration: Duration.days(365),
    });
    acknowledge(
      this.logBucket.bucket,
      'LOG-2',
      'image build logs are purged after a year and can be recreated by rebuilding; they are not customer data (DATA-4 covers that)',
      'compliance:S3BucketReplicationEnabled',
    );

    const role = new iam.Role(this, 'BuildInstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Image Builder build and test instances',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('EC2InstanceProfileForImageBuilder'),
      ],
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [this.logBucket.bucket.arnForObjects('builds/*')],
      }),
    );
    EncryptionKey.grantEnvelope(props.imageKey, role);
    acknowledge(
      role,
      'IAM-2',
      'Image Builder build instances need the AWS-managed SSM core and Image Builder instance policies to be driven by the service; they live minutes and have no inbound access',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/EC2InstanceProfileForImageBuilder]',
    );
    acknowledge(
      role,
      'IAM-2',
      'build instances write their logs as new objects under the build-log bucket; object ARNs are only known at build time',
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.logBucket.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/builds/*]`,
      'compliance:IAMNoInlinePolicy',
    );
    const profile = new iam.InstanceProfile(this, 'BuildInstanceProfile', { role });

    const buildSecurityGroup = new ec2.SecurityGroup(this, 'BuildSecurityGroup', {
      vpc: props.vpc,
      description: 'Image builds: no inbound, HTTPS out only',
      allowAllOutbound: false,
    });
    buildSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to package mirrors and AWS APIs');

    const components = props.components.map(
      (c) =>
        new imagebuilder.CfnComponent(this, `Component-${c.document.name}`, {
          name: `${name}-${c.document.name}`,
          platform: 'Linux',
          version: c.version,
          description: c.document.description,
          data: c.data,
          kmsKeyId: props.imageKey.keyArn,
        }),
    );
    // Build components first, in file order, then the tests.
    const ordered = props.components
      .map((c, i) => ({ c, resource: components[i] }))
      .sort((a, b) => Number(a.c.kind === 'test') - Number(b.c.kind === 'test'));

    this.recipe = new imagebuilder.CfnImageRecipe(this, 'Recipe', {
      name,
      // Recipes are immutable: any change of base, components or disk makes a new version.
      version: contentVersion(
        props.parentImage,
        String(props.rootVolumeGiB),
        JSON.stringify(props.componentParameters ?? {}),
        ...props.components.map((c) => `${c.document.name}@${c.version}`),
      ),
      parentImage: props.parentImage,
      components: ordered.map(({ c, resource }) => {
        const parameters = Object.entries(props.componentParameters?.[c.document.name] ?? {});
        return {
          componentArn: resource.attrArn,
          parameters: parameters.length ? parameters.map(([k, v]) => ({ name: k, value: [v] })) : undefined,
        };
      }),
      blockDeviceMappings: [
        {
          deviceName: '/dev/xvda',
          ebs: {
            encrypted: true,
            kmsKeyId: props.imageKey.keyArn,
            volumeSize: props.rootVolumeGiB,
            volumeType: 'gp3',
            deleteOnTermination: true,
          },
        },
      ],
      additionalInstanceConfiguration: { systemsManagerAgent: { uninstallAfterBuild: false } },
    });

    this.infrastructure = new imagebuilder.CfnInfrastructureConfiguration(this, 'Infrastructure', {
      name,
      instanceProfileName: profile.instanceProfileName,
      instanceTypes: [...props.buildInstanceTypes],
      subnetId: props.vpc.privateSubnets[0].subnetId,
      securityGroupIds: [buildSecurityGroup.securityGroupId],
      terminateInstanceOnFailure: true,
      instanceMetadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
      logging: { s3Logs: { s3BucketName: this.logBucket.bucket.bucketName, s3KeyPrefix: 'builds' } },
    });

    const amiTags = { [COMPONENT_TAG]: GOLDEN_IMAGE_COMPONENT, pipeline: name };
    const distributeTo = (
      region: string,
      kmsKeyId: string,
    ): imagebuilder.CfnDistributionConfiguration.DistributionProperty => ({
      region,
      // Typed as plain JSON in the L1: keys are CloudFormation's own (PascalCase).
      amiDistributionConfiguration: {
        Name: `${name}-{{ imagebuilder:buildDate }}`,
        Description: `Golden image ${name}`,
        KmsKeyId: kmsKeyId,
        AmiTags: amiTags,
      },
      ssmParameterConfigurations: [{ parameterName: props.amiParameterName, dataType: 'aws:ec2:image' }],
    });
    this.distribution = new imagebuilder.CfnDistributionConfiguration(this, 'Distribution', {
      name,
      distributions: [
        distributeTo(stack.region, props.imageKey.keyArn),
        distributeTo(
          props.drRegion,
          stack.formatArn({
            service: 'kms',
            region: props.drRegion,
            resource: props.drImageKeyAliasName,
            arnFormat: ArnFormat.NO_RESOURCE_NAME,
          }),
        ),
      ],
    });

    const common = {
      imageRecipeArn: this.recipe.attrArn,
      infrastructureConfigurationArn: this.infrastructure.attrArn,
      distributionConfigurationArn: this.distribution.attrArn,
      enhancedImageMetadataEnabled: true,
      imageTestsConfiguration: { imageTestsEnabled: true, timeoutMinutes: props.testTimeoutMinutes },
      imageScanningConfiguration: { imageScanningEnabled: true },
    };
    this.pipeline = new imagebuilder.CfnImagePipeline(this, 'Pipeline', {
      name,
      description: 'Daily hardened image: build, test, scan, distribute to both regions',
      ...common,
      status: 'ENABLED',
      schedule: {
        // On schedule whether or not the base changed: that is how package fixes reach the image (IMM-4).
        scheduleExpression: buildSchedule(props.buildHourUtc, props.buildIntervalHours),
        pipelineExecutionStartCondition: 'EXPRESSION_MATCH_ONLY',
      },
    });
    this.bootstrapImage = new imagebuilder.CfnImage(this, 'BootstrapImage', common);
    for (const r of [this.pipeline, this.bootstrapImage]) Tags.of(r).add(COMPONENT_TAG, GOLDEN_IMAGE_COMPONENT);

    const lifecycleRole = new iam.Role(this, 'LifecycleRole', {
      assumedBy: new iam.ServicePrincipal('imagebuilder.amazonaws.com'),
      description: 'Image Builder lifecycle: deletes old golden images and their snapshots',
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/EC2ImageBuilderLifecycleExecutionPolicy'),
      ],
    });
    acknowledge(
      lifecycleRole,
      'IAM-2',
      'the AWS-managed lifecycle execution policy is the documented minimum for Image Builder to deregister images and delete snapshots',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy]',
    );
    this.lifecycle = new imagebuilder.CfnLifecyclePolicy(this, 'Lifecycle', {
      name,
      description: `Keep the last ${props.keepImages} golden images for rollback; delete older AMIs and snapshots`,
      executionRole: lifecycleRole.roleArn,
      resourceType: 'AMI_IMAGE',
      policyDetails: [
        {
          action: { type: 'DELETE', includeResources: { amis: true, snapshots: true } },
          filter: { type: 'COUNT', value: props.keepImages },
        },
      ],
      resourceSelection: { tagMap: { [COMPONENT_TAG]: GOLDEN_IMAGE_COMPONENT } },
    });

    new events.Rule(this, 'BuildFailed', {
      description: 'A golden image build, test or distribution failed (IMM-1, LOG-4)',
      eventPattern: imageStateChange(this.imageArnPrefix(), ['FAILED']),
      targets: [new targets.SnsTopic(props.alarmTopic)],
    });
  }

  /** ARN prefix of every image this recipe produces (Image Builder lower-cases the recipe name). */
  imageArnPrefix(): string {
    return Stack.of(this).formatArn({
      service: 'imagebuilder',
      resource: 'image',
      resourceName: `${this.recipe.name.toLowerCase()}/`,
    });
  }
}
