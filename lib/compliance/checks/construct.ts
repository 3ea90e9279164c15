import { CfnResource, Stack, Stage, Token } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { ControlId } from '../controls';
import { Collector } from './collector';
import type { CfnResourceJson, CheckContext, ResourceRef, StackTemplate } from './types';

/**
 * A rule of our cdk-nag pack: a check function of lib/compliance/checks
 * applied to one construct, and the words cdk-nag reports when it fails.
 */
export interface SaasRule {
  /** Named after the rule (cdk-nag takes the rule ID from the function name). */
  readonly rule: (node: CfnResource) => NagRuleResult;
  readonly control: ControlId;
  readonly info: string;
  readonly explanation: string;
}

const literal = (v: string | undefined): string | undefined =>
  v !== undefined && !Token.isUnresolved(v) ? v : undefined;

/** The CloudFormation JSON of one resource, tokens resolved, escape hatches (overrides) applied. */
function renderResource(node: CfnResource): Record<string, CfnResourceJson> {
  const rendered = Stack.of(node).resolve(node._toCloudFormation()) as { Resources?: Record<string, CfnResourceJson> };
  return rendered.Resources ?? {};
}

/**
 * A construct's stack as template JSON, so that rules run the same check
 * functions as the evidence report. `whole` renders every resource of the
 * stack (for checks that follow references, e.g. a database to its parameter
 * group); resources that cannot be rendered in isolation are left out.
 */
export function stackTemplateOf(node: CfnResource, whole: boolean): StackTemplate {
  const stack = Stack.of(node);
  const nodes = whole
    ? stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack)
    : [node];
  const resources: Record<string, CfnResourceJson> = {};
  for (const r of nodes) {
    try {
      Object.assign(resources, renderResource(r));
    } catch (e) {
      if (r === node) throw e;
    }
  }
  return {
    stackName: literal(stack.stackName) ?? stack.node.path,
    displayName: stack.node.path,
    account: literal(stack.account),
    region: literal(stack.region),
    terminationProtection: stack.terminationProtection,
    template: { Resources: resources },
  };
}

/**
 * The check context and resource reference of one construct, for a rule;
 * undefined for a resource that is not synthesized (it reaches no template).
 */
export function ruleInput(node: CfnResource, whole: boolean): { ctx: CheckContext; ref: ResourceRef } | undefined {
  const stack = stackTemplateOf(node, whole);
  const logicalId = Stack.of(node).resolve(node.logicalId) as string;
  const resource = stack.template.Resources?.[logicalId];
  if (!resource) return undefined;
  const ctx: CheckContext = {
    environment: Stage.of(node)?.stageName ?? stack.stackName,
    stacks: [stack],
    production: stack.terminationProtection === true,
  };
  return { ctx, ref: { stack, logicalId, resource } };
}

export interface VerdictOptions {
  /** Render the whole stack (the check follows references to other resources). @default false */
  readonly whole?: boolean;
  /** Narrows the rule within the type (e.g. HTTPS listeners only). */
  readonly appliesTo?: (ref: ResourceRef) => boolean;
}

/** Runs a check function on one construct of a given type and turns its evidence into a cdk-nag verdict. */
export function verdict(
  node: CfnResource,
  type: string,
  assess: (c: Collector, ref: ResourceRef) => unknown,
  options: VerdictOptions = {},
): NagRuleResult {
  if (node.cfnResourceType !== type) return NagRuleCompliance.NOT_APPLICABLE;
  const input = ruleInput(node, options.whole ?? false);
  if (!input) return NagRuleCompliance.NOT_APPLICABLE;
  const { ctx, ref } = input;
  if (options.appliesTo && !options.appliesTo(ref)) return NagRuleCompliance.NOT_APPLICABLE;
  const c = new Collector(ctx);
  assess(c, ref);
  return c.failed ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}

/** A rule of our pack: which check function it runs, on which resource type, and what cdk-nag reports. */
export interface SaasRuleProps extends VerdictOptions {
  readonly control: ControlId;
  /** The CloudFormation type the rule applies to. */
  readonly type: string;
  /** The check function of lib/compliance/checks the evidence report runs too. */
  readonly assess: (c: Collector, ref: ResourceRef) => unknown;
  readonly info: string;
  readonly explanation: string;
}

/**
 * Makes a rule from a check function. `name` becomes the rule ID (cdk-nag
 * reads it from the function name: `SaasControls-<name>`), so it is the
 * rule's file name too.
 */
export function saasRule(name: string, props: SaasRuleProps): SaasRule {
  const { control, type, assess, info, explanation } = props;
  const rule = (node: CfnResource) => verdict(node, type, assess, props);
  Object.defineProperty(rule, 'name', { value: name });
  return { rule, control, info, explanation };
}
