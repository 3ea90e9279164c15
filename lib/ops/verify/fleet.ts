import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  paginateDescribeVolumes,
  paginateDescribeVpcs,
  type Volume,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { goldenAmiParameterName } from '../../config/naming';
import type { EnvironmentConfig } from '../../config/schema';
import {
  formatRelease,
  parseReleaseRecord,
  RELEASE_TAG,
  type Release,
  releaseOfUserData,
  releaseParameterName,
} from '../../release/contract';
import type { OpsClients } from '../clients';
import { describeAwsError } from '../errors';
import { fleetTags, findFleetGroups, showTags } from '../fleet';
import { networkTags } from './network';
import { type CheckResult, chunks, DAY_S, fail, FILTER_CHUNK, formatAge, pass, result } from './result';

/** Fleet (IMM-2, IMM-3, IMM-6, NET-1, IMM-9). */
export interface InstanceContext {
  /** The current golden AMI; undefined when the parameter could not be read (reported separately). */
  readonly goldenAmi?: string;
  readonly goldenParameter: string;
  readonly lifetimeSeconds: number;
  /** Where the lifetime came from, for the detail text. */
  readonly lifetimeSource: string;
  readonly now: Date;
}

/** The per-instance checks of one running fleet instance. */
export function evaluateInstance(instance: Instance, volumes: readonly Volume[], ctx: InstanceContext): CheckResult[] {
  const id = instance.InstanceId ?? '(unknown instance)';
  const rows: CheckResult[] = [];
  if (ctx.goldenAmi !== undefined) {
    rows.push(
      instance.ImageId === ctx.goldenAmi
        ? pass('fleet.golden-ami', id, `runs the golden AMI ${ctx.goldenAmi}`)
        : fail(
            'fleet.golden-ami',
            id,
            `runs ${instance.ImageId ?? 'an unknown image'}, not the golden AMI ${ctx.goldenAmi} (${ctx.goldenParameter}); replace the node (ops rotate)`,
          ),
    );
  }
  const launched = instance.LaunchTime;
  if (!launched) {
    rows.push(result('fleet.instance-age', id, 'ERROR', 'no launch time reported'));
  } else {
    const age = ctx.now.getTime() - launched.getTime();
    const limit = formatAge(ctx.lifetimeSeconds * 1000);
    rows.push(
      age <= ctx.lifetimeSeconds * 1000
        ? pass('fleet.instance-age', id, `launched ${formatAge(age)} ago; lifetime ${limit} (${ctx.lifetimeSource})`)
        : fail(
            'fleet.instance-age',
            id,
            `launched ${formatAge(age)} ago (${launched.toISOString()}), beyond the ${limit} lifetime (${ctx.lifetimeSource})`,
          ),
    );
  }
  const metadata = instance.MetadataOptions;
  if (metadata?.HttpEndpoint === 'disabled') {
    rows.push(pass('fleet.imdsv2', id, 'instance metadata service disabled'));
  } else {
    rows.push(
      metadata?.HttpTokens === 'required'
        ? pass('fleet.imdsv2', id, 'IMDSv2 required (HttpTokens=required)')
        : fail('fleet.imdsv2', id, `HttpTokens=${metadata?.HttpTokens ?? 'unknown'}: IMDSv1 is allowed`),
    );
  }
  const mapped = (instance.BlockDeviceMappings ?? []).map((m) => m.Ebs?.VolumeId).filter((v): v is string => !!v);
  const missing = mapped.filter((v) => !volumes.some((vol) => vol.VolumeId === v));
  const unencrypted = volumes.filter((v) => v.Encrypted !== true).map((v) => v.VolumeId);
  if (unencrypted.length > 0) {
    rows.push(fail('fleet.ebs-encrypted', id, `unencrypted volume(s): ${unencrypted.join(', ')}`));
  } else if (missing.length > 0) {
    rows.push(
      result('fleet.ebs-encrypted', id, 'ERROR', `volume(s) ${missing.join(', ')} not returned by DescribeVolumes`),
    );
  } else {
    rows.push(
      pass('fleet.ebs-encrypted', id, volumes.length ? `${volumes.length} volume(s), all encrypted` : 'no EBS volumes'),
    );
  }
  const publicIps = new Set<string>();
  if (instance.PublicIpAddress) publicIps.add(instance.PublicIpAddress);
  for (const nic of instance.NetworkInterfaces ?? []) {
    if (nic.Association?.PublicIp) publicIps.add(nic.Association.PublicIp);
  }
  rows.push(
    publicIps.size === 0
      ? pass('fleet.no-public-ip', id, 'no public IP')
      : fail('fleet.no-public-ip', id, `public IP ${[...publicIps].join(', ')} on a private fleet node`),
  );
  return rows;
}

/** The ASG's MaxInstanceLifetime, or the configured lifetime when the group reports none. */
export function fleetLifetime(group: AutoScalingGroup, env: EnvironmentConfig): { seconds: number; source: string } {
  if (group.MaxInstanceLifetime && group.MaxInstanceLifetime > 0) {
    return { seconds: group.MaxInstanceLifetime, source: 'MaxInstanceLifetime of the group' };
  }
  return {
    seconds: env.fleet.maxInstanceLifetimeDays * DAY_S,
    source: 'fleet.maxInstanceLifetimeDays; the group reports no MaxInstanceLifetime',
  };
}

async function readGoldenAmi(
  ssm: SSMClient,
  name: string,
  endpoint: string,
): Promise<{ ami?: string; row?: CheckResult }> {
  try {
    const value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    if (value && /^ami-[0-9a-f]+$/.test(value)) return { ami: value };
    return { row: fail('fleet.golden-ami', name, `holds "${value ?? ''}", not an AMI ID`) };
  } catch (e) {
    if ((e as { name?: string }).name === 'ParameterNotFound') {
      return { row: fail('fleet.golden-ami', name, 'parameter not found: no golden image has been published') };
    }
    return { row: result('fleet.golden-ami', name, 'ERROR', describeAwsError(e, endpoint).message) };
  }
}

/** Every instance in the VPCs (stopped ones included), else the groups' members when no VPC was found. */
async function instancesToJudge(
  ec2: EC2Client,
  vpcIds: readonly string[],
  memberIds: readonly string[],
): Promise<Instance[]> {
  const states = {
    Name: 'instance-state-name',
    Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'],
  };
  const byId = new Map<string, Instance>();
  const collect = async (filters: { Name: string; Values: string[] }[]) => {
    for await (const page of paginateDescribeInstances({ client: ec2 }, { Filters: filters })) {
      for (const r of page.Reservations ?? [])
        for (const i of r.Instances ?? []) if (i.InstanceId) byId.set(i.InstanceId, i);
    }
  };
  if (vpcIds.length > 0) await collect([{ Name: 'vpc-id', Values: [...vpcIds] }, states]);
  // Members outside the VPCs (or when no VPC was found) are judged too.
  const rest = memberIds.filter((id) => !byId.has(id));
  for (const chunk of chunks(rest, FILTER_CHUNK)) await collect([{ Name: 'instance-id', Values: chunk }, states]);
  return [...byId.values()].sort((a, b) => (a.InstanceId ?? '').localeCompare(b.InstanceId ?? ''));
}

/** Image Builder tags the build and test instances it launches with the image's ARN. */
export function imageBuilderArn(instance: Instance): string | undefined {
  const tags = instance.Tags ?? [];
  return (
    tags.find((t) => t.Key === 'Ec2ImageBuilderArn')?.Value ??
    (tags.some((t) => t.Key === 'CreatedBy' && t.Value === 'EC2 Image Builder') ? '(EC2 Image Builder)' : undefined)
  );
}

async function attachedVolumes(ec2: EC2Client, instanceIds: readonly string[]): Promise<Volume[]> {
  const volumes: Volume[] = [];
  for (const chunk of chunks(instanceIds, FILTER_CHUNK)) {
    const input = { Filters: [{ Name: 'attachment.instance-id', Values: chunk }] };
    for await (const page of paginateDescribeVolumes({ client: ec2 }, input)) volumes.push(...(page.Volumes ?? []));
  }
  return volumes;
}

async function findVpcIds(ec2: EC2Client, env: EnvironmentConfig): Promise<string[]> {
  const filters = Object.entries(networkTags(env)).map(([k, v]) => ({ Name: `tag:${k}`, Values: [v] }));
  const ids: string[] = [];
  for await (const page of paginateDescribeVpcs({ client: ec2 }, { Filters: filters })) {
    for (const v of page.Vpcs ?? []) if (v.VpcId) ids.push(v.VpcId);
  }
  return ids;
}

/** The release the environment's SSM record names (IMM-9), or the FAIL/ERROR row saying why there is none. */
async function readRelease(
  ssm: SSMClient,
  name: string,
  endpoint: string,
): Promise<{ release?: Release; row?: CheckResult }> {
  try {
    const value = (await ssm.send(new GetParameterCommand({ Name: name }))).Parameter?.Value;
    const release = parseReleaseRecord(value);
    if (release) return { release };
    return { row: fail('fleet.release', name, `holds "${value ?? ''}", not "<version> <sha256>" (release record)`) };
  } catch (e) {
    if ((e as { name?: string }).name === 'ParameterNotFound') {
      return { row: fail('fleet.release', name, 'parameter not found: no release is recorded for the environment') };
    }
    return { row: result('fleet.release', name, 'ERROR', describeAwsError(e, endpoint).message) };
  }
}

/** The release a node booted with: its `saas:release` tag, as `<version> <sha256>` or the version alone. */
export function releaseOfInstance(instance: Instance): string | undefined {
  const tag = (instance.Tags ?? []).find((t) => t.Key === RELEASE_TAG)?.Value;
  if (tag === undefined) return undefined;
  return parseReleaseRecord(tag)?.version ?? tag.trim();
}

async function launchTemplateRelease(
  ec2: EC2Client,
  group: AutoScalingGroup,
): Promise<CheckResult | Release | undefined> {
  const lt = group.LaunchTemplate;
  const name = group.AutoScalingGroupName ?? '(unnamed group)';
  if (!lt?.LaunchTemplateId) return undefined;
  const out = await ec2.send(
    new DescribeLaunchTemplateVersionsCommand({
      LaunchTemplateId: lt.LaunchTemplateId,
      Versions: [lt.Version ?? '$Default'],
    }),
  );
  const data = out.LaunchTemplateVersions?.[0]?.LaunchTemplateData?.UserData;
  const release = data ? releaseOfUserData(Buffer.from(data, 'base64').toString('utf8')) : undefined;
  return (
    release ??
    fail(
      'fleet.launch-template-release',
      `${name} (${lt.LaunchTemplateId} v${lt.Version ?? '?'})`,
      'the user data has no release block (lib/release/contract.ts)',
    )
  );
}

export async function checkFleet(
  clients: OpsClients,
  env: EnvironmentConfig,
  now: Date,
  endpoint: string,
): Promise<CheckResult[]> {
  const groups = await findFleetGroups(clients.autoscaling, env);
  if (groups.length === 0) {
    return [
      fail(
        'fleet.exists',
        showTags(fleetTags(env)),
        `no Auto Scaling group with these tags in ${env.region}; is environment "${env.name}" deployed?`,
      ),
    ];
  }
  const goldenParameter = goldenAmiParameterName(env.tags.application, env.name);
  const releaseParameter = releaseParameterName(env.tags.application, env.name);
  const [golden, recorded] = await Promise.all([
    readGoldenAmi(clients.ssm, goldenParameter, endpoint),
    readRelease(clients.ssm, releaseParameter, endpoint),
  ]);
  const rows: CheckResult[] = [golden.row, recorded.row].filter((r): r is CheckResult => r !== undefined);
  const memberOf = new Map<string, AutoScalingGroup>();
  for (const group of groups)
    for (const i of group.Instances ?? []) if (i.InstanceId) memberOf.set(i.InstanceId, group);
  const instances = await instancesToJudge(clients.ec2, await findVpcIds(clients.ec2, env), [...memberOf.keys()]);
  const volumes = await attachedVolumes(
    clients.ec2,
    instances.map((i) => i.InstanceId!),
  );
  for (const group of groups) {
    const name = group.AutoScalingGroupName ?? '(unnamed group)';
    const running = instances.filter((i) => memberOf.get(i.InstanceId!) === group && i.State?.Name === 'running');
    const lt = group.LaunchTemplate;
    rows.push(
      running.length > 0
        ? pass(
            'fleet.exists',
            name,
            `${running.length} running instance(s); launch template ${lt?.LaunchTemplateId ?? '?'} version ${lt?.Version ?? '?'}`,
          )
        : fail('fleet.exists', name, `no running instances (desired capacity ${group.DesiredCapacity ?? '?'})`),
    );
    if (recorded.release) {
      const fromTemplate = await launchTemplateRelease(clients.ec2, group);
      if (fromTemplate && 'check' in fromTemplate) rows.push(fromTemplate);
      else if (fromTemplate) {
        const same =
          fromTemplate.version === recorded.release.version && fromTemplate.sha256 === recorded.release.sha256;
        rows.push(
          same
            ? pass(
                'fleet.launch-template-release',
                name,
                `launch template version boots release ${formatRelease(fromTemplate)}`,
              )
            : fail(
                'fleet.launch-template-release',
                name,
                `launch template version boots ${formatRelease(fromTemplate)}, the record (${releaseParameter}) says ${formatRelease(recorded.release)}`,
              ),
        );
      }
    }
  }
  // One lifetime for every instance of the VPC: the fleet's.
  const lifetime = fleetLifetime(groups[0], env);
  const ctx: InstanceContext = {
    goldenAmi: golden.ami,
    goldenParameter,
    lifetimeSeconds: lifetime.seconds,
    lifetimeSource: lifetime.source,
    now,
  };
  for (const instance of instances) {
    const id = instance.InstanceId!;
    const group = memberOf.get(id);
    const builder = imageBuilderArn(instance);
    const state = instance.State?.Name ?? 'unknown';
    if (group) rows.push(pass('fleet.membership', id, `member of ${group.AutoScalingGroupName ?? 'the fleet'}`));
    else if (builder) rows.push(pass('fleet.membership', id, `Image Builder build/test instance of ${builder}`));
    else {
      const tagged = Object.entries(fleetTags(env)).every(([k, v]) =>
        (instance.Tags ?? []).some((t) => t.Key === k && t.Value === v),
      );
      rows.push(
        fail(
          'fleet.membership',
          id,
          `in the environment's VPC but neither a member of the fleet's Auto Scaling group nor an Image Builder instance${tagged ? ' (it carries the fleet tags)' : ''}: nodes come only from the fleet (terminate it)`,
        ),
      );
    }
    rows.push(
      state === 'running' || state === 'pending'
        ? pass('fleet.state', id, state)
        : fail(
            'fleet.state',
            id,
            `${state}${instance.StateTransitionReason ? ` (${instance.StateTransitionReason})` : ''}: a fleet node is replaced, never stopped and kept`,
          ),
    );
    const own = volumes.filter((v) => (v.Attachments ?? []).some((a) => a.InstanceId === id));
    const judged = evaluateInstance(instance, own, builder ? { ...ctx, goldenAmi: undefined } : ctx);
    if (builder)
      rows.push(
        pass(
          'fleet.golden-ami',
          id,
          `Image Builder instance: runs the recipe's base image ${instance.ImageId ?? '?'}, not judged against the golden AMI`,
        ),
      );
    rows.push(...judged);
    if (!builder && recorded.release) {
      const booted = releaseOfInstance(instance);
      rows.push(
        booted === recorded.release.version
          ? pass('fleet.release', id, `runs release ${booted} (${releaseParameter})`)
          : fail(
              'fleet.release',
              id,
              `${RELEASE_TAG}=${booted ?? '(absent)'}, the record (${releaseParameter}) says ${recorded.release.version}; replace the node (npm run release / ops rotate)`,
            ),
      );
    }
  }
  return rows;
}
