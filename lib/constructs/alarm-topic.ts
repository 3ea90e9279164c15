import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Who is told: every address gets an email subscription (to be confirmed by its owner). */
  readonly emails: readonly string[];
  /** The topic's customer-managed key. */
  readonly encryptionKey: kms.IKey;
}

/**
 * The encrypted SNS topic every alarm and failure event of an environment
 * notifies (LOG-4): KMS-encrypted, TLS-only, and writable only by this
 * account's principals, CloudWatch alarms and EventBridge rules.
 */
export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Resource', {
      masterKey: props.encryptionKey,
      enforceSSL: true,
      displayName: 'Security and operations alarms',
    });
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowAlarmAndEventPublishersOfThisAccount',
        principals: [
          new iam.ServicePrincipal('events.amazonaws.com'),
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
        ],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
  }
}
