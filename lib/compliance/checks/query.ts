import { acknowledgmentsFor } from './nag-report';
import { asArray, constructPath, prop, resolveTarget, resourcesOf } from './template';
import type { CheckContext, ResourceRef, StackTemplate } from './types';

/**
 * Questions a check asks of the templates beyond one resource: who refers to
 * this resource, what does this field point at. Answers compare the stack and
 * the logical ID, because two stacks may use the same logical ID.
 */

/** Whether two references name the same resource (same stack, same logical ID). */
export function sameResource(a: ResourceRef | undefined, b: ResourceRef | undefined): boolean {
  return a !== undefined && b !== undefined && a.logicalId === b.logicalId && a.stack.stackName === b.stack.stackName;
}

/** A resource as one string, `stack/logicalId`, for sets and maps (and for the rows that name another resource). */
export const resourceKey = (r: ResourceRef): string => `${r.stack.stackName}/${r.logicalId}`;

/** The resource a property of `ref` refers to (`Ref`, `Fn::GetAtt`, or an import of another stack's export). */
export function targetOf(ctx: Pick<CheckContext, 'stacks'>, ref: ResourceRef, path: string): ResourceRef | undefined {
  return resolveTarget(ctx, ref.stack, prop(ref, path));
}

/** The resources each entry of a list property of `ref` refers to (undefined where one refers to nothing here). */
export function targetsOf(
  ctx: Pick<CheckContext, 'stacks'>,
  ref: ResourceRef,
  path: string,
): (ResourceRef | undefined)[] {
  return asArray(prop(ref, path)).map((v) => resolveTarget(ctx, ref.stack, v));
}

/**
 * Resources of `type` whose property `path` refers to `target`, e.g. the
 * listeners of a load balancer: `referrers(ctx, LISTENER, 'LoadBalancerArn', lb)`.
 * A property that holds a list (a policy's `Roles`) refers to each of its
 * entries. Searches `stacks` (default: every stack of the environment).
 */
export function referrers(
  ctx: Pick<CheckContext, 'stacks'>,
  type: string,
  path: string,
  target: ResourceRef,
  stacks: readonly StackTemplate[] = ctx.stacks,
): ResourceRef[] {
  return resourcesOf(stacks, type).filter((r) => {
    const v = prop(r, path);
    return (Array.isArray(v) ? v : [v]).some((x) => sameResource(resolveTarget(ctx, r.stack, x), target));
  });
}

/** The first resource of `type` whose property `path` refers to `target`. */
export function referrer(
  ctx: Pick<CheckContext, 'stacks'>,
  type: string,
  path: string,
  target: ResourceRef,
): ResourceRef | undefined {
  return referrers(ctx, type, path, target)[0];
}

/**
 * The statements of every policy resource of `type` that attaches to `target`
 * through `path`: a bucket's `AWS::S3::BucketPolicy` (`Bucket`), a topic's
 * `AWS::SNS::TopicPolicy` (`Topics`), a role's `AWS::IAM::Policy` (`Roles`).
 * Searched in the target's stack, where CDK writes them.
 */
export function policyStatementsOf(
  ctx: Pick<CheckContext, 'stacks'>,
  type: string,
  path: string,
  target: ResourceRef,
): unknown[] {
  return referrers(ctx, type, path, target, [target.stack]).flatMap((p) =>
    asArray(prop(p, 'PolicyDocument.Statement')),
  );
}

/** The reasons recorded for acknowledging cdk-nag `rule` (suffix, e.g. `IAM5`) on this resource. */
export function acknowledgedReasons(
  ctx: Pick<CheckContext, 'nag'>,
  ref: ResourceRef,
  rule: string,
): (string | undefined)[] {
  return acknowledgmentsFor(ctx.nag, constructPath(ref), rule).map((f) => f.reason);
}
