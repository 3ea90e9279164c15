import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  paginateDescribeFlowLogs,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { REQUIRED_TAGS } from '../../compliance/checks/data';
import { REQUIRED_INTERFACE_ENDPOINTS } from '../../compliance/checks/network';
import type { CheckResult } from '../verify';
import { absent, envTags, judge, type LiveContext, liveFamily, tagValue } from './check';

/** The services private hosts reach through endpoints: the interface endpoints NET-6 requires, and the S3 gateway. */
export const ENDPOINT_SERVICES = [...REQUIRED_INTERFACE_ENDPOINTS, 's3'];
/** The tags every resource carries (DATA-8), checked on the VPC. */
export { REQUIRED_TAGS };

export async function environmentVpcs(ctx: LiveContext): Promise<Vpc[]> {
  const filters = Object.entries(envTags(ctx.env)).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
  const vpcs: Vpc[] = [];
  for await (const page of paginateDescribeVpcs({ client: ctx.ops.ec2 }, { Filters: filters }))
    vpcs.push(...(page.Vpcs ?? []));
  return vpcs;
}

/** NET-6: flow logs of all traffic, active, kept a year; every endpoint present. DATA-8: the VPC's tags. */
export const network = liveFamily('vpc.flow-logs', 'NET-6', 'VPC', async (ctx, resource) => {
  const vpcs = await environmentVpcs(ctx);
  if (vpcs.length === 0) return [absent('vpc.flow-logs', 'NET-6', resource, 'the environment VPC')];
  const rows: CheckResult[] = [];
  for (const vpc of vpcs) {
    const id = vpc.VpcId!;
    const filter = () => ({ Filter: [{ Name: 'resource-id', Values: [id] }] });
    const logs = [];
    for await (const page of paginateDescribeFlowLogs({ client: ctx.ops.ec2 }, filter()))
      logs.push(...(page.FlowLogs ?? []));
    const all = logs.find((l) => l.TrafficType === 'ALL' && l.FlowLogStatus === 'ACTIVE');
    rows.push(
      judge({
        check: 'vpc.flow-logs',
        control: 'NET-6',
        resource: id,
        property: 'FlowLogs[TrafficType, FlowLogStatus]',
        found: logs.map((l) => `${l.FlowLogId} ${l.TrafficType} ${l.FlowLogStatus}`).join(', '),
        required: 'a flow log of ALL traffic, ACTIVE',
        ok: all !== undefined,
      }),
    );
    if (all?.LogDestinationType === 'cloud-watch-logs' && all.LogGroupName) {
      const group = (
        await ctx.live.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: all.LogGroupName }))
      ).logGroups?.find((g) => g.logGroupName === all.LogGroupName);
      rows.push(
        judge({
          check: 'vpc.flow-log-retention',
          control: 'NET-6',
          resource: all.LogGroupName,
          property: 'retentionInDays',
          found: group?.retentionInDays ?? 'never expires',
          required: '>= 365',
          ok: (group?.retentionInDays ?? 0) >= 365,
        }),
      );
    }
    const services = new Set<string>();
    const vpcFilter = { Filters: [{ Name: 'vpc-id', Values: [id] }] };
    for await (const page of paginateDescribeVpcEndpoints({ client: ctx.ops.ec2 }, vpcFilter)) {
      for (const e of page.VpcEndpoints ?? []) {
        if (e.State && !['available', 'Available', 'pending'].includes(e.State)) continue;
        services.add((e.ServiceName ?? '').split('.').pop() ?? '');
      }
    }
    const missing = ENDPOINT_SERVICES.filter((s) => !services.has(s));
    rows.push(
      judge({
        check: 'vpc.endpoints',
        control: 'NET-6',
        resource: id,
        property: 'VPC endpoints (service)',
        found: [...services].sort().join(', ') + (missing.length ? ` (missing ${missing.join(', ')})` : ''),
        required: ENDPOINT_SERVICES.join(', '),
        ok: missing.length === 0,
      }),
    );
    const tags = Object.fromEntries(REQUIRED_TAGS.map((k) => [k, tagValue(vpc.Tags, k)]));
    rows.push(
      judge({
        check: 'tags.required',
        control: 'DATA-8',
        resource: id,
        property: 'Tags',
        found: tags,
        required: REQUIRED_TAGS.join(', '),
        ok: REQUIRED_TAGS.every((k) => tags[k]),
      }),
    );
  }
  return rows;
});
