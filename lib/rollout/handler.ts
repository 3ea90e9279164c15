import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { followUpRefresh, rollOutLatestImage, type RolloutResult, type RolloutSettings } from './rollout';

/** The Lambda entry: EventBridge events from Image Builder and from Auto Scaling instance refreshes. */

interface RolloutEvent {
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: { readonly state?: { readonly status?: string } };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

const retry = { maxAttempts: 5, retryMode: 'adaptive' as const };
const clients = {
  autoscaling: new AutoScalingClient(retry),
  ec2: new EC2Client(retry),
  ssm: new SSMClient(retry),
  sns: new SNSClient(retry),
};

export async function handler(event: RolloutEvent): Promise<RolloutResult> {
  const settings: RolloutSettings = {
    autoScalingGroupName: required('ASG_NAME'),
    amiParameterName: required('AMI_PARAMETER'),
    topicArn: required('TOPIC_ARN'),
    instanceWarmupSeconds: Number(required('INSTANCE_WARMUP_SECONDS')),
    alarmNames: (process.env.ALARM_NAMES ?? '').split(',').filter(Boolean),
  };
  if (event.source === 'aws.imagebuilder' && event.detail?.state?.status === 'AVAILABLE') {
    return rollOutLatestImage(clients, settings);
  }
  const refresh = /^EC2 Auto Scaling Instance Refresh (Succeeded|Failed|Cancelled)$/.exec(event['detail-type'] ?? '');
  if (event.source === 'aws.autoscaling' && refresh) {
    return followUpRefresh(clients, settings, refresh[1]);
  }
  return { action: 'none', reason: `ignored event ${event.source}/${event['detail-type']}` };
}
