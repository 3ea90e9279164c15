import type { ControlId } from '../controls';
import { get, resourcesOf, show } from './template';
import type { CheckContext, CheckResult, EvidenceRow, ResourceRef } from './types';

/** Where a value was read: the resource and the environment around it (for predicates that follow references). */
export interface ValueAt {
  readonly ctx: CheckContext;
  readonly ref: ResourceRef;
}

/** Whether a property value meets a control (see ./predicates for the shared ones). */
export type Predicate = (value: unknown, at: ValueAt) => boolean;

export interface ExpectOptions {
  /** What the row shows when the property is absent, e.g. `(default: true)`. @default `(absent)` */
  readonly absent?: string;
  /** The value as the row shows it, when the raw value does not read well. @default the value itself */
  readonly shown?: (value: unknown, at: ValueAt) => unknown;
}

/** Resource attributes outside `Properties` that a check may read. */
const TOP_LEVEL = new Set(['DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy', 'Metadata']);

/** The evidence path of a property path: relative to `Properties` unless it names a top-level attribute. */
function evidencePath(path: string): string {
  return TOP_LEVEL.has(path.split('.')[0]) ? path : `Properties.${path}`;
}

/**
 * Gathers the evidence of one control and computes its status from it: FAIL
 * if any row is not ok or any requirement is missing, MANUAL if part of the
 * control can only be seen in the running account, PASS otherwise. The code
 * that builds the templates never declares a status.
 */
export class Collector {
  readonly rows: EvidenceRow[] = [];
  readonly problems: string[] = [];
  private readonly manualNotes: string[] = [];

  constructor(readonly ctx: CheckContext) {}

  /**
   * Records one value of one resource and whether it meets the control.
   * `path` is relative to the resource (`Properties.X`, `DeletionPolicy`).
   */
  check(ref: ResourceRef, path: string, value: unknown, ok: boolean, expected: string): boolean {
    this.rows.push({
      stack: ref.stack.stackName,
      logicalId: ref.logicalId,
      type: ref.resource.Type,
      path,
      value: show(value),
      expected,
      ok,
    });
    if (!ok)
      this.problems.push(`${ref.stack.stackName}/${ref.logicalId} ${path} is ${show(value)}; expected ${expected}`);
    return ok;
  }

  /**
   * Records one property of one resource, named once, like a cdk-nag rule:
   * `c.expect(db, 'StorageEncrypted', isTrue, 'true')` reads
   * `Properties.StorageEncrypted`, tests it and writes the row.
   */
  expect(ref: ResourceRef, path: string, predicate: Predicate, expected: string, options: ExpectOptions = {}): boolean {
    const full = evidencePath(path);
    const value = get(ref.resource, full);
    const at = { ctx: this.ctx, ref };
    const shown = options.shown
      ? options.shown(value, at)
      : value === undefined && options.absent
        ? options.absent
        : value;
    return this.check(ref, full, shown, predicate(value, at), expected);
  }

  /** A yes/no fact about a resource that is not one property (e.g. `BucketPolicy: Deny aws:SecureTransport=false`). */
  holds(ref: ResourceRef, what: string, ok: boolean, expected: string): boolean {
    return this.check(ref, what, ok, ok, expected);
  }

  /** The resources `ref` needs (its flow logs, its selections), by logical ID; none fails. */
  listed(ref: ResourceRef, what: string, found: readonly ResourceRef[], expected: string): boolean {
    const ids = found.map((f) => f.logicalId);
    return this.check(ref, what, ids, found.length > 0, expected);
  }

  /**
   * A resource the control needs that a lookup found or did not: its property
   * `path` as a row when found, the `missing` problem when not.
   */
  found(
    ref: ResourceRef | undefined,
    path: string,
    expected: string,
    missing: string,
    options?: ExpectOptions,
  ): boolean {
    if (ref) return this.expect(ref, path, () => true, expected, options);
    this.problems.push(missing);
    return false;
  }

  /** A row about something other than a resource property (a stack's manifest entry, a nag pack). */
  fact(row: Omit<EvidenceRow, 'value'> & { readonly value: unknown }, problem?: string): boolean {
    this.rows.push({ ...row, value: show(row.value) });
    if (!row.ok)
      this.problems.push(
        problem ?? `${row.stack}/${row.logicalId} ${row.path} is ${show(row.value)}; expected ${row.expected}`,
      );
    return row.ok;
  }

  /** Fails the control with a reason that has no single resource (e.g. "no load balancer"). */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Fails the control when a list of resources it depends on is empty: removing a control must not pass. */
  requireSome<T>(items: readonly T[], what: string): items is readonly [T, ...T[]] {
    if (items.length === 0) this.problems.push(`no ${what} in the templates of ${this.ctx.environment}`);
    return items.length > 0;
  }

  /**
   * Every resource of these types in the environment; none fails the control
   * like {@link requireSome} (`no <what> in the templates of <env>`).
   */
  resources(what: string, ...types: string[]): ResourceRef[] {
    const refs = resourcesOf(this.ctx.stacks, ...types);
    this.requireSome(refs, what);
    return refs;
  }

  /** Part of the control is true or false only in the running account; says how to check it. */
  manual(note: string): void {
    this.manualNotes.push(note);
  }

  get failed(): boolean {
    return this.problems.length > 0;
  }

  finish(control: ControlId, verified: string, pointer?: string): CheckResult {
    const unique = [...new Set(this.problems)];
    if (unique.length > 0) {
      const more = unique.length > 1 ? ` (and ${unique.length - 1} more)` : '';
      return { control, status: 'FAIL', summary: `${unique[0]}${more}`, problems: unique, evidence: this.rows };
    }
    if (this.manualNotes.length > 0) {
      const summary =
        this.rows.length > 0 ? `${verified}; ${this.manualNotes.join('; ')}` : this.manualNotes.join('; ');
      return { control, status: 'MANUAL', summary, problems: [], pointer, evidence: this.rows };
    }
    return { control, status: 'PASS', summary: verified, problems: [], evidence: this.rows };
  }
}

/** A control that the templates cannot show (NOT_IMPLEMENTED, MANUAL, NOT_APPLICABLE): never PASS. */
export function notFromTemplates(
  control: ControlId,
  status: 'NOT_IMPLEMENTED' | 'MANUAL' | 'NOT_APPLICABLE',
  summary: string,
  pointer: string,
): CheckResult {
  return { control, status, summary, problems: [], pointer, evidence: [] };
}
