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

export const HOUR_MS = 3_600_000;
export const DAY_S = 86_400;
/** Filter values per request: EC2 accepts up to 200 values per filter; stay well under it. */
export const FILTER_CHUNK = 100;

export function result(check: CheckId, resource: string, status: CheckStatus, detail: string): CheckResult {
  return { check, control: CHECKS[check], resource, status, detail };
}

export const pass = (check: CheckId, resource: string, detail: string) => result(check, resource, 'PASS', detail);
export const fail = (check: CheckId, resource: string, detail: string) => result(check, resource, 'FAIL', detail);

export function chunks<T>(items: readonly T[], size: number): T[][] {
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
