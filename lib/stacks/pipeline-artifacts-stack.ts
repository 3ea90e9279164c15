import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ArtifactStore } from '../constructs/artifact-store';

export interface PipelineArtifactsStackProps extends StackProps {
  readonly bucketName: string;
  readonly keyAliasName: string;
}

/**
 * The delivery pipeline's artifact store in a region other than its own
 * (SDLC-2): CodePipeline copies the cloud assembly there before it deploys the
 * stacks of that region. Deployed once with the pipeline (`cdk deploy` of the
 * delivery stacks), in the pipeline's account.
 */
export class PipelineArtifactsStack extends Stack {
  readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: PipelineArtifactsStackProps) {
    super(scope, id, props);
    this.bucket = new ArtifactStore(this, 'Store', {
      bucketName: props.bucketName,
      keyAliasName: props.keyAliasName,
    }).bucket;
  }
}
