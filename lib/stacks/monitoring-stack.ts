import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OperationalAlarms, type OperationalAlarmsProps } from '../constructs/operational-alarms';

/** What the operational alarms watch and whom they notify: the same as {@link OperationalAlarmsProps}. */
export interface MonitoringStackProps extends StackProps, OperationalAlarmsProps {}

/** Operational alarms of the running service (LOG-4), kept apart so that alarms never hold up a stateful stack. */
export class MonitoringStack extends Stack {
  readonly alarms: OperationalAlarms;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    this.alarms = new OperationalAlarms(this, 'Operational', props);
  }
}
