import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { OperationalAlarms } from '../constructs/operational-alarms';

export interface MonitoringStackProps extends StackProps {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly database: rds.DatabaseInstance;
  readonly allocatedStorageGiB: number;
  readonly alarmTopic: sns.ITopic;
  /** Fixed names of the alarms every instance refresh watches (IMM-9). */
  readonly fleetHealthAlarmNames: { readonly target5xx: string; readonly unhealthyTargets: string };
}

/** Operational alarms of the running service (LOG-4), kept apart so that alarms never hold up a stateful stack. */
export class MonitoringStack extends Stack {
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.alarms = new OperationalAlarms(this, 'Operational', props);
  }
}
