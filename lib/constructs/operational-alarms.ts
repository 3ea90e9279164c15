import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Thresholds of the operational alarms; documented in the README. */
export const OPERATIONAL_THRESHOLDS = {
  target5xxPer5Min: 10,
  alb5xxPer5Min: 10,
  unhealthyTargets: 1,
  dbCpuPercent: 80,
  /** Alarm when free storage falls below this share of the allocated storage. */
  dbFreeStorageShare: 0.1,
  dbConnections: 200,
} as const;

export interface OperationalAlarmsProps {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly database: rds.DatabaseInstance;
  readonly allocatedStorageGiB: number;
  readonly alarmTopic: sns.ITopic;
  /** Fixed names of the fleet-health alarms, which instance refreshes watch to roll back (IMM-9). */
  readonly fleetHealthAlarmNames: { readonly target5xx: string; readonly unhealthyTargets: string };
}

/** Health of the running service (LOG-4): ALB 5xx and unhealthy targets, database CPU, storage and connections. */
export class OperationalAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationalAlarmsProps) {
    super(scope, id);
    const t = OPERATIONAL_THRESHOLDS;
    const five = Duration.minutes(5);
    const add = (
      name: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      op: cloudwatch.ComparisonOperator,
      periods = 1,
      alarmName?: string,
    ) => {
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmName,
        alarmDescription: `Operational: ${name}`,
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: op,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      this.alarms.push(alarm);
    };
    const gte = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const lt = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;

    add(
      'Target5xx',
      props.targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, {
        period: five,
        statistic: 'Sum',
      }),
      t.target5xxPer5Min,
      gte,
      1,
      props.fleetHealthAlarmNames.target5xx,
    );
    add(
      'LoadBalancer5xx',
      props.loadBalancer.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period: five, statistic: 'Sum' }),
      t.alb5xxPer5Min,
      gte,
    );
    add(
      'UnhealthyTargets',
      props.targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
      t.unhealthyTargets,
      gte,
      3,
      props.fleetHealthAlarmNames.unhealthyTargets,
    );
    add('DatabaseCpu', props.database.metricCPUUtilization({ period: five }), t.dbCpuPercent, gte, 3);
    add(
      'DatabaseFreeStorage',
      props.database.metricFreeStorageSpace({ period: five, statistic: 'Minimum' }),
      props.allocatedStorageGiB * 1024 ** 3 * t.dbFreeStorageShare,
      lt,
    );
    add(
      'DatabaseConnections',
      props.database.metricDatabaseConnections({ period: five, statistic: 'Maximum' }),
      t.dbConnections,
      gte,
      2,
    );
  }
}
