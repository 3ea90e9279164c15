import type { CheckContext, ResourceRef, StackTemplate } from './types';

/** Every resource of a type across the given stacks, in stack then template order. */
export function resourcesOf(stacks: readonly StackTemplate[], ...types: string[]): ResourceRef[] {
  const refs: ResourceRef[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (types.includes(resource.Type)) refs.push({ stack, logicalId, resource });
    }
  }
  return refs;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value at a dotted path (`Properties.LaunchTemplate.Version`, numeric segments index arrays). */
export function get(value: unknown, path: string): unknown {
  let cur = value;
  for (const key of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
    else if (isRecord(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** A property of a resource (path relative to `Properties`). */
export function prop(ref: ResourceRef, path: string): unknown {
  return get(ref.resource.Properties, path);
}

export const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** `true` for a JSON true and for CloudFormation's string "true" (both deploy the same). */
export const isTrue = (v: unknown): boolean => v === true || v === 'true';

/** A number from a JSON number or a numeric string (CloudFormation accepts both). */
export function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  return undefined;
}

/** `Key`/`Value` lists (most resources) and plain maps (Image Builder, Backup) as one map. */
export function keyValues(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const e of v) if (isRecord(e) && typeof e.Key === 'string') out[e.Key] = e.Value;
    return out;
  }
  return isRecord(v) ? v : {};
}

/** The logical ID a `Ref` or `Fn::GetAtt` points to, within the same template. */
export function localTarget(v: unknown): string | undefined {
  if (!isRecord(v)) return undefined;
  if (typeof v.Ref === 'string') return v.Ref;
  const getAtt = v['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** A resource in the same stack by logical ID. */
export function localResource(stack: StackTemplate, logicalId: string | undefined): ResourceRef | undefined {
  const resource = logicalId === undefined ? undefined : stack.template.Resources?.[logicalId];
  return resource && logicalId !== undefined ? { stack, logicalId, resource } : undefined;
}

/**
 * The resource a value refers to: `Ref`/`Fn::GetAtt` in the same stack, or
 * `Fn::ImportValue` of an export of another stack of the environment (how CDK
 * wires cross-stack references). Undefined for literals and outside references.
 */
export function resolveTarget(
  ctx: Pick<CheckContext, 'stacks'>,
  from: StackTemplate,
  v: unknown,
): ResourceRef | undefined {
  const local = localResource(from, localTarget(v));
  if (local) return local;
  if (!isRecord(v) || typeof v['Fn::ImportValue'] !== 'string') return undefined;
  const exportName = v['Fn::ImportValue'];
  for (const stack of ctx.stacks) {
    for (const output of Object.values(stack.template.Outputs ?? {})) {
      if (output.Export?.Name === exportName) return localResource(stack, localTarget(output.Value));
    }
  }
  return undefined;
}

/** Logical IDs a value refers to anywhere inside it (Ref, GetAtt), e.g. inside an `Fn::Join`. */
export function referencedIds(v: unknown, into: Set<string> = new Set()): Set<string> {
  const target = localTarget(v);
  if (target) into.add(target);
  if (Array.isArray(v)) for (const e of v) referencedIds(e, into);
  else if (isRecord(v)) for (const e of Object.values(v)) referencedIds(e, into);
  return into;
}

/** Every `Fn::ImportValue` export name inside a value. */
export function importedNames(v: unknown, into: string[] = []): string[] {
  if (isRecord(v) && typeof v['Fn::ImportValue'] === 'string') into.push(v['Fn::ImportValue']);
  else if (Array.isArray(v)) for (const e of v) importedNames(e, into);
  else if (isRecord(v)) for (const e of Object.values(v)) importedNames(e, into);
  return into;
}

/** The resources a value refers to, locally or through imports. */
export function resolveAll(ctx: Pick<CheckContext, 'stacks'>, from: StackTemplate, v: unknown): ResourceRef[] {
  const out: ResourceRef[] = [];
  for (const id of referencedIds(v)) {
    const r = localResource(from, id);
    if (r) out.push(r);
  }
  for (const name of importedNames(v)) {
    const r = resolveTarget(ctx, from, { 'Fn::ImportValue': name });
    if (r) out.push(r);
  }
  return out;
}

const MAX_SHOWN = 160;

/**
 * A value as an auditor reads it: literals as they are, intrinsics in short
 * form (`Ref(X)`, `GetAtt(X.Arn)`, `Import(name)`, joins inlined).
 */
export function show(v: unknown): string {
  const text = render(v);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function render(v: unknown): string {
  if (v === undefined) return '(absent)';
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`;
  if (isRecord(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1) {
      const [k] = keys;
      const arg = v[k];
      if (k === 'Ref') return `Ref(${render(arg)})`;
      if (k === 'Fn::GetAtt') return `GetAtt(${Array.isArray(arg) ? arg.map(render).join('.') : render(arg)})`;
      if (k === 'Fn::ImportValue') return `Import(${render(arg)})`;
      if (k === 'Fn::Sub') return Array.isArray(arg) ? render(arg[0]) : render(arg);
      if (k === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) {
        return arg[1].map((p) => (typeof p === 'string' ? p : `\${${render(p)}}`)).join(String(arg[0]));
      }
    }
    return JSON.stringify(v);
  }
  return String(v);
}

/** A string with intrinsics rendered, for pattern matching (e.g. an endpoint service name). */
export function flat(v: unknown): string {
  return render(v);
}

/** Region of an ARN (`arn:partition:service:region:account:...`), when it is a literal. */
export function arnRegion(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length > 4 && parts[3] !== '' ? parts[3] : undefined;
}

/** Fields of an AWS cron expression `cron(min hour day-of-month month day-of-week year)`. */
export interface Cron {
  readonly minute: string;
  readonly hour: string;
  readonly dayOfMonth: string;
  readonly month: string;
  readonly dayOfWeek: string;
}

export function parseCron(expr: unknown): Cron | undefined {
  if (typeof expr !== 'string') return undefined;
  const m = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$/.exec(expr.trim());
  return m ? { minute: m[1], hour: m[2], dayOfMonth: m[3], month: m[4], dayOfWeek: m[5] } : undefined;
}

const EVERY_DAY = (c: Cron) =>
  (c.dayOfMonth === '*' || c.dayOfMonth === '?') && (c.dayOfWeek === '*' || c.dayOfWeek === '?');

/**
 * Hours between runs of a schedule that runs every day (`cron(0 0/12 * * ? *)`
 * → 12, `cron(0 3 * * ? *)` → 24, `rate(6 hours)` → 6); undefined when it
 * does not run every day or cannot be read.
 */
export function hoursBetweenRuns(expr: unknown): number | undefined {
  if (typeof expr === 'string') {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr.trim());
    if (rate) {
      const n = Number(rate[1]);
      return rate[2].startsWith('minute') ? n / 60 : rate[2].startsWith('hour') ? n : n * 24;
    }
  }
  const cron = parseCron(expr);
  if (!cron || !EVERY_DAY(cron) || cron.month !== '*') return undefined;
  if (cron.hour === '*') return 1;
  const step = /^(\d+|\*)\/(\d+)$/.exec(cron.hour);
  if (step) return Number(step[2]);
  if (/^\d+$/.test(cron.hour)) return 24;
  const list = cron.hour.split(',');
  if (list.every((h) => /^\d+$/.test(h))) {
    const hours = list.map(Number).sort((a, b) => a - b);
    const gaps = hours.map((h, i) => (i === 0 ? h + 24 - hours[hours.length - 1] : h - hours[i - 1]));
    return Math.max(...gaps);
  }
  return undefined;
}

/** Whether a schedule runs at least once a month: every month, on some day, or at a rate of at most 31 days. */
export function runsAtLeastMonthly(expr: unknown): boolean {
  if (typeof expr === 'string') {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expr.trim());
    if (rate) return !rate[2].startsWith('day') || Number(rate[1]) <= 31;
  }
  const cron = parseCron(expr);
  if (!cron) return false;
  return cron.month === '*' && (cron.dayOfMonth !== '?' || cron.dayOfWeek !== '?');
}

/** A condition value of a policy statement; condition keys contain dots and colons, so no dotted path. */
export function conditionValue(statement: unknown, operator: string, key: string): unknown {
  const block = get(statement, `Condition.${operator}`);
  return isRecord(block) ? block[key] : undefined;
}

/** The construct path CDK writes into each resource's metadata (links template resources to nag findings). */
export function constructPath(ref: ResourceRef): string | undefined {
  const path = ref.resource.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : ref.stack.constructPaths?.[ref.logicalId];
}
