import { Duration } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledge';
import { EncryptionKey } from './encryption-key';
import { SecureBucket } from './secure-bucket';

/** How long pipeline artifacts (source snapshots, cloud assemblies, evidence reports) are kept. */
export const ARTIFACT_RETENTION = Duration.days(365);

export interface ArtifactStoreProps {
  /** The bucket's fixed name: the pipeline's home region refers to the stores of the other regions by name. */
  readonly bucketName: string;
  /** The key's alias: CodePipeline names a regional store's key by its alias ARN. */
  readonly keyAliasName: string;
}

/**
 * Where a delivery pipeline keeps its artifacts in one region (SDLC-2): a
 * customer-managed key (rotated, retained) and a SecureBucket encrypted under
 * it, logging to its own access-log bucket. Every region the pipeline deploys
 * to needs one: CodePipeline copies artifacts to the region of each action.
 */
export class ArtifactStore extends Construct {
  readonly key: EncryptionKey;
  /** The artifact bucket; its `encryptionKey` is the key's alias, so other regions can name it. */
  readonly bucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    this.key = new EncryptionKey(this, 'Key', {
      dataClass: 'artifacts',
      description: 'Encrypts the delivery pipeline artifacts (source, cloud assembly, evidence) in this region',
      aliasName: props.keyAliasName,
    });
    const accessLogs = new SecureBucket(this, 'AccessLogs', {
      isAccessLogBucket: true,
      encryption: { s3ManagedBecause: 'S3 server access log delivery does not support SSE-KMS destination buckets' },
      expiration: ARTIFACT_RETENTION,
    });
    const artifacts = new SecureBucket(this, 'Artifacts', {
      bucketName: props.bucketName,
      // The alias, not the key: the pipeline in another region refers to it by its (fixed) alias ARN.
      encryption: { kmsKey: this.key.alias! },
      serverAccessLogsBucket: accessLogs.bucket,
      expiration: ARTIFACT_RETENTION,
    });
    this.bucket = artifacts.bucket;
    for (const b of [accessLogs, artifacts]) {
      acknowledge(
        b.bucket,
        'SDLC-2',
        'pipeline artifacts are rebuilt from the repository by any execution and every deployment region has its own store; cross-region replication is applied to customer data (DATA-4)',
        'compliance:S3BucketReplicationEnabled',
      );
    }
  }
}
