import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListRoleTagsCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  paginateListRoles,
  type Role,
} from '@aws-sdk/client-iam';
import type { CheckResult } from '../verify';
import { absent, envTags, errorRow, hasTags, judge, liveFamily } from './check';

interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Principal?: string | Record<string, unknown>;
  readonly Condition?: Record<string, Record<string, unknown>>;
}
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statements = (document: string | undefined): Statement[] =>
  document ? list((JSON.parse(decodeURIComponent(document)) as { Statement?: Statement | Statement[] }).Statement) : [];

/** A policy document IAM returned (URL-encoded JSON) that parses; an endpoint may hand back something else. */
function isJson(document: string | undefined): boolean {
  try {
    statements(document);
    return true;
  } catch {
    return false;
  }
}

/** Trust statements that let a principal of an account (a person) assume the role, not a service. */
export function humanTrust(role: Role): Statement[] {
  return statements(role.AssumeRolePolicyDocument).filter(
    (s) => s.Effect === 'Allow' && typeof s.Principal === 'object' && s.Principal !== null && 'AWS' in s.Principal,
  );
}

/** A trust statement requires MFA when its condition demands aws:MultiFactorAuthPresent = true. */
export const requiresMfa = (s: Statement) =>
  Object.entries(s.Condition ?? {}).some(
    ([op, c]) =>
      /^Bool(IfExists)?$/.test(op) && list(c['aws:MultiFactorAuthPresent'] as string | string[]).includes('true'),
  );

/** Wildcard actions an Allow statement grants: `*`, `service:*`, or any NotAction. */
export function wildcardActions(document: string | undefined): string[] {
  return statements(document)
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => [
      ...list(s.Action).filter((a) => a === '*' || /^[a-z0-9-]+:\*$/i.test(a)),
      ...list(s.NotAction).map((a) => `NotAction ${a}`),
    ]);
}

async function environmentRoles(iam: IAMClient, tags: Record<string, string>): Promise<Role[]> {
  const roles: Role[] = [];
  for await (const page of paginateListRoles({ client: iam }, {})) {
    for (const role of page.Roles ?? []) {
      if (role.Path?.startsWith('/aws-service-role/')) continue;
      const t = (await iam.send(new ListRoleTagsCommand({ RoleName: role.RoleName }))).Tags;
      if (hasTags(t, tags)) roles.push(role);
    }
  }
  return roles.sort((a, b) => (a.RoleName ?? '').localeCompare(b.RoleName ?? ''));
}

async function policyDocuments(iam: IAMClient, role: string): Promise<{ name: string; document?: string }[]> {
  const out: { name: string; document?: string }[] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: role })) {
    for (const name of page.PolicyNames ?? []) {
      out.push({
        name,
        document: (await iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name }))).PolicyDocument,
      });
    }
  }
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: role })) {
    for (const p of page.AttachedPolicies ?? []) {
      // AWS-managed policies are reviewed where they are attached (acknowledged in the code), not rewritten here.
      if (!p.PolicyArn || p.PolicyArn.includes(':iam::aws:policy/')) continue;
      const version = (await iam.send(new GetPolicyCommand({ PolicyArn: p.PolicyArn }))).Policy?.DefaultVersionId;
      const doc = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.PolicyArn, VersionId: version })))
        .PolicyVersion?.Document;
      out.push({ name: p.PolicyName ?? p.PolicyArn, document: doc });
    }
  }
  return out;
}

/** IAM-1 (MFA on every role a person can assume) and IAM-2 (no wildcard actions) over the environment's roles. */
export const iam = liveFamily('iam.mfa', 'IAM-1', 'roles', async (ctx) => {
  const roles = await environmentRoles(ctx.live.iam, envTags(ctx.env));
  if (roles.length === 0)
    return [absent('iam.mfa', 'IAM-1', `roles tagged ${JSON.stringify(envTags(ctx.env))}`, 'the environment roles')];
  const rows: CheckResult[] = [];
  for (const role of roles) {
    const name = role.RoleName!;
    const human = humanTrust(role);
    if (human.length > 0) {
      const without = human.filter((s) => !requiresMfa(s));
      rows.push(
        judge({
          check: 'iam.mfa',
          control: 'IAM-1',
          resource: name,
          property: 'AssumeRolePolicyDocument (AWS principals): Condition aws:MultiFactorAuthPresent',
          found: without.length
            ? `${without.length} of ${human.length} trust statement(s) without MFA`
            : `all ${human.length} require MFA`,
          required: 'true on every statement a person can assume the role through',
          ok: without.length === 0,
        }),
      );
    }
    const documents = await policyDocuments(ctx.live.iam, name);
    const unreadable = documents.filter((p) => !isJson(p.document));
    if (unreadable.length > 0) {
      const names = unreadable.map((p) => p.name).join(', ');
      rows.push(
        errorRow('iam.no-wildcard-actions', 'IAM-2', name, `policy document(s) ${names}: not JSON, not judged`),
      );
    }
    const wildcards = documents
      .filter((p) => isJson(p.document))
      .flatMap((p) => wildcardActions(p.document).map((a) => `${p.name}: ${a}`));
    rows.push(
      judge({
        check: 'iam.no-wildcard-actions',
        control: 'IAM-2',
        resource: name,
        property: 'Allow statements: Action',
        found: wildcards.join(', ') || 'no wildcard action',
        required: 'no `*`, `service:*` or NotAction in an Allow',
        ok: wildcards.length === 0,
      }),
    );
  }
  if (!rows.some((r) => r.control === 'IAM-1')) {
    rows.unshift(
      absent(
        'iam.mfa',
        'IAM-1',
        `${roles.length} roles of ${ctx.env.name}`,
        'an administrator and an auditor role that people assume with MFA',
      ),
    );
  }
  return rows;
});
