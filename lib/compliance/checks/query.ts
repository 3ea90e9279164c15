import { prop, resolveTarget, resourcesOf } from './template';
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

/** The resource a property of `ref` refers to (`Ref`, `Fn::GetAtt`, or an import of another stack's export). */
export function targetOf(ctx: Pick<CheckContext, 'stacks'>, ref: ResourceRef, path: string): ResourceRef | undefined {
  return resolveTarget(ctx, ref.stack, prop(ref, path));
}

/**
 * Resources of `type` whose property `path` refers to `target`, e.g. the
 * listeners of a load balancer: `referrers(ctx, LISTENER, 'LoadBalancerArn', lb)`.
 * Searches `stacks` (default: every stack of the environment).
 */
export function referrers(
  ctx: Pick<CheckContext, 'stacks'>,
  type: string,
  path: string,
  target: ResourceRef,
  stacks: readonly StackTemplate[] = ctx.stacks,
): ResourceRef[] {
  return resourcesOf(stacks, type).filter((r) => sameResource(targetOf(ctx, r, path), target));
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
