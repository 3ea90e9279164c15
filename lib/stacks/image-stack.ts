import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import {
  COMPONENT_TAG,
  COMPONENTS,
  fleetLogGroupPrefix,
  goldenAmiParameterName,
  keyAliasName,
  rebuildPendingParameterName,
  releaseBucketName,
} from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import { EncryptionKey } from '../constructs/encryption-key';
import { CveRebuild } from '../constructs/cve-rebuild';
import { GoldenImagePipeline } from '../constructs/golden-image';
import { ReleaseStore } from '../constructs/release-store';
import { releaseBucketParameterName, releaseParameterName } from '../release/contract';
import type { ImageComponent } from '../images/components';

export interface ImageStackProps extends StackProps {
  readonly config: EnvironmentConfig;
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
  readonly imagesKey: EncryptionKey;
  readonly pipeline: GoldenImagePipeline;
  readonly releases: ReleaseStore;
  readonly cveRebuild: CveRebuild;

  constructor(scope: Construct, id: string, props: ImageStackProps) {
    super(scope, id, props);
    const c = props.config;
    const app = c.tags.application;

    this.imagesKey = new EncryptionKey(this, 'ImagesKey', {
      dataClass: 'images',
      description: `Encrypts golden AMIs and fleet volumes of ${c.name}`,
      aliasName: keyAliasName(app, c.name, 'images'),
    });
    this.imagesKey.allowServiceLinkedRole('imagebuilder.amazonaws.com', 'AWSServiceRoleForImageBuilder');
    this.imagesKey.allowServiceLinkedRole('autoscaling.amazonaws.com', 'AWSServiceRoleForAutoScaling');

    const base = c.image.baseImage;
    this.pipeline = new GoldenImagePipeline(this, 'GoldenImage', {
      namePrefix: `${app}-${c.name}`,
      vpc: props.vpc,
      parentImage: base.ssmParameter ? `ssm:${base.ssmParameter}` : base.amiId!,
      components: props.components,
      componentParameters: {
        'cloudwatch-agent': { LogGroupPrefix: fleetLogGroupPrefix(app, c.name) },
      },
      buildInstanceTypes: c.image.buildInstanceTypes,
      buildHourUtc: c.image.buildHourUtc,
      buildIntervalHours: c.image.buildIntervalHours,
      keepImages: c.image.keepImages,
      testTimeoutMinutes: c.image.testTimeoutMinutes,
      rootVolumeGiB: c.fleet.rootVolumeGiB,
      imageKey: this.imagesKey.key,
      drRegion: c.drRegion,
      drImageKeyAliasName: keyAliasName(app, c.name, 'images'),
      amiParameterName: goldenAmiParameterName(app, c.name),
      accessLogBucket: props.accessLogBucket,
      alarmTopic: props.alarmTopic,
    });

    this.releases = new ReleaseStore(this, 'Releases', {
      bucketName: releaseBucketName(app, c.name, c.account, c.region, c.nameSuffix),
      key: this.imagesKey.key,
      accessLogBucket: props.accessLogBucket,
      bucketParameterName: releaseBucketParameterName(app, c.name),
      recordParameterName: releaseParameterName(app, c.name),
      vpc: props.vpc,
      logKey: props.logKey,
    });
    this.cveRebuild = new CveRebuild(this, 'CveRebuild', {
      vpc: props.vpc,
      pipelineArn: this.pipeline.pipeline.attrArn,
      imageArnPrefix: this.pipeline.imageArnPrefix(),
      fleetTag: { key: COMPONENT_TAG, value: COMPONENTS.fleet },
      pendingParameterName: rebuildPendingParameterName(app, c.name),
      logKey: props.logKey,
    });
  }
}
