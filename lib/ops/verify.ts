import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  type CloudTrailClient,
  DescribeTrailsCommand,
  GetTrailStatusCommand,
  type GetTrailStatusCommandOutput,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import {
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
  GetEbsEncryptionByDefaultCommand,
  type Instance,
  type IpPermission,
  paginateDescribeInstances,
  paginateDescribeNetworkInterfaces,
  paginateDescribeSecurityGroups,
  paginateDescribeVolumes,
  paginateDescribeVpcs,
  paginateGetManagedPrefixListEntries,
  type SecurityGroup,
  type Volume,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { COMPONENT_TAG, COMPONENTS, goldenAmiParameterName } from '../config/naming';
import {
  formatRelease,
  parseReleaseRecord,
  RELEASE_TAG,
  type Release,
  releaseOfUserData,
  releaseParameterName,
} from '../release/contract';
import type { EnvironmentConfig } from '../config/schema';
import type { OpsClients } from './clients';
import { describeAwsError } from './errors';
import { fleetTags, findFleetGroups, showTags } from './fleet';
import { isInternetCidr } from './live/cidr';

/**
 * OPS-1: checks a deployed environment through the AWS APIs. Each check names
 * the control whose promise it verifies; the report says PASS, FAIL (the
 * promise is broken) or ERROR (the check could not be made) for every resource.
 */
export const CHECKS = {
  'trail.exists': 'LOG-1',
  'trail.logging': 'LOG-1',
  'trail.multi-region': 'LOG-1',
  'trail.log-file-validation': 'LOG-1',
  'trail.kms-encryption': 'LOG-1',
  'trail.delivery': 'LOG-1',
  'fleet.exists': 'IMM-7',
  'fleet.golden-ami': 'IMM-2',
  'fleet.instance-age': 'IMM-3',
  'fleet.imdsv2': 'IMM-6',
  'fleet.ebs-encrypted': 'IMM-6',
  'fleet.no-public-ip': 'NET-1',
  'fleet.membership': 'IMM-2',
  'fleet.state': 'IMM-2',
  'fleet.release': 'IMM-9',
  'fleet.launch-template-release': 'IMM-9',
  'ebs.encryption-by-default': 'IMM-6',
  'network.vpc': 'NET-2',
  'network.internet-ingress': 'NET-2',
} as const;

export type CheckId = keyof typeof CHECKS;
export type CheckStatus = 'PASS' | 'FAIL' | 'ERROR';

export interface CheckResult {
  /** A key of {@link CHECKS} or the ID of a live evidence check (lib/ops/live). */
  readonly check: CheckId | (string & {});
  /** The control in CONTROLS.md whose promise the check verifies. */
  readonly control: string;
  readonly resource: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** For the live evidence report (rows of resource, property, value found, value required). */
  readonly property?: string;
  readonly found?: string;
  readonly required?: string;
}

export interface VerifyOptions {
  /** The latest CloudTrail delivery must be younger than this. @default 24 */
  readonly maxDeliveryAgeHours?: number;
  /** Check this trail (name or ARN) instead of the best one found. */
  readonly trailName?: string;
  /** The clock, for instance ages and delivery age. @default the current time */
  readonly now?: Date;
  /** Where requests go, for ERROR messages. */
  readonly endpoint?: string;
}

export const DEFAULT_MAX_DELIVERY_AGE_HOURS = 24;

const HOUR_MS = 3_600_000;
const DAY_S = 86_400;
/** Filter values per request: EC2 accepts up to 200 values per filter; stay well under it. */
const FILTER_CHUNK = 100;
/** The ALB's network interfaces are described "ELB app/<name>/<id>"; their groups are the ALB's. */
const ALB_INTERFACE_PREFIX = 'ELB app/';
const REMOTE_ADMIN_PORTS = [22, 3389];
const ALB_PUBLIC_PORTS = [443, 80];

function result(check: CheckId, resource: string, status: CheckStatus, detail: string): CheckResult {
  return { check, control: CHECKS[check], resource, status, detail };
}

const pass = (check: CheckId, resource: string, detail: string) => result(check, resource, 'PASS', detail);
const fail = (check: CheckId, resource: string, detail: string) => result(check, resource, 'FAIL', detail);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A duration for humans: minutes under an hour, hours under two days, then days. */
export function formatAge(ms: number): string {
  if (ms < HOUR_MS) return `${Math.max(0, Math.round(ms / 60_000))} min`;
  if (ms < 48 * HOUR_MS) return `${(ms / HOUR_MS).toFixed(1)} h`;
  return `${(ms / (24 * HOUR_MS)).toFixed(1)} d`;
}

/** Runs one group of checks; an error becomes an ERROR row instead of ending the run. */
async function guarded(
  check: CheckId,
  resource: string,
  endpoint: string,
  run: () => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (e) {
    return [result(check, resource, 'ERROR', describeAwsError(e, endpoint).message)];
  }
}

/** Every check of OPS-1 against the live environment; the order of the rows is stable. */
export async function verifyEnvironment(
  clients: OpsClients,
  env: EnvironmentConfig,
  options: VerifyOptions = {},
): Promise<CheckResult[]> {
  const now = options.now ?? new Date();
  const endpoint = options.endpoint ?? `the AWS endpoints of ${env.region}`;
  const maxAgeHours = options.maxDeliveryAgeHours ?? DEFAULT_MAX_DELIVERY_AGE_HOURS;
  const groups = await Promise.all([
    guarded('trail.exists', options.trailName ?? '(account)', endpoint, () =>
      checkTrail(clients.cloudtrail, env.region, { maxAgeHours, trailName: options.trailName, now }),
    ),
    guarded('fleet.exists', showTags(fleetTags(env)), endpoint, () => checkFleet(clients, env, now, endpoint)),
    guarded('ebs.encryption-by-default', env.region, endpoint, () => checkEbsDefault(clients.ec2, env.region)),
    guarded('network.vpc', showTags(networkTags(env)), endpoint, () => checkNetwork(clients.ec2, env)),
  ]);
  return groups.flat();
}

// --- CloudTrail (LOG-1) ---

/** The checks of one trail from its description and status; the caller picks the trail. */
export function evaluateTrail(
  trail: Trail,
  status: Omit<GetTrailStatusCommandOutput, '$metadata'> | undefined,
  maxAgeHours: number,
  now: Date,
): CheckResult[] {
  const name = trail.Name ?? trail.TrailARN ?? '(unnamed trail)';
  const rows: CheckResult[] = [pass('trail.exists', name, `home region ${trail.HomeRegion ?? 'unknown'}`)];
  rows.push(
    status?.IsLogging
      ? pass('trail.logging', name, 'logging')
      : fail(
          'trail.logging',
          name,
          `not logging${status?.StopLoggingTime ? ` since ${status.StopLoggingTime.toISOString()}` : ''}; start it (aws cloudtrail start-logging --name ${name})`,
        ),
  );
  rows.push(
    trail.IsMultiRegionTrail
      ? pass('trail.multi-region', name, 'records every region')
      : fail(
          'trail.multi-region',
          name,
          `records only ${trail.HomeRegion ?? 'its home region'}; LOG-1 needs a multi-region trail`,
        ),
  );
  rows.push(
    trail.LogFileValidationEnabled
      ? pass('trail.log-file-validation', name, 'digest files enabled')
      : fail(
          'trail.log-file-validation',
          name,
          'log file validation is off; tampering with delivered logs would go unnoticed',
        ),
  );
  rows.push(
    trail.KmsKeyId
      ? pass('trail.kms-encryption', name, `KMS key ${trail.KmsKeyId}`)
      : fail('trail.kms-encryption', name, 'logs are not encrypted with a KMS key (SSE-S3 only)'),
  );
  const last = status?.LatestDeliveryTime;
  if (status?.LatestDeliveryError) {
    rows.push(fail('trail.delivery', name, `latest delivery failed: ${status.LatestDeliveryError}`));
  } else if (!last) {
    rows.push(fail('trail.delivery', name, 'no log delivery recorded'));
  } else {
    const age = now.getTime() - last.getTime();
    rows.push(
      age <= maxAgeHours * HOUR_MS
        ? pass('trail.delivery', name, `latest delivery ${formatAge(age)} ago`)
        : fail(
            'trail.delivery',
            name,
            `latest delivery ${formatAge(age)} ago (${last.toISOString()}), older than ${maxAgeHours} h`,
          ),
    );
  }
  return rows;
}

const failures = (rows: readonly CheckResult[]) => rows.filter((r) => r.status !== 'PASS').length;

async function checkTrail(
  cloudtrail: CloudTrailClient,
  region: string,
  o: { maxAgeHours: number; trailName?: string; now: Date },
): Promise<CheckResult[]> {
  // DescribeTrails is not paginated: one call returns every trail, shadow copies of multi-region trails included.
  const all = (await cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  const wanted = o.trailName ? all.filter((t) => t.Name === o.trailName || t.TrailARN === o.trailName) : all;
  const names = all.map((t) => t.Name).join(', ');
  if (wanted.length === 0) {
    return [
      fail(
        'trail.exists',
        o.trailName ?? '(account)',
        o.trailName
          ? `no trail named ${o.trailName} is visible from ${region}${names ? `; trails: ${names}` : ''}`
          : `no CloudTrail trail is visible from ${region}; LOG-1 needs one multi-region trail per account`,
      ),
    ];
  }
  const evaluated = await Promise.all(
    wanted.map(async (trail) => {
      // A shadow copy's status is only available by ARN.
      const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: trail.TrailARN ?? trail.Name }));
      return { trail, rows: evaluateTrail(trail, status, o.maxAgeHours, o.now) };
    }),
  );
  // Without --trail the account may hold several trails; the account passes if one of them keeps every promise.
  evaluated.sort(
    (a, b) =>
      failures(a.rows) - failures(b.rows) ||
      Number(b.trail.IsMultiRegionTrail ?? false) - Number(a.trail.IsMultiRegionTrail ?? false) ||
      (a.trail.Name ?? '').localeCompare(b.trail.Name ?? ''),
  );
  const [best, ...others] = evaluated;
  if (others.length === 0) return best.rows;
  const [exists, ...rest] = best.rows;
  const also = others.map((o) => o.trail.Name).join(', ');
  return [{ ...exists, detail: `${exists.detail}; best of ${evaluated.length} trails (also ${also})` }, ...rest];
}

// --- Fleet (IMM-2, IMM-3, IMM-6, NET-1) ---

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

async function checkFleet(
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

// --- EBS encryption by default (IMM-6) ---

async function checkEbsDefault(ec2: EC2Client, region: string): Promise<CheckResult[]> {
  const on = (await ec2.send(new GetEbsEncryptionByDefaultCommand({}))).EbsEncryptionByDefault === true;
  return [
    on
      ? pass('ebs.encryption-by-default', region, 'on: every new EBS volume is encrypted')
      : fail(
          'ebs.encryption-by-default',
          region,
          `off: new volumes may be unencrypted; turn it on (aws ec2 enable-ebs-encryption-by-default --region ${region})`,
        ),
  ];
}

// --- Internet ingress (NET-2) ---

function networkTags(env: EnvironmentConfig): Record<string, string> {
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

async function checkNetwork(ec2: EC2Client, env: EnvironmentConfig): Promise<CheckResult[]> {
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
