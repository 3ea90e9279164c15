import {
  type EC2Client,
  type IpPermission,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroups,
  paginateDescribeVpcs,
  paginateGetManagedPrefixListEntries,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { COMPONENT_TAG, COMPONENTS } from '../../config/naming';
import type { EnvironmentConfig } from '../../config/schema';
import { showTags } from '../fleet';
import { isInternetCidr } from '../live/cidr';
import { type CheckResult, fail, pass } from './result';

/** The ALB's network interfaces are described "ELB app/<name>/<id>"; their groups are the ALB's. */
const ALB_INTERFACE_PREFIX = 'ELB app/';
const REMOTE_ADMIN_PORTS = [22, 3389];
const ALB_PUBLIC_PORTS = [443, 80];

/** Internet ingress (NET-2). */
export function networkTags(env: EnvironmentConfig): Record<string, string> {
  return { application: env.tags.application, environment: env.name };
}

function describeRule(p: IpPermission): { label: string; from: number; to: number; ported: boolean; tcp: boolean } {
  const protocol = p.IpProtocol ?? '-1';
  if (protocol === '-1' || protocol === 'all')
    return { label: 'all traffic', from: 0, to: 65535, ported: true, tcp: false };
  const name = protocol === '6' ? 'tcp' : protocol === '17' ? 'udp' : protocol === '1' ? 'icmp' : protocol;
  const ported = name === 'tcp' || name === 'udp';
  // -1 or a missing port on tcp/udp means every port.
  const from = ported && (p.FromPort === undefined || p.FromPort < 0) ? 0 : (p.FromPort ?? 0);
  const to = ported && (p.ToPort === undefined || p.ToPort < 0) ? 65535 : (p.ToPort ?? 65535);
  const ports = !ported ? '' : from === to ? ` ${from}` : ` ${from}-${to}`;
  return { label: `${name}${ports}`, from, to, ported, tcp: name === 'tcp' };
}

/**
 * What a security group admits from the internet: findings that break NET-2,
 * and what is allowed (tcp 443/80 on the ALB's group only). The internet is
 * any range outside the private and reserved ones ({@link isInternetCidr}),
 * IPv4 and IPv6, also when a prefix list holds it (`prefixLists`: each list's
 * CIDRs; a list that could not be read counts as the internet). SSH and RDP
 * are never allowed, not even on the ALB's group.
 */
export function internetIngress(
  group: SecurityGroup,
  isAlbGroup: boolean,
  prefixLists: ReadonlyMap<string, readonly string[] | undefined> = new Map(),
): { violations: string[]; allowed: string[] } {
  const violations: string[] = [];
  const allowed: string[] = [];
  for (const p of group.IpPermissions ?? []) {
    const direct = [...(p.IpRanges ?? []).map((r) => r.CidrIp), ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6)].filter(
      (c): c is string => c !== undefined && isInternetCidr(c),
    );
    const listed = (p.PrefixListIds ?? []).flatMap((pl) => {
      const id = pl.PrefixListId ?? '?';
      const cidrs = prefixLists.get(id);
      if (cidrs === undefined) return [`prefix list ${id} (entries not readable)`];
      return cidrs.filter(isInternetCidr).map((c) => `${c} (prefix list ${id})`);
    });
    const sources = [...direct, ...listed];
    if (sources.length === 0) continue;
    const rule = describeRule(p);
    for (const source of sources) {
      const what = `${rule.label} from ${source}`;
      if (rule.ported && REMOTE_ADMIN_PORTS.some((port) => rule.from <= port && port <= rule.to)) {
        violations.push(`${what}: SSH/RDP must never be open to the internet`);
      } else if (isAlbGroup && rule.tcp && rule.from === rule.to && ALB_PUBLIC_PORTS.includes(rule.from)) {
        allowed.push(what);
      } else if (isAlbGroup) {
        violations.push(`${what}: the ALB admits only tcp 443 and 80 from the internet`);
      } else {
        violations.push(`${what}: only the ALB's security group may admit internet traffic`);
      }
    }
  }
  return { violations, allowed };
}

const hasTag = (tags: readonly { Key?: string; Value?: string }[] | undefined, key: string, value: string) =>
  (tags ?? []).some((t) => t.Key === key && t.Value === value);

/** The CIDRs of every prefix list the groups' ingress rules name; undefined for a list that cannot be read. */
async function readPrefixLists(
  ec2: EC2Client,
  groups: readonly SecurityGroup[],
): Promise<Map<string, string[] | undefined>> {
  const ids = new Set(
    groups.flatMap((g) => (g.IpPermissions ?? []).flatMap((p) => (p.PrefixListIds ?? []).map((pl) => pl.PrefixListId))),
  );
  const out = new Map<string, string[] | undefined>();
  for (const id of ids) {
    if (!id) continue;
    try {
      const cidrs: string[] = [];
      for await (const page of paginateGetManagedPrefixListEntries({ client: ec2 }, { PrefixListId: id })) {
        cidrs.push(...(page.Entries ?? []).flatMap((e) => (e.Cidr ? [e.Cidr] : [])));
      }
      out.set(id, cidrs);
    } catch (e) {
      if (!/NotFound/.test((e as { name?: string }).name ?? '')) throw e;
      out.set(id, undefined);
    }
  }
  return out;
}

export async function checkNetwork(ec2: EC2Client, env: EnvironmentConfig): Promise<CheckResult[]> {
  const tags = networkTags(env);
  const vpcFilters = Object.entries(tags).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
  const vpcs = [];
  for await (const page of paginateDescribeVpcs({ client: ec2 }, { Filters: vpcFilters }))
    vpcs.push(...(page.Vpcs ?? []));
  if (vpcs.length === 0) {
    return [
      fail(
        'network.vpc',
        showTags(tags),
        `no VPC with these tags in ${env.region}; is environment "${env.name}" deployed?`,
      ),
    ];
  }
  const rows: CheckResult[] = [];
  for (const vpc of vpcs) {
    const vpcId = vpc.VpcId!;
    // A new input per paginator: a paginator leaves its last NextToken in the input it was given.
    const byVpc = () => ({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] });
    const groups: SecurityGroup[] = [];
    for await (const page of paginateDescribeSecurityGroups({ client: ec2 }, byVpc())) {
      groups.push(...(page.SecurityGroups ?? []));
    }
    const albGroups = new Set(
      groups.filter((g) => hasTag(g.Tags, COMPONENT_TAG, COMPONENTS.entry)).map((g) => g.GroupId),
    );
    for await (const page of paginateDescribeNetworkInterfaces({ client: ec2 }, byVpc())) {
      for (const nic of page.NetworkInterfaces ?? []) {
        if (nic.Description?.startsWith(ALB_INTERFACE_PREFIX))
          for (const g of nic.Groups ?? []) albGroups.add(g.GroupId);
      }
    }
    rows.push(pass('network.vpc', vpcId, `${vpc.CidrBlock ?? ''} with ${groups.length} security group(s)`.trim()));
    groups.sort((a, b) => (a.GroupId ?? '').localeCompare(b.GroupId ?? ''));
    const prefixLists = await readPrefixLists(ec2, groups);
    for (const group of groups) {
      const isAlb = albGroups.has(group.GroupId);
      const resource = `${group.GroupId} (${group.GroupName ?? ''}${isAlb ? ', ALB' : ''})`;
      const { violations, allowed } = internetIngress(group, isAlb, prefixLists);
      rows.push(
        violations.length > 0
          ? fail('network.internet-ingress', resource, violations.join('; '))
          : pass(
              'network.internet-ingress',
              resource,
              allowed.length > 0 ? `internet may reach ${allowed.join(', ')}` : 'no ingress from the internet',
            ),
      );
    }
  }
  return rows;
}
