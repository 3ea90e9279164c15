import { createHash } from 'node:crypto';
import { type CloudFormationClient, DescribeStacksCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { parse } from 'yaml';
import type { StackTemplate } from '../../compliance/checks/types';
import type { CheckResult } from '../verify';
import { errorName, errorRow, judge, liveFamily, mustBeOn } from './check';

/** JSON with object keys sorted: the same template gives the same text however it was serialized. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The normalised hash of a template: SHA-256 of its canonical JSON (formatting and key order do not count). */
export function templateHash(template: unknown): string {
  return createHash('sha256').update(canonicalJson(template)).digest('hex');
}

/** A deployed template body (JSON or YAML) as data. */
export function parseTemplateBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return parse(body);
  }
}

const short = (hash: string) => `sha256:${hash.slice(0, 16)}`;

async function stackRows(cfn: CloudFormationClient, stack: StackTemplate, production: boolean): Promise<CheckResult[]> {
  const name = stack.stackName;
  let described;
  try {
    described = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
  } catch (e) {
    if (errorName(e) !== 'ValidationError') throw e;
  }
  if (!described) {
    return [
      judge({
        check: 'drift.template',
        control: 'OPS-3',
        resource: name,
        property: 'stack',
        found: 'not deployed',
        required: `deployed from ${stack.templateFile ?? 'the assembly'}`,
        ok: false,
      }),
    ];
  }
  const body =
    (await cfn.send(new GetTemplateCommand({ StackName: name, TemplateStage: 'Original' }))).TemplateBody ?? '';
  const deployed = templateHash(parseTemplateBody(body));
  const synthesized = templateHash(stack.template);
  const drift = described.DriftInformation?.StackDriftStatus ?? 'NOT_CHECKED';
  const rows = [
    judge({
      check: 'drift.template',
      control: 'OPS-3',
      resource: name,
      property: 'deployed template (normalised hash)',
      found: short(deployed),
      required: `${short(synthesized)} (${stack.templateFile ?? 'synthesized template'})`,
      ok: deployed === synthesized,
      fix: 'the deployed stack differs from the synthesized one: deploy it, or synthesize the version that is deployed',
    }),
    judge({
      check: 'drift.resources',
      control: 'OPS-3',
      resource: name,
      property: 'DriftInformation.StackDriftStatus',
      found: drift,
      required: 'IN_SYNC, or NOT_CHECKED when drift detection has not run (the template hash still applies)',
      ok: drift === 'IN_SYNC' || drift === 'NOT_CHECKED',
      fix: 'resources were changed outside CloudFormation (aws cloudformation describe-stack-resource-drifts)',
    }),
  ];
  if (production || stack.terminationProtection) {
    rows.push(
      mustBeOn(
        'stack.termination-protection',
        'DATA-7',
        name,
        'EnableTerminationProtection',
        described.EnableTerminationProtection,
        'true (production stack)',
      ),
    );
  }
  return rows;
}

/** OPS-3: each stack of the environment in the assembly against the deployed one; DATA-7 termination protection. */
export const drift = liveFamily('drift.template', 'OPS-3', 'stacks', async (ctx, resource) => {
  const assembly = ctx.assembly;
  if ('error' in assembly) return [errorRow('drift.template', 'OPS-3', resource, assembly.error)];
  const env = assembly.environments.find((e) => e.name === ctx.env.name);
  if (!env) {
    const names = assembly.environments.map((e) => e.name).join(', ') || 'none';
    return [
      errorRow(
        'drift.template',
        'OPS-3',
        assembly.directory,
        `the assembly has no environment "${ctx.env.name}" (it has: ${names}); pass --assembly DIR synthesized with this --config`,
      ),
    ];
  }
  const rows: CheckResult[] = [];
  for (const stack of env.stacks) {
    const cfn = stack.region === ctx.env.drRegion ? ctx.dr.cloudformation : ctx.live.cloudformation;
    rows.push(...(await stackRows(cfn, stack, ctx.env.production)));
  }
  return rows;
});
