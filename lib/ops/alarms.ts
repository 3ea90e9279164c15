import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { fleetHealthAlarmNames } from '../config/naming';
import type { EnvironmentConfig } from '../config/schema';
import type { OpsClients } from './clients';
import { OperationError } from './errors';

/**
 * The fleet-health alarms every refresh of the CLI watches (IMM-9): any of
 * them in ALARM while the refresh runs rolls it back. An alarm that does not
 * exist would make StartInstanceRefresh fail (or, worse, watch nothing), so
 * each one is looked up first and a missing one is an error naming it.
 */
export async function fleetHealthAlarms(clients: OpsClients, env: EnvironmentConfig): Promise<string[]> {
  const wanted = Object.values(fleetHealthAlarmNames(env.tags.application, env.name));
  const out = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: wanted, MaxRecords: 100 }));
  const found = new Set([...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])].map((a) => a.AlarmName));
  const missing = wanted.filter((n) => !found.has(n));
  if (missing.length > 0) {
    throw new OperationError(
      `fleet-health alarm(s) ${missing.join(', ')} not found in ${env.region} (account ${env.account}); ` +
        `a refresh rolls back on ${wanted.join(' and ')}, so deploy the App stack of environment "${env.name}" that creates them, then run again`,
    );
  }
  return wanted;
}
