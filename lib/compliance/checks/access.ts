import { Collector } from './collector';
import { isAllow } from './predicates';
import { acknowledgedReasons } from './query';
import { asArray, conditionValue, flat, get, prop, resourcesOf } from './template';
import type { CheckContext, CheckResult, ResourceRef } from './types';

const managedPolicyNames = (role: ResourceRef) =>
  asArray(prop(role, 'ManagedPolicyArns')).map((m) => flat(m).split('/').pop() ?? '');

/** Roles people assume (an AWS account or role principal), as opposed to service roles. */
function humanRoles(ctx: CheckContext): ResourceRef[] {
  return resourcesOf(ctx.stacks, 'AWS::IAM::Role').filter((r) =>
    asArray(prop(r, 'AssumeRolePolicyDocument.Statement')).some(
      (s) => isAllow(s) && get(s, 'Principal.AWS') !== undefined && !onlyMachineCallers(s),
    ),
  );
}

/** A trust statement that admits only roles (e.g. a pipeline's), by `aws:PrincipalArn`: no person assumes it directly. */
function onlyMachineCallers(statement: unknown): boolean {
  const arns = asArray(conditionValue(statement, 'ArnLike', 'aws:PrincipalArn'));
  return (
    arns.length > 0 &&
    arns.every((a) => /^arn:([a-z-]+|\$\{Ref\(AWS::Partition\)\}):iam::\d{12}:role\/[\w+=,.@-]+\*?$/.test(flat(a)))
  );
}

/** IAM-1: every role people assume requires MFA; auditors have a read-only role. */
export function checkIam1(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const roles = humanRoles(ctx);
  for (const role of roles) {
    const statements = asArray(prop(role, 'AssumeRolePolicyDocument.Statement')).filter(
      (s) => isAllow(s) && get(s, 'Principal.AWS') !== undefined,
    );
    statements.forEach((s, i) => {
      const mfa = conditionValue(s, 'Bool', 'aws:MultiFactorAuthPresent');
      c.check(
        role,
        `Properties.AssumeRolePolicyDocument.Statement.${i}.Condition`,
        get(s, 'Condition') ?? '(none)',
        String(mfa) === 'true',
        'aws:MultiFactorAuthPresent = true',
      );
    });
    c.expect(role, 'ManagedPolicyArns', () => true, 'what the role may do once assumed with MFA', {
      shown: () => managedPolicyNames(role),
    });
  }
  const auditors = roles.filter((r) => {
    const names = managedPolicyNames(r);
    return (
      (names.includes('ReadOnlyAccess') || names.includes('SecurityAudit')) && !names.includes('AdministratorAccess')
    );
  });
  c.requireSome(auditors, 'read-only auditor role (ReadOnlyAccess or SecurityAudit)');
  c.requireSome(roles, 'role for people (administrators, auditors)');
  return c.finish('IAM-1', 'every role people assume requires MFA, and auditors get a read-only role behind MFA');
}

/** Every IAM policy document of the environment with where it lives. */
function policyDocuments(ctx: CheckContext): { ref: ResourceRef; path: string; doc: unknown }[] {
  const docs: { ref: ResourceRef; path: string; doc: unknown }[] = [];
  for (const r of resourcesOf(ctx.stacks, 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
    docs.push({ ref: r, path: 'Properties.PolicyDocument', doc: prop(r, 'PolicyDocument') });
  }
  for (const r of resourcesOf(ctx.stacks, 'AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group')) {
    asArray(prop(r, 'Policies')).forEach((p, i) =>
      docs.push({ ref: r, path: `Properties.Policies.${i}.PolicyDocument`, doc: get(p, 'PolicyDocument') }),
    );
  }
  return docs;
}

const hasWildcard = (v: unknown) => asArray(v).some((x) => flat(x).includes('*'));

/** IAM-2: no wildcard action anywhere; every wildcard resource and AWS-managed policy has a written justification. */
export function checkIam2(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  const docs = policyDocuments(ctx);
  c.requireSome(docs, 'IAM policy');
  for (const { ref, path, doc } of docs) {
    const allows = asArray(get(doc, 'Statement')).filter(isAllow);
    const wildActions = allows.flatMap((s) => asArray(get(s, 'Action'))).filter((a) => flat(a).includes('*'));
    const notAction = allows.filter((s) => get(s, 'NotAction') !== undefined);
    c.check(
      ref,
      `${path}.Statement[].Action`,
      wildActions.length || notAction.length
        ? [...wildActions, ...notAction.map(() => 'NotAction')]
        : `${allows.length} Allow statements, named actions only`,
      wildActions.length === 0 && notAction.length === 0,
      'named actions only (no *, no NotAction)',
    );
    const wildResources = allows.filter((s) => hasWildcard(get(s, 'Resource')));
    if (wildResources.length > 0) {
      const reasons = acknowledgedReasons(ctx, ref, 'IAM5');
      c.check(
        ref,
        `${path}.Statement[].Resource`,
        `${wildResources.length} statements with a wildcard resource${reasons.length ? ` (acknowledged: ${reasons[0]})` : ''}`,
        reasons.length > 0,
        'every wildcard resource justified by an acknowledgment next to the code (AwsSolutions-IAM5)',
      );
    }
  }
  // AWS-managed policies are listed for review, not judged: their contents are not in the templates.
  for (const role of resourcesOf(ctx.stacks, 'AWS::IAM::Role')) {
    const awsManaged = asArray(prop(role, 'ManagedPolicyArns')).filter((m) => /:iam::aws:policy\//.test(flat(m)));
    if (awsManaged.length === 0) continue;
    const reasons = acknowledgedReasons(ctx, role, 'IAM4');
    c.expect(
      role,
      'ManagedPolicyArns',
      () => true,
      'AWS-managed policies, listed with the reason recorded for them (AwsSolutions-IAM4)',
      {
        shown: () =>
          `${managedPolicyNames(role).join(', ')} (${reasons.length ? `acknowledged: ${reasons[0]}` : 'no acknowledgment recorded'})`,
      },
    );
  }
  return c.finish(
    'IAM-2',
    'no IAM statement allows a wildcard action, and every wildcard resource carries a written justification; AWS-managed policies are listed for review',
  );
}

/** IAM-3: the environment is its own stage in its own account; production shares its account with no other environment. */
export function checkIam3(ctx: CheckContext): CheckResult {
  const c = new Collector(ctx);
  c.requireSome(ctx.stacks, 'stack');
  const accounts = new Set(ctx.stacks.map((s) => s.account));
  for (const s of ctx.stacks) {
    c.fact({
      stack: s.stackName,
      logicalId: '(stack)',
      type: 'manifest',
      path: 'environment',
      value: `aws://${s.account ?? '?'}/${s.region ?? '?'} (stage ${ctx.environment})`,
      ok: s.account !== undefined && accounts.size === 1,
      expected: `one literal account for every stack of ${ctx.environment}`,
    });
  }
  const [account] = [...accounts];
  const sharing = (ctx.otherEnvironments ?? []).filter((o) => account !== undefined && o.accounts.includes(account));
  c.fact({
    stack: '(assembly)',
    logicalId: ctx.environment,
    type: 'manifest',
    path: 'account shared with',
    value: sharing.length ? sharing.map((o) => o.name).join(', ') : 'no other environment',
    ok: !ctx.production || sharing.length === 0,
    expected: ctx.production ? 'no other environment in the production account' : 'any (only production must be alone)',
  });
  return c.finish(
    'IAM-3',
    `${ctx.environment} is its own stage in account ${account ?? '?'}${ctx.production ? ', shared with no other environment' : ''}`,
  );
}
