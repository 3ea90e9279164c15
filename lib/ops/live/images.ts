import {
  type ImagePipeline,
  paginateListImagePipelineImages,
  paginateListImagePipelines,
  paginateListLifecyclePolicies,
} from '@aws-sdk/client-imagebuilder';
import { findFleetGroups } from '../fleet';
import type { CheckResult } from '../verify';
import { absent, DAY_MS, HOUR_MS, judge, type LiveContext, type LiveFamily } from './check';

/** A build takes up to this long after its scheduled start (tests time out at 90 min). */
export const BUILD_SLACK_HOURS = 3;

const prefixOf = (ctx: LiveContext) => `${ctx.env.tags.application}-${ctx.env.name}`;

/** IMM-1 (pipeline tests and scans), IMM-4 (last build within the interval), IMM-5 (lifecycle policy): Image Builder. */
export const images: LiveFamily = {
  check: 'image.pipeline',
  control: 'IMM-1',
  resource: prefixOf,
  run: async (ctx) => {
    const name = prefixOf(ctx);
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
      const limitHours = ctx.env.image.buildIntervalHours + BUILD_SLACK_HOURS;
      const ageHours = newest ? (ctx.now.getTime() - newest.getTime()) / HOUR_MS : undefined;
      rows.push(
        judge({
          check: 'image.last-build',
          control: 'IMM-4',
          resource: name,
          property: 'newest AVAILABLE image (dateCreated)',
          found: newest ? `${newest.toISOString()} (${ageHours!.toFixed(1)} h ago)` : 'no available image',
          required: `younger than ${limitHours} h (image.buildIntervalHours ${ctx.env.image.buildIntervalHours} + ${BUILD_SLACK_HOURS} h build)`,
          ok: ageHours !== undefined && ageHours <= limitHours,
        }),
      );
    }
    const policies = [];
    for await (const page of paginateListLifecyclePolicies({ client: ctx.live.imagebuilder }, {}))
      policies.push(...(page.lifecyclePolicySummaryList ?? []).filter((l) => l.name === name));
    rows.push(
      judge({
        check: 'image.lifecycle',
        control: 'IMM-5',
        resource: name,
        property: 'lifecycle policy status',
        found: policies.map((l) => l.status).join(', ') || 'no lifecycle policy',
        required: 'ENABLED',
        ok: policies.some((l) => l.status === 'ENABLED'),
      }),
    );
    return rows;
  },
};

/** IMM-3 (lifetime set on the group) and IMM-7 (two AZs at least, ELB health checks): the fleet's group. */
export const fleetShape: LiveFamily = {
  check: 'fleet.zones',
  control: 'IMM-7',
  resource: (ctx) => `fleet of ${ctx.env.name}`,
  run: async (ctx) => {
    const groups = await findFleetGroups(ctx.ops.autoscaling, ctx.env);
    if (groups.length === 0) return [absent('fleet.zones', 'IMM-7', `fleet of ${ctx.env.name}`, 'the fleet group')];
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
  },
};
