import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { COMPONENT_TAG, COMPONENTS } from '../config/naming';
import type { ImageConfig } from '../config/schema';
import { CveRebuild } from '../constructs/cve-rebuild';
import { GoldenImagePipeline } from '../constructs/golden-image';
import { ImagesKey } from '../constructs/images-key';
import { ReleaseStore } from '../constructs/release-store';
import type { ImageComponent } from '../images/components';

export interface ImageStackProps extends StackProps {
  /** The environment's name, in the key's description. */
  readonly environmentName: string;
  /** Prefix of the pipeline's resource names (`<application>-<environment>`). */
  readonly namePrefix: string;
  /** How the golden image is built and kept (IMM-1, IMM-4, IMM-5, IMM-10). */
  readonly image: ImageConfig;
  /** The fleet's root volume, in GiB: the image's volume is the same size. */
  readonly rootVolumeGiB: number;
  /** Alias of the images key, the same in the DR region, where AMIs are copied to. */
  readonly imagesKeyAliasName: string;
  readonly drRegion: string;
  /** Prefix of the fleet's log groups, which the image's CloudWatch agent writes to. */
  readonly fleetLogGroupPrefix: string;
  /** The SSM parameter the pipeline publishes each new AMI ID to; the fleet launches from it. */
  readonly amiParameterName: string;
  /** The SSM parameter that marks a CVE-driven rebuild pending (IMM-10). */
  readonly rebuildPendingParameterName: string;
  /** The release store's fixed names (IMM-9): its bucket and the SSM parameters naming the bucket and the current release. */
  readonly releases: {
    readonly bucketName: string;
    readonly bucketParameterName: string;
    readonly recordParameterName: string;
  };
  readonly vpc: ec2.IVpc;
  readonly components: readonly ImageComponent[];
  readonly accessLogBucket: s3.IBucket;
  readonly alarmTopic: sns.ITopic;
  /** Key of the stack's function log groups and queues. */
  readonly logKey: kms.IKey;
}

/**
 * What the fleet runs: the golden-image pipeline and the key of its AMIs,
 * volumes and release artifacts (IMM-1, IMM-4, IMM-5, IMM-8), the release
 * store of the application (IMM-9), and the CVE-driven rebuild (IMM-10).
 */
export class ImageStack extends Stack {
  readonly imagesKey: ImagesKey;
  readonly pipeline: GoldenImagePipeline;
  readonly releases: ReleaseStore;
  readonly cveRebuild: CveRebuild;

  constructor(scope: Construct, id: string, props: ImageStackProps) {
    super(scope, id, props);
    this.imagesKey = new ImagesKey(this, 'ImagesKey', {
      description: `Encrypts golden AMIs and fleet volumes of ${props.environmentName}`,
      aliasName: props.imagesKeyAliasName,
    });

    const image = props.image;
    this.pipeline = new GoldenImagePipeline(this, 'GoldenImage', {
      namePrefix: props.namePrefix,
      vpc: props.vpc,
      parentImage: image.baseImage.ssmParameter ? `ssm:${image.baseImage.ssmParameter}` : image.baseImage.amiId!,
      components: props.components,
      componentParameters: {
        'cloudwatch-agent': { LogGroupPrefix: props.fleetLogGroupPrefix },
      },
      buildInstanceTypes: image.buildInstanceTypes,
      buildHourUtc: image.buildHourUtc,
      buildIntervalHours: image.buildIntervalHours,
      keepImages: image.keepImages,
      testTimeoutMinutes: image.testTimeoutMinutes,
      rootVolumeGiB: props.rootVolumeGiB,
      imageKey: this.imagesKey.key,
      drRegion: props.drRegion,
      drImageKeyAliasName: props.imagesKeyAliasName,
      amiParameterName: props.amiParameterName,
      accessLogBucket: props.accessLogBucket,
      alarmTopic: props.alarmTopic,
    });

    this.releases = new ReleaseStore(this, 'Releases', {
      ...props.releases,
      key: this.imagesKey.key,
      accessLogBucket: props.accessLogBucket,
      vpc: props.vpc,
      logKey: props.logKey,
    });
    this.cveRebuild = new CveRebuild(this, 'CveRebuild', {
      vpc: props.vpc,
      pipelineArn: this.pipeline.pipeline.attrArn,
      imageArnPrefix: this.pipeline.imageArnPrefix(),
      fleetTag: { key: COMPONENT_TAG, value: COMPONENTS.fleet },
      pendingParameterName: props.rebuildPendingParameterName,
      logKey: props.logKey,
    });
  }
}
