/**
 * Names and tags shared by the CDK program and the operations CLI. The CLI
 * finds deployed resources through these, so both sides must agree: change
 * them here only.
 */

/** Tag key that says which part of the environment a resource is. */
export const COMPONENT_TAG = 'saas:component';

/** Tag values of {@link COMPONENT_TAG}. */
export const COMPONENTS = {
  /** The Auto Scaling group (and its launch template) serving the app behind the ALB. */
  fleet: 'app-fleet',
  /** The public ALB. */
  entry: 'public-entry',
} as const;

/** SSM parameter (String) that holds the newest golden AMI ID of an environment, one per region. */
export function goldenAmiParameterName(application: string, environment: string): string {
  return `/${application}/${environment}/golden-ami/latest`;
}

/**
 * The fleet-health alarms every instance refresh watches (IMM-9): any of them
 * in ALARM during a refresh rolls it back. Named so the refresh preferences of
 * the rollout function and the release CLI can list them.
 */
export function fleetHealthAlarmNames(application: string, environment: string) {
  return {
    target5xx: `${application}-${environment}-fleet-target-5xx`,
    unhealthyTargets: `${application}-${environment}-fleet-unhealthy-targets`,
  } as const;
}

/** SSM parameter that marks one CVE-driven rebuild pending while a build runs (IMM-10). */
export function rebuildPendingParameterName(application: string, environment: string): string {
  return `/${application}/${environment}/golden-ami/rebuild-pending`;
}

/** WAF requires log group names to start with `aws-waf-logs-`. */
export function wafLogGroupName(application: string, environment: string): string {
  return `aws-waf-logs-${application}-${environment}`;
}

/** One key alias per data class, environment and region (DATA-6); the DR region's aliases are how the primary region names its keys. */
export function keyAliasName(application: string, environment: string, dataClass: string): string {
  return `alias/${application}/${environment}/${dataClass}`;
}

/**
 * `-<nameSuffix>` for names that are fixed and global or outlive a teardown
 * (buckets, the DR vault); empty without a suffix, so existing names do not
 * change. A new suffix lets a torn-down environment be deployed again at once.
 */
export function nameSuffixPart(nameSuffix?: string): string {
  return nameSuffix ? `-${nameSuffix}` : '';
}

/** The replica bucket in the DR region (DATA-4); bucket names are global, hence the account. */
export function drReplicaBucketName(
  application: string,
  environment: string,
  account: string,
  nameSuffix?: string,
): string {
  return `${application}-${environment}${nameSuffixPart(nameSuffix)}-${account}-dr`;
}

/** The backup vault in the DR region that receives copies (DATA-3). */
export function drBackupVaultName(application: string, environment: string, nameSuffix?: string): string {
  return `${application}-${environment}${nameSuffixPart(nameSuffix)}-dr`;
}

/** The database instance identifier; fixed so that its log groups can be created encrypted before it exists. */
export function dbInstanceIdentifier(application: string, environment: string): string {
  return `${application}-${environment}-db`;
}

/**
 * The rule of an environment's regional bucket names: bucket names are global,
 * hence the account and the region; `purpose` last; cut to S3's 63 characters.
 */
function regionalBucketName(purpose: string) {
  return (application: string, environment: string, account: string, region: string, nameSuffix?: string): string =>
    `${application}-${environment}${nameSuffixPart(nameSuffix)}-${account}-${region}-${purpose}`.slice(0, 63);
}

/** The customer data bucket; named so that IAM grants and audits can name its objects exactly. */
export const dataBucketName = regionalBucketName('data');

/** The release bucket (IMM-9); named so that node roles can be granted its `releases/` objects exactly. */
export function releaseBucketName(
  application: string,
  environment: string,
  account: string,
  region: string,
  nameSuffix?: string,
): string {
  return `${application}-${environment}${nameSuffixPart(nameSuffix)}-${account}-${region}-releases`.slice(0, 63);
}

/** The role the delivery pipeline assumes to ship releases to an environment (IMM-9). */
export function releaseRoleName(application: string, environment: string): string {
  return `${application}-${environment}-release`;
}

/** The fleet's instance role; named so the data bucket policy can admit it and nobody else (DATA-2). */
export function fleetRoleName(application: string, environment: string): string {
  return `${application}-${environment}-fleet-node`;
}

/** Prefix of the fleet's log groups (`/audit`, `/system`, `/app`), shared by the image's CloudWatch agent and the stack that creates them. */
export function fleetLogGroupPrefix(application: string, environment: string): string {
  return `/${application}/${environment}/fleet`;
}

/** The log streams the CloudWatch agent on every node writes (see images/components/cloudwatch-agent.yml). */
export const FLEET_LOG_GROUPS = ['audit', 'system', 'app'] as const;

/** The Session Manager transcript bucket; named so node roles can be granted its objects exactly. */
export const sessionTranscriptBucketName = regionalBucketName('sessions');

/** The delivery pipeline's stacks and pipeline are named after the application (SDLC-2). */
export function pipelineName(application: string): string {
  return `${application}-delivery`;
}

/** The pipeline's artifact bucket in one region; named because the pipeline's home region refers to the others. */
export function pipelineArtifactBucketName(application: string, account: string, region: string): string {
  return `${application}-artifacts-${account}-${region}`.slice(0, 63);
}

/** The alias of the key that encrypts the pipeline's artifacts in one region. */
export function pipelineArtifactKeyAliasName(application: string): string {
  return `alias/${application}/delivery/artifacts`;
}

/** The CloudWatch Logs group that keeps the erasure record of every erased tenant (DATA-10); `npm run tenant:erase` writes it. */
export function erasureLogGroupName(application: string, environment: string): string {
  return `/${application}/${environment}/data/erasures`;
}

/** Prefix of every customer object in the data bucket: `tenants/<tenant>/` (DATA-9). */
export const TENANT_OBJECT_PREFIX = 'tenants/';
