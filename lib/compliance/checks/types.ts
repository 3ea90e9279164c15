import type { ControlId } from '../controls';
import type { NagReport } from './nag-report';

/** One resource of a synthesized CloudFormation template, as JSON. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly UpdatePolicy?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** The parts of a synthesized template the checks read. */
export interface CfnTemplateJson {
  readonly Resources?: Record<string, CfnResourceJson>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
  readonly Parameters?: Record<string, { readonly Type?: string; readonly Default?: unknown }>;
}

/** A stack as the cloud assembly describes it: its template and what the manifest says about it. */
export interface StackTemplate {
  /** CloudFormation stack name, e.g. `prod-Data`. */
  readonly stackName: string;
  /** Construct path of the stack, e.g. `prod/Data`. */
  readonly displayName?: string;
  /** Literal account and region from the manifest; undefined for environment-agnostic stacks. */
  readonly account?: string;
  readonly region?: string;
  /** From the manifest (`properties.terminationProtection`); undefined when not known. */
  readonly terminationProtection?: boolean;
  /** Template file, relative to its assembly directory, and its SHA-256, so evidence names exact artifacts. */
  readonly templateFile?: string;
  readonly sha256?: string;
  readonly template: CfnTemplateJson;
  /**
   * Construct path of each logical ID, from the artifact's metadata file
   * (templates carry `aws:cdk:path` only when path metadata is on).
   */
  readonly constructPaths?: Readonly<Record<string, string>>;
}

/** A resource and the stack it lives in. */
export interface ResourceRef {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: CfnResourceJson;
}

/**
 * PASS and FAIL are computed from the templates (and the nag report for
 * SDLC-1). The others never claim compliance: NOT_APPLICABLE (an optional
 * control that is not used), NOT_IMPLEMENTED (no implementation exists),
 * MANUAL (true or false only in the running account; the pointer says how to check).
 */
export type Status = 'PASS' | 'FAIL' | 'NOT_APPLICABLE' | 'NOT_IMPLEMENTED' | 'MANUAL';

export const STATUSES: readonly Status[] = ['PASS', 'FAIL', 'NOT_APPLICABLE', 'NOT_IMPLEMENTED', 'MANUAL'];

/** One property value of one resource that a control depends on, and whether it meets the control. */
export interface EvidenceRow {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  /** Where the value was read, e.g. `Properties.SslPolicy`. */
  readonly path: string;
  /** The value as found, rendered for reading (intrinsics shortened, e.g. `GetAtt(DatabaseKey.Arn)`). */
  readonly value: string;
  /** What the control requires of this value. */
  readonly expected: string;
  readonly ok: boolean;
}

export interface CheckResult {
  readonly control: ControlId;
  readonly status: Status;
  /** One sentence: what was verified, or why it failed. */
  readonly summary: string;
  /** Why the control fails (empty unless FAIL). */
  readonly problems: readonly string[];
  /** For MANUAL and NOT_IMPLEMENTED: where the evidence comes from instead. */
  readonly pointer?: string;
  readonly evidence: readonly EvidenceRow[];
}

/** Another environment of the same cloud assembly (for IAM-3: production's account is its own). */
export interface EnvironmentSummary {
  readonly name: string;
  readonly accounts: readonly string[];
  readonly production: boolean;
  /** Its CloudFormation stack names (to find where a pipeline deploys it). */
  readonly stackNames?: readonly string[];
}

/** Everything a check may read about one environment. */
export interface CheckContext {
  readonly environment: string;
  readonly stacks: readonly StackTemplate[];
  /** Computed from the templates and manifest by {@link isProduction}, never from configuration. */
  readonly production: boolean;
  /** The cdk-nag validation report of the assembly, when there is one. */
  readonly nag?: NagReport;
  readonly otherEnvironments?: readonly EnvironmentSummary[];
  /** Stacks outside every environment (the delivery pipeline and its artifact stores), shared by all. */
  readonly delivery?: readonly StackTemplate[];
}

export type ControlCheck = (ctx: CheckContext) => CheckResult;
