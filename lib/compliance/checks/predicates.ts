import { LOG_RETENTION_DAYS } from '../../config/retention';
import type { Predicate, ValueAt } from './collector';
import { asArray, asNumber, conditionValue, get, hoursBetweenRuns, isTrue, resolveTarget } from './template';

/**
 * Shared predicates for `Collector.expect`: each says what a property value
 * must be, so that a control that needs the same thing as another (a year of
 * log retention, a customer key) reads the same and cannot drift.
 */

/** A JSON true or CloudFormation's string "true" (`isTrue` of ./template is a predicate too). */
export { isTrue };

/** Not true (absent or false). */
export const notTrue: Predicate = (v) => !isTrue(v);

/** A JSON false or the string "false" (absent is not enough). */
export const isFalse: Predicate = (v) => v === false || v === 'false';

/** Exactly this literal. */
export const equals =
  (expected: unknown): Predicate =>
  (v) =>
    v === expected;

/** One of these literals. */
export const oneOf =
  (allowed: readonly unknown[]): Predicate =>
  (v) =>
    allowed.includes(v);

/** Present (any value). */
export const present: Predicate = (v) => v !== undefined;

/** Absent (e.g. no key pair, no password in the template). */
export const absent: Predicate = (v) => v === undefined;

/** A number (or numeric string) of at least `min`. */
export const atLeast =
  (min: number): Predicate =>
  (v) => {
    const n = asNumber(v);
    return n !== undefined && n >= min;
  };

/** A number (or numeric string) of at most `max`. */
export const atMost =
  (max: number): Predicate =>
  (v) => {
    const n = asNumber(v);
    return n !== undefined && n <= max;
  };

/** A number (or numeric string) from `min` to `max`. */
export const between =
  (min: number, max: number): Predicate =>
  (v, at) =>
    atLeast(min)(v, at) && atMost(max)(v, at);

/** A schedule (cron or rate) that runs every day, at least every `hours` hours. */
export const runsAtLeastEvery =
  (hours: number): Predicate =>
  (v) => {
    const every = hoursBetweenRuns(v);
    return every !== undefined && every <= hours;
  };

/** A non-empty list (or a single value). */
export const nonEmpty: Predicate = (v) => asArray(v).length > 0;

/** Log retention (`RetentionInDays`) of at least `days`; absent means "never expires", which keeps longer. */
export const retainedAtLeast =
  (days: number, options: { neverExpiresOk?: boolean } = {}): Predicate =>
  (v) => {
    const n = asNumber(v);
    return (options.neverExpiresOk === true && v === undefined) || (n !== undefined && n >= days);
  };

/**
 * Logs kept for the one retention of lib/config/retention.ts (LOG-2, LOG-3,
 * NET-5, NET-6): `RetentionInDays` of at least {@link LOG_RETENTION_DAYS}; absent fails.
 */
export const logsKept: Predicate = retainedAtLeast(LOG_RETENTION_DAYS);

/** A reference to a customer-managed KMS key of this environment (not an AWS-managed alias, not a literal). */
export const customerKey: Predicate = (v, at) => refersTo('AWS::KMS::Key')(v, at);

/** A reference (`Ref`, `Fn::GetAtt`, an import) to a resource of this type in this environment. */
export const refersTo =
  (type: string): Predicate =>
  (v, { ctx, ref }: ValueAt) =>
    resolveTarget(ctx, ref.stack, v)?.resource.Type === type;

/** A reference that resolves to a resource of this environment (any type). */
export const resolves: Predicate = (v, { ctx, ref }) => resolveTarget(ctx, ref.stack, v) !== undefined;

/** A non-empty list every entry of which refers to a resource of this type. */
export const allReferTo =
  (type: string): Predicate =>
  (v, at) =>
    asArray(v).length > 0 && asArray(v).every((x) => refersTo(type)(x, at));

/** No EC2 key pair (`KeyName`/`KeyPair` absent): access is through Session Manager only. */
export const noKeyPair: Predicate = absent;

/** A policy statement that denies. */
export const isDeny = (s: unknown): boolean => get(s, 'Effect') === 'Deny';

/** A policy statement that allows. */
export const isAllow = (s: unknown): boolean => get(s, 'Effect') === 'Allow';

/** A policy document (or its statement list) with a Deny of requests not sent over TLS (`aws:SecureTransport=false`). */
export function deniesInsecureTransport(statements: unknown): boolean {
  return asArray(get(statements, 'Statement') ?? statements).some(
    (s) => isDeny(s) && String(conditionValue(s, 'Bool', 'aws:SecureTransport')) === 'false',
  );
}

/** Absent, or meeting `predicate` (for properties whose default is compliant). */
export const orAbsent =
  (predicate: Predicate): Predicate =>
  (v, at) =>
    v === undefined || predicate(v, at);

/** A field inside the value (dotted path) meets `predicate`, e.g. `inside('MinRetentionDays', atLeast(1))`. */
export const inside =
  (path: string, predicate: Predicate): Predicate =>
  (v, at) =>
    predicate(get(v, path), at);
