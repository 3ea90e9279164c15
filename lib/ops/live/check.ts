import type { ControlId } from '../../compliance/controls';
import type { LoadedAssembly } from '../../compliance/evidence/assembly';
import type { EnvironmentConfig } from '../../config/schema';
import type { OpsClients } from '../clients';
import { describeAwsError } from '../errors';
import type { CheckResult } from '../verify';
import type { LiveClients } from './clients';

/** Everything a live check may read: the clients of the primary and the DR region, the configuration, the assembly. */
export interface LiveContext {
  readonly ops: OpsClients;
  readonly live: LiveClients;
  /** Clients of the environment's DR region (DATA-3 copies, DATA-4 replica bucket). */
  readonly dr: LiveClients;
  readonly env: EnvironmentConfig;
  readonly now: Date;
  readonly endpoint: string;
  /** The synthesized cloud assembly, or why it could not be read (drift rows then ERROR). */
  readonly assembly: LoadedAssembly | { readonly error: string };
}

/** What a check found on one resource and what the control requires of it. */
export interface Finding {
  readonly check: string;
  readonly control: ControlId;
  readonly resource: string;
  readonly property: string;
  readonly found: unknown;
  readonly required: string;
  readonly ok: boolean;
  /** Added to the detail of a FAIL: what to do. */
  readonly fix?: string;
}

/** Renders a found value for the report: strings as they are, the rest as compact JSON, absence as `(absent)`. */
export function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(absent)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

/** One report row: PASS when `ok`, else FAIL; the detail reads `property = found (required: ...)`. */
export function judge(f: Finding): CheckResult {
  const found = show(f.found);
  const detail = f.ok
    ? `${f.property} = ${found}`
    : `${f.property} = ${found}; required: ${f.required}${f.fix ? `; ${f.fix}` : ''}`;
  return {
    check: f.check,
    control: f.control,
    resource: f.resource,
    status: f.ok ? 'PASS' : 'FAIL',
    detail,
    property: f.property,
    found,
    required: f.required,
  };
}

/** A setting that must be on (e.g. DATA-7 deletion and termination protection): PASS only when it is `true`. */
export const mustBeOn = (
  check: string,
  control: ControlId,
  resource: string,
  property: string,
  value: boolean | undefined,
  required = 'true',
) => judge({ check, control, resource, property, found: value ?? false, required, ok: value === true });

/** A resource the control needs was not found: a FAIL row saying what was looked for. */
export function absent(check: string, control: ControlId, resource: string, required: string): CheckResult {
  return judge({ check, control, resource, property: 'exists', found: 'not found', required, ok: false });
}

/** A check that could not be made (an AWS error): an ERROR row, never a PASS. */
export function errorRow(check: string, control: ControlId, resource: string, message: string): CheckResult {
  return {
    check,
    control,
    resource,
    status: 'ERROR',
    detail: message,
    property: '-',
    found: '(not read)',
    required: '-',
  };
}

/** A family of checks; an AWS error inside becomes one ERROR row instead of ending the run. */
export interface LiveFamily {
  /** The first check of the family, for its ERROR row. */
  readonly check: string;
  readonly control: ControlId;
  /** What the ERROR row names as the resource. */
  readonly resource: (ctx: LiveContext) => string;
  readonly run: (ctx: LiveContext) => Promise<CheckResult[]>;
}

/**
 * A family: its first check and control (for its ERROR row), what it looks at
 * (a function of the context, or a noun: "ALB" names "ALB of <env>"), and the
 * checks, which get that resource name too.
 */
export function liveFamily(
  check: string,
  control: ControlId,
  what: string | ((ctx: LiveContext) => string),
  run: (ctx: LiveContext, resource: string) => Promise<CheckResult[]>,
): LiveFamily {
  const resource = typeof what === 'string' ? (ctx: LiveContext) => `${what} of ${ctx.env.name}` : what;
  return { check, control, resource, run: (ctx) => run(ctx, resource(ctx)) };
}

export async function runFamily(family: LiveFamily, ctx: LiveContext): Promise<CheckResult[]> {
  return attempt(ctx, [[family.check, family.control]], family.resource(ctx), () => family.run(ctx));
}

/**
 * Runs part of a family; an AWS error becomes one ERROR row per check named in
 * `checks` (so each control it would have shown says ERROR, not "not checked"),
 * naming the API that failed: e.g. an API the endpoint does not offer (moto).
 */
export async function attempt(
  ctx: Pick<LiveContext, 'endpoint'>,
  checks: readonly (readonly [check: string, control: ControlId])[],
  resource: string,
  run: () => Promise<CheckResult[]>,
): Promise<CheckResult[]> {
  try {
    return await run();
  } catch (e) {
    if (isDeadline(e)) throw e;
    const message = `${failedCall(e)}${describeAwsError(e, ctx.endpoint).message}`;
    return checks.map(([check, control]) => errorRow(check, control, resource, message));
  }
}

/** "Backup ListRestoreTestingPlans: ", from what {@link nameFailedCalls} put on the error; empty when unknown. */
export function failedCall(e: unknown): string {
  const call = (e as { $call?: { service?: string; operation?: string } } | undefined)?.$call;
  return call?.operation ? `${call.service ?? ''} ${call.operation} failed: `.trimStart() : '';
}

/** The parts of an SDK client {@link nameFailedCalls} needs. */
interface MiddlewareClient {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { clientName?: string; commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
  };
}

/** Every error of the client carries the service and operation that failed (`$call`), for ERROR rows that name the API. */
export function nameFailedCalls<T>(client: T): T {
  const stack = (client as unknown as Partial<MiddlewareClient>).middlewareStack;
  if (!stack) return client;
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (e) {
        if (typeof e === 'object' && e !== null && !('$call' in e)) {
          const service = (context.clientName ?? '').replace(/Client$/, '');
          Object.assign(e, { $call: { service, operation: context.commandName?.replace(/Command$/, '') } });
        }
        throw e;
      }
    },
    { step: 'initialize', name: 'nameFailedCalls', override: true },
  );
  return client;
}

/** The error the CLI's run deadline raises; families let it through so the run ends at once. */
export class DeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeadlineError';
  }
}
const isDeadline = (e: unknown) => e instanceof DeadlineError;

/** An SDK error's name, for "not found" answers that are findings, not errors. */
export const errorName = (e: unknown): string => (e as { name?: string } | undefined)?.name ?? '';

/** Calls `fn`; the named "not found" errors give `undefined` instead of throwing. */
export async function orMissing<T>(fn: () => Promise<T>, ...notFound: string[]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (notFound.includes(errorName(e))) return undefined;
    throw e;
  }
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The environment's tag filter, as the stage tags every resource (DATA-8). */
export function envTags(env: EnvironmentConfig): Record<string, string> {
  return { application: env.tags.application, environment: env.name };
}

export const tagValue = (
  tags: readonly { Key?: string; Value?: string }[] | undefined,
  key: string,
): string | undefined => (tags ?? []).find((t) => t.Key === key)?.Value;

/** True when the tags carry every key/value of `wanted`. */
export const hasTags = (
  tags: readonly { Key?: string; Value?: string }[] | undefined,
  wanted: Record<string, string>,
) => Object.entries(wanted).every(([k, v]) => tagValue(tags, k) === v);
