import { hstsMaxAge, internetFacingAlbs, LISTENER_RULE, listenersOf, webAclsOf } from '../checks/lookups';
import { referrers, sameResource, targetsOf } from '../checks/query';
import { subnetTier } from '../checks/network';
import { asArray, asNumber, flat, get, isRecord, prop, resolveTarget, resourcesOf } from '../checks/template';
import { deploymentOf, pipelineDeploying } from '../checks/delivery';
import type { CheckContext, ResourceRef } from '../checks/types';

const label = (...lines: string[]) => `["${lines.filter(Boolean).join('<br/>').replace(/"/g, '#quot;')}"]`;
const dbLabel = (...lines: string[]) => `[("${lines.filter(Boolean).join('<br/>').replace(/"/g, '#quot;')}")]`;
const id = (ref: ResourceRef) => `${ref.stack.stackName}_${ref.logicalId}`.replace(/[^A-Za-z0-9_]/g, '_');
const days = (seconds: number | undefined) => (seconds === undefined ? '?' : `${+(seconds / 86_400).toFixed(1)} d`);

function primaryRegion(ctx: CheckContext): string | undefined {
  const lb = internetFacingAlbs(ctx)[0];
  if (lb?.stack.region) return lb.stack.region;
  const counts = new Map<string, number>();
  for (const s of ctx.stacks) if (s.region) counts.set(s.region, (counts.get(s.region) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * A Mermaid flowchart of one environment drawn from its templates (not from
 * configuration): internet → WAF → ALB → fleet → database, the VPC tiers and
 * endpoints, what is copied to the DR region, and the delivery pipeline that
 * deploys it. A missing link is drawn as
 * missing, so the picture cannot look better than the templates.
 */
export function renderDiagram(ctx: CheckContext): string {
  const lines: string[] = ['flowchart LR', '  internet((Internet))'];
  const edges: string[] = [];
  const region = primaryRegion(ctx);
  const albs = internetFacingAlbs(ctx);
  const asgs = resourcesOf(ctx.stacks, 'AWS::AutoScaling::AutoScalingGroup');
  const dbs = resourcesOf(ctx.stacks, 'AWS::RDS::DBInstance');
  const vpcs = resourcesOf(ctx.stacks, 'AWS::EC2::VPC');

  for (const lb of albs) {
    const listeners = listenersOf(ctx, lb).map((l) => {
      const proto = String(prop(l, 'Protocol'));
      if (proto !== 'HTTPS') return `${proto} ${String(prop(l, 'Port'))} → 301 to HTTPS`;
      const { maxAge } = hstsMaxAge(l);
      return `HTTPS ${String(prop(l, 'Port'))} ${String(prop(l, 'SslPolicy'))}, HSTS ${maxAge ?? 'none'}`;
    });
    lines.push(`  ${id(lb)}${label('ALB (internet-facing)', ...listeners)}`);
    const acls = webAclsOf(ctx, lb);
    if (acls.length === 0) edges.push(`  internet -->|"no WAF"| ${id(lb)}`);
    for (const acl of acls) {
      const rules = asArray(prop(acl, 'Rules')).map((r) => String(get(r, 'Name')));
      lines.push(`  ${id(acl)}${label(`WAF web ACL (${rules.length} rules)`, rules.join(', '))}`);
      edges.push(`  internet -->|HTTPS| ${id(acl)}`, `  ${id(acl)} --> ${id(lb)}`);
    }
  }

  for (const vpc of vpcs) {
    const subnets = referrers(ctx, 'AWS::EC2::Subnet', 'VpcId', vpc);
    const azs = new Set(subnets.map((s) => flat(prop(s, 'AvailabilityZone')))).size;
    const tierOf = (ref: ResourceRef, path: string) => {
      const tiers = targetsOf(ctx, ref, path).map(subnetTier);
      return tiers[0] ?? 'unknown';
    };
    lines.push(
      `  subgraph ${id(vpc)}${label(`VPC ${flat(prop(vpc, 'CidrBlock'))} in ${vpc.stack.region ?? '?'}, ${azs} AZs`)}`,
    );
    const inTier = (tier: string, nodes: string[]) => {
      if (nodes.length === 0) return;
      lines.push(
        `    subgraph ${id(vpc)}_${tier}${label(`${tier} subnets`)}`,
        ...nodes.map((n) => `      ${n}`),
        '    end',
      );
    };
    const nats = resourcesOf([vpc.stack], 'AWS::EC2::NatGateway');
    inTier('public', [
      ...albs.filter((lb) => tierOf(lb, 'Subnets') === 'public').map(id),
      ...(nats.length ? [`${id(vpc)}_nat${label(`${nats.length} NAT gateways`)}`] : []),
    ]);
    inTier(
      'private',
      asgs
        .filter((a) => tierOf(a, 'VPCZoneIdentifier') !== 'public')
        .map(
          (a) =>
            `${id(a)}${label('App fleet (Auto Scaling)', `${String(prop(a, 'MinSize'))}-${String(prop(a, 'MaxSize'))} nodes, lifetime ${days(asNumber(prop(a, 'MaxInstanceLifetime')))}`)}`,
        ),
    );
    inTier(
      'isolated',
      dbs.map((d) => {
        const pg = resolveTarget(ctx, d.stack, prop(d, 'DBParameterGroupName'));
        const params = pg ? prop(pg, 'Parameters') : undefined;
        const ssl = isRecord(params) && String(params['rds.force_ssl']) === '1' ? 'TLS enforced' : 'TLS not enforced';
        return `${id(d)}${dbLabel(`${String(prop(d, 'Engine'))} ${String(prop(d, 'EngineVersion') ?? '')}`, `${prop(d, 'MultiAZ') === true ? 'Multi-AZ' : 'single-AZ'}, ${ssl}`)}`;
      }),
    );
    const endpoints = referrers(ctx, 'AWS::EC2::VPCEndpoint', 'VpcId', vpc);
    if (endpoints.length) {
      const names = endpoints.map((e) => flat(prop(e, 'ServiceName')).split('.').pop()).join(', ');
      lines.push(`    ${id(vpc)}_endpoints${label(`${endpoints.length} VPC endpoints`, names)}`);
      for (const a of asgs) edges.push(`  ${id(a)} -.->|AWS APIs| ${id(vpc)}_endpoints`);
    }
    lines.push('  end');
  }

  for (const lb of albs) {
    const forwardedTo = listenersOf(ctx, lb)
      .flatMap((l) => referrers(ctx, LISTENER_RULE, 'ListenerArn', l))
      .flatMap((r) => asArray(prop(r, 'Actions')).map((a) => resolveTarget(ctx, r.stack, get(a, 'TargetGroupArn'))));
    for (const a of asgs) {
      const tg = targetsOf(ctx, a, 'TargetGroupARNs').find(
        (g) => g !== undefined && forwardedTo.some((f) => sameResource(f, g)),
      );
      if (tg) edges.push(`  ${id(lb)} -->|${String(prop(tg, 'Protocol'))} ${String(prop(tg, 'Port'))}| ${id(a)}`);
    }
  }
  for (const a of asgs)
    for (const d of dbs) edges.push(`  ${id(a)} -->|TLS ${String(prop(d, 'Port') ?? '')}| ${id(d)}`);

  const drStacks = ctx.stacks.filter((s) => s.region !== undefined && s.region !== region);
  const drRegions = [...new Set(drStacks.map((s) => s.region))];
  for (const dr of drRegions) {
    const here = drStacks.filter((s) => s.region === dr);
    const vaults = resourcesOf(here, 'AWS::Backup::BackupVault');
    const buckets = resourcesOf(here, 'AWS::S3::Bucket');
    const keys = resourcesOf(here, 'AWS::KMS::Key');
    lines.push(`  subgraph dr_${String(dr).replace(/[^A-Za-z0-9]/g, '_')}${label(`DR region ${String(dr)}`)}`);
    for (const v of vaults)
      lines.push(`    ${id(v)}${dbLabel('Backup vault', prop(v, 'LockConfiguration') ? 'Vault Lock' : 'NOT locked')}`);
    for (const b of buckets)
      lines.push(`    ${id(b)}${dbLabel(`Bucket ${flat(prop(b, 'BucketName') ?? b.logicalId)}`)}`);
    lines.push(
      `    dr_keys_${String(dr).replace(/[^A-Za-z0-9]/g, '_')}${label(`${keys.length} customer keys of ${String(dr)}`)}`,
      '  end',
    );
    for (const plan of resourcesOf(ctx.stacks, 'AWS::Backup::BackupPlan')) {
      const targets = asArray(prop(plan, 'BackupPlan.BackupPlanRule')).flatMap((r) =>
        asArray(get(r, 'CopyActions')).map((c) => String(get(c, 'DestinationBackupVaultArn'))),
      );
      for (const v of vaults) {
        if (targets.some((t) => t.endsWith(`:backup-vault:${String(prop(v, 'BackupVaultName'))}`))) {
          for (const d of dbs) edges.push(`  ${id(d)} ==>|backup copies| ${id(v)}`);
        }
      }
    }
    for (const src of resourcesOf(ctx.stacks, 'AWS::S3::Bucket')) {
      for (const rule of asArray(prop(src, 'ReplicationConfiguration.Rules'))) {
        const dest = buckets.find((b) =>
          String(get(rule, 'Destination.Bucket')).endsWith(`:::${String(prop(b, 'BucketName'))}`),
        );
        if (!dest) continue;
        lines.push(`  ${id(src)}${dbLabel(`Bucket ${flat(prop(src, 'BucketName') ?? src.logicalId)}`)}`);
        edges.push(`  ${id(src)} ==>|replication| ${id(dest)}`);
      }
    }
    for (const dist of resourcesOf(ctx.stacks, 'AWS::ImageBuilder::DistributionConfiguration')) {
      if (!asArray(prop(dist, 'Distributions')).some((d) => get(d, 'Region') === dr)) continue;
      lines.push(`  ${id(dist)}${label('Golden-image pipeline')}`);
      edges.push(`  ${id(dist)} ==>|AMI copies| dr_keys_${String(dr).replace(/[^A-Za-z0-9]/g, '_')}`);
      for (const a of asgs) edges.push(`  ${id(dist)} -.->|new image, rollout| ${id(a)}`);
    }
  }

  const pipeline = pipelineDeploying(ctx);
  if (pipeline) {
    const d = deploymentOf(ctx, pipeline);
    lines.push(
      `  ${id(pipeline)}${label(`Delivery pipeline ${pipeline.stack.stackName}`, `stage ${d.stage + 1} of ${d.stages}`, pipeline.stack.account ? `account ${pipeline.stack.account}` : '')}`,
    );
    for (const vpc of vpcs)
      edges.push(
        `  ${id(pipeline)} -.->|${d.approvals.length > 0 ? 'deploys after manual approval' : 'deploys'}| ${id(vpc)}`,
      );
  }
  return [...lines, ...new Set(edges)].join('\n');
}
