import { Stack, type StackProps } from 'aws-cdk-lib';
import { type Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic';
import { EncryptionKey } from '../constructs/encryption-key';

export interface AlertingStackProps extends StackProps {
  readonly alarmEmails: readonly string[];
}

/** The environment's alarm topic and its key (LOG-4); every other stack notifies it. */
export class AlertingStack extends Stack {
  readonly alarmTopic: AlarmTopic;
  readonly alertsKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: AlertingStackProps) {
    super(scope, id, props);
    const key = (this.alertsKey = new EncryptionKey(this, 'AlertsKey', {
      dataClass: 'alerts',
      description: 'Encrypts the alarm topic of this environment',
    }));
    key.allowServiceToEncrypt('events.amazonaws.com');
    key.allowServiceToEncrypt('cloudwatch.amazonaws.com');
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { emails: props.alarmEmails, encryptionKey: key.key });
  }
}
