import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { fleetLogGroupPrefix, goldenAmiParameterName, keyAliasName } from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import { EncryptionKey } from '../constructs/encryption-key';
import { GoldenImagePipeline } from '../constructs/golden-image';
import type { ImageComponent } from '../images/components';

export interface ImageStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly vpc: ec2.IVpc;
  readonly components: readonly ImageComponent[];
  readonly accessLogBucket: s3.IBucket;
  readonly alarmTopic: sns.ITopic;
}

/** The golden-image pipeline of an environment and the key of its AMIs and volumes (IMM-1, IMM-4, IMM-5, IMM-8). */
export class ImageStack extends Stack {
  readonly imagesKey: EncryptionKey;
  readonly pipeline: GoldenImagePipeline;

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
        'app-runtime': { AppPort: String(c.ingress.appPort) },
        'cloudwatch-agent': { LogGroupPrefix: fleetLogGroupPrefix(app, c.name) },
      },
      buildInstanceTypes: c.image.buildInstanceTypes,
      buildHourUtc: c.image.buildHourUtc,
      buildIntervalHours: c.image.buildIntervalHours,
      keepImages: c.image.keepImages,
      rootVolumeGiB: c.fleet.rootVolumeGiB,
      imageKey: this.imagesKey.key,
      drRegion: c.drRegion,
      drImageKeyAliasName: keyAliasName(app, c.name, 'images'),
      amiParameterName: goldenAmiParameterName(app, c.name),
      accessLogBucket: props.accessLogBucket,
      alarmTopic: props.alarmTopic,
    });
  }
}
