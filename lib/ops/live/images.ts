import {
  type ImagePipeline,
  paginateListImagePipelineImages,
  paginateListImagePipelines,
  paginateListLifecyclePolicies,
} from '@aws-sdk/client-imagebuilder';
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { paginateListFindings } from '@aws-sdk/client-inspector2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { goldenAmiParameterName } from '../../config/naming';
import { cveBound } from '../../images/cve-bound';
import { REBUILD_SEVERITIES } from '../../rollout/rebuild';
import { findFleetGroups } from '../fleet';
import { partitionOf } from '../partition';
import type { CheckResult } from '../verify';
import { absent, attempt, orMissing, DAY_MS, HOUR_MS, judge, type LiveContext, liveFamily } from './check';
import { environmentVpcs } from './network';

/** A build takes up to this long after its scheduled start (tests time out at 90 min). */
export const BUILD_SLACK_HOURS = 3;

const prefixOf = (ctx: LiveContext) => `${ctx.env.tags.application}-${ctx.env.name}`;

async function pipelineRows(ctx: LiveContext, name: string): Promise<CheckResult[]> {
  const pipelines: ImagePipeline[] = [];
  for await (const page of paginateListImagePipelines({ client: ctx.live.imagebuilder }, {}))
    pipelines.push(...(page.imagePipelineList ?? []).filter((p) => p.name === name));
  const rows: CheckResult[] = [];
  if (pipelines.length === 0) rows.push(absent('image.pipeline', 'IMM-1', name, 'the golden-image pipeline'));
  for (const p of pipelines) {
    rows.push(
      judge({
        check: 'image.pipeline',
        control: 'IMM-1',
        resource: name,
        property: 'status, imageTestsEnabled, imageScanningEnabled',
        found: `${p.status}, ${p.imageTestsConfiguration?.imageTestsEnabled ?? false}, ${p.imageScanningConfiguration?.imageScanningEnabled ?? false}`,
        required: 'ENABLED, true, true',
        ok:
          p.status === 'ENABLED' &&
          p.imageTestsConfiguration?.imageTestsEnabled === true &&
          p.imageScanningConfiguration?.imageScanningEnabled === true,
      }),
    );
    let newest: Date | undefined;
    for await (const page of paginateListImagePipelineImages(
      { client: ctx.live.imagebuilder },
      { imagePipelineArn: p.arn },
    )) {
      for (const image of page.imageSummaryList ?? []) {
        const created = image.dateCreated ? new Date(image.dateCreated) : undefined;
        if (image.state?.status === 'AVAILABLE' && created && (!newest || created > newest)) newest = created;
      }
    }
    rows.push(buildAge(ctx, 'image.last-build', name, 'newest AVAILABLE image (dateCreated)', newest));
  }
  return rows;
}

/** IMM-4: an image at most one build interval (plus the build itself) old. */
function buildAge(ctx: LiveContext, check: string, resource: string, property: string, newest: Date | undefined) {
  const limitHours = ctx.env.image.buildIntervalHours + BUILD_SLACK_HOURS;
  const ageHours = newest ? (ctx.now.getTime() - newest.getTime()) / HOUR_MS : undefined;
  return judge({
    check,
    control: 'IMM-4',
    resource,
    property,
    found: newest ? `${newest.toISOString()} (${ageHours!.toFixed(1)} h ago)` : 'no available image',
    required: `younger than ${limitHours} h (image.buildIntervalHours ${ctx.env.image.buildIntervalHours} + ${BUILD_SLACK_HOURS} h build)`,
    ok: ageHours !== undefined && ageHours <= limitHours,
  });
}

async function lifecycleRows(ctx: LiveContext, name: string): Promise<CheckResult[]> {
  const policies = [];
  for await (const page of paginateListLifecyclePolicies({ client: ctx.live.imagebuilder }, {}))
    policies.push(...(page.lifecyclePolicySummaryList ?? []).filter((l) => l.name === name));
  return [
    judge({
      check: 'image.lifecycle',
      control: 'IMM-5',
      resource: name,
      property: 'lifecycle policy status',
      found: policies.map((l) => l.status).join(', ') || 'no lifecycle policy',
      required: 'ENABLED',
      ok: policies.some((l) => l.status === 'ENABLED'),
    }),
  ];
}

/**
 * The golden AMI the SSM parameter names, as EC2 describes it (IMM-4: its age),
 * and its copy in the DR region (IMM-8): an image of the account with the same
 * name, every snapshot encrypted with a key of that region.
 */
async function goldenImageRows(ctx: LiveContext): Promise<CheckResult[]> {
  const parameter = goldenAmiParameterName(ctx.env.tags.application, ctx.env.name);
  const id = (
    await orMissing(() => ctx.ops.ssm.send(new GetParameterCommand({ Name: parameter })), 'ParameterNotFound')
  )?.Parameter?.Value;
  const image = id ? (await ctx.ops.ec2.send(new DescribeImagesCommand({ ImageIds: [id] }))).Images?.[0] : undefined;
  const resource = `${id ?? '(no AMI)'} (${parameter})`;
  const rows = [
    buildAge(
      ctx,
      'image.golden-age',
      resource,
      'CreationDate',
      image?.CreationDate ? new Date(image.CreationDate) : undefined,
    ),
  ];
  const copies = image?.Name
    ? ((
        await ctx.dr.ec2.send(
          new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [image.Name] }] }),
        )
      ).Images ?? [])
    : [];
  const keys = copies.flatMap((c) =>
    (c.BlockDeviceMappings ?? []).map((b) => (b.Ebs?.Encrypted ? (b.Ebs.KmsKeyId ?? 'default key') : 'unencrypted')),
  );
  const inDr = (k: string) => k.startsWith(`arn:${partitionOf(ctx.env.drRegion)}:kms:${ctx.env.drRegion}:`);
  rows.push(
    judge({
      check: 'image.dr-copy',
      control: 'IMM-8',
      resource: `${image?.Name ?? resource} in ${ctx.env.drRegion}`,
      property: 'images of the account with this name: ImageId, snapshot KmsKeyId',
      found: copies.length
        ? `${copies.map((c) => c.ImageId).join(', ')}: ${keys.join(', ') || 'no volumes'}`
        : 'no copy',
      required: `a copy owned by ${ctx.env.account}, every snapshot encrypted with a ${ctx.env.drRegion} key`,
      ok: copies.length > 0 && keys.length > 0 && keys.every(inDr),
    }),
  );
  return rows;
}

/** IMM-10: no critical or high finding with a fix stays open on the fleet longer than the computed bound. */
async function findingRows(ctx: LiveContext): Promise<CheckResult[]> {
  const bound = cveBound(ctx.env);
  const before = new Date(ctx.now.getTime() - bound.totalHours * HOUR_MS);
  const vpcs = (await environmentVpcs(ctx)).map((v) => v.VpcId!);
  const filterCriteria = {
    findingStatus: [{ comparison: 'EQUALS' as const, value: 'ACTIVE' }],
    fixAvailable: [{ comparison: 'EQUALS' as const, value: 'YES' }],
    severity: REBUILD_SEVERITIES.map((value) => ({ comparison: 'EQUALS' as const, value })),
    ec2InstanceVpcId: vpcs.map((value) => ({ comparison: 'EQUALS' as const, value })),
    firstObservedAt: [{ endInclusive: before }],
  };
  const old: string[] = [];
  for await (const page of paginateListFindings({ client: ctx.live.inspector }, { filterCriteria }))
    for (const f of page.findings ?? [])
      old.push(`${f.severity} ${f.title ?? f.findingArn} on ${f.resources?.[0]?.id ?? '?'}`);
  return [
    judge({
      check: 'image.cve-bound',
      control: 'IMM-10',
      resource: `fleet of ${ctx.env.name} (VPC ${vpcs.join(', ') || 'not found'})`,
      property: `ACTIVE ${REBUILD_SEVERITIES.join('/')} findings with a fix, first observed before ${before.toISOString()}`,
      found: old.join('; ') || 'none',
      required: `none (the bound is ${bound.totalHours} h, computed from image.testTimeoutMinutes and fleet.instanceWarmupSeconds)`,
      ok: vpcs.length > 0 && old.length === 0,
    }),
  ];
}

/**
 * IMM-1 (pipeline tests and scans), IMM-4 (last build within the interval),
 * IMM-5 (lifecycle policy) from Image Builder; IMM-4 and IMM-8 from the golden
 * AMI in EC2; IMM-10 from Inspector. Each source on its own: an API the
 * endpoint lacks (moto has no Image Builder) is an ERROR row of its controls.
 */
export const images = liveFamily('image.pipeline', 'IMM-1', prefixOf, async (ctx) => {
  const name = prefixOf(ctx);
  const parts = await Promise.all([
    attempt(
      ctx,
      [
        ['image.pipeline', 'IMM-1'],
        ['image.last-build', 'IMM-4'],
      ],
      name,
      () => pipelineRows(ctx, name),
    ),
    attempt(ctx, [['image.lifecycle', 'IMM-5']], name, () => lifecycleRows(ctx, name)),
    attempt(
      ctx,
      [
        ['image.golden-age', 'IMM-4'],
        ['image.dr-copy', 'IMM-8'],
      ],
      `golden AMI of ${ctx.env.name}`,
      () => goldenImageRows(ctx),
    ),
    attempt(ctx, [['image.cve-bound', 'IMM-10']], `fleet of ${ctx.env.name}`, () => findingRows(ctx)),
  ]);
  return parts.flat();
});

/** IMM-3 (lifetime set on the group) and IMM-7 (two AZs at least, ELB health checks): the fleet's group. */
export const fleetShape = liveFamily('fleet.zones', 'IMM-7', 'fleet', async (ctx, resource) => {
  const groups = await findFleetGroups(ctx.ops.autoscaling, ctx.env);
  if (groups.length === 0) return [absent('fleet.zones', 'IMM-7', resource, 'the fleet group')];
  return groups.flatMap((g) => {
    const name = g.AutoScalingGroupName ?? '?';
    const maxDays = 7;
    return [
      judge({
        check: 'fleet.zones',
        control: 'IMM-7',
        resource: name,
        property: 'AvailabilityZones',
        found: g.AvailabilityZones,
        required: 'at least 2',
        ok: (g.AvailabilityZones?.length ?? 0) >= 2,
      }),
      judge({
        check: 'fleet.elb-health-check',
        control: 'IMM-7',
        resource: name,
        property: 'HealthCheckType, TargetGroupARNs',
        found: `${g.HealthCheckType}, ${g.TargetGroupARNs?.length ?? 0} target group(s)`,
        required: 'ELB, at least 1',
        ok: g.HealthCheckType === 'ELB' && (g.TargetGroupARNs?.length ?? 0) > 0,
      }),
      judge({
        check: 'fleet.max-lifetime',
        control: 'IMM-3',
        resource: name,
        property: 'MaxInstanceLifetime (s)',
        found: g.MaxInstanceLifetime,
        required: `1 to ${maxDays} days (fleet.maxInstanceLifetimeDays ${ctx.env.fleet.maxInstanceLifetimeDays})`,
        ok:
          (g.MaxInstanceLifetime ?? 0) > 0 &&
          (g.MaxInstanceLifetime ?? 0) <= ctx.env.fleet.maxInstanceLifetimeDays * (DAY_MS / 1000),
      }),
    ];
  });
});
