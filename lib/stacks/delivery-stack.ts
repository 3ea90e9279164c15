import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import { ArtifactStore } from '../constructs/artifact-store';
import { DeliveryPipeline, type PipelineEnvironment } from '../constructs/delivery-pipeline';
import { EncryptionKey } from '../constructs/encryption-key';
import { SecureLogGroup } from '../constructs/secure-log-group';

export interface DeliveryStackProps extends StackProps {
  readonly pipelineName: string;
  readonly source: { readonly connectionArn: string; readonly repository: string; readonly branch: string };
  /** The configuration file, relative to the repository root. */
  readonly configPath: string;
  readonly artifactBucketName: string;
  readonly artifactKeyAliasName: string;
  /** The artifact buckets of the other regions (PipelineArtifactsStack). */
  readonly regionalArtifactBuckets: Readonly<Record<string, s3.IBucket>>;
  readonly environments: readonly PipelineEnvironment[];
  /** Asked to approve production deployments and told of failed executions. */
  readonly approvalEmails: readonly string[];
}

/**
 * The delivery pipeline and what it needs in its own region (SDLC-2): the
 * artifact store, an encrypted build log group and an encrypted topic for
 * approvals. Composes only.
 */
export class DeliveryStack extends Stack {
  readonly pipeline: DeliveryPipeline;

  constructor(scope: Construct, id: string, props: DeliveryStackProps) {
    super(scope, id, props);
    const store = new ArtifactStore(this, 'Artifacts', {
      bucketName: props.artifactBucketName,
      keyAliasName: props.artifactKeyAliasName,
    });

    const logKey = new EncryptionKey(this, 'LogKey', {
      dataClass: 'logs',
      description: 'Encrypts the build logs of the delivery pipeline',
    });
    logKey.allowCloudWatchLogs();
    const buildLogs = new SecureLogGroup(this, 'BuildLogs', { encryptionKey: logKey.key });

    const alertsKey = new EncryptionKey(this, 'AlertsKey', {
      dataClass: 'alerts',
      description: 'Encrypts the approval and failure notifications of the delivery pipeline',
    });
    alertsKey.allowServiceToEncrypt('codestar-notifications.amazonaws.com');
    const topic = new AlarmTopic(this, 'Notifications', { emails: props.approvalEmails, encryptionKey: alertsKey.key });

    this.pipeline = new DeliveryPipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      source: props.source,
      configPath: props.configPath,
      artifactBucket: store.bucket,
      regionalArtifactBuckets: props.regionalArtifactBuckets,
      environments: props.environments,
      notificationTopic: topic.topic,
      buildLogGroup: buildLogs.logGroup,
    });
  }
}
