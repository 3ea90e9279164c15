import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addEnvironments } from '../../lib/app';
import { loadConfig } from '../../lib/config/load';
import type { AppConfig } from '../../lib/config/schema';
import type { EnvironmentStage } from '../../lib/stage';
import { sharedAssembly } from './shared-assembly';

export const ROOT = path.join(__dirname, '..', '..');

/** The feature flags from cdk.json, so tests build exactly what `cdk synth` builds. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'),
).context;

const tempDirs: string[] = [];
/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(prefix = 'hardened-saas-test-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface TestAppOptions {
  /** aws-cdk-lib's built-in CloudFormation schema check (about 4 s and 300 MiB per process, docs/performance.md). @default false */
  readonly validation?: boolean;
}

/** A new App with the project's feature flags, writing to a fresh temporary folder. */
export function newTestApp(options: TestAppOptions = {}): App {
  return new App({
    outdir: tempDir('cdk-test-'),
    context: CDK_CONTEXT,
    builtinCloudFormationValidation: options.validation ?? false,
    stackTraces: false,
  });
}

export interface Synthesized {
  readonly app: App;
  readonly stages: EnvironmentStage[];
  readonly outdir: string;
  /** The template of a stack, read from the synthesized assembly (never synthesized twice). */
  template(stack: Stack): Template;
  /** Every stack of every stage with its template. */
  all(): { stage: EnvironmentStage; stack: Stack; template: Template }[];
  /** The stacks outside the stages (the delivery pipeline and its artifact stores). */
  delivery(): { stack: Stack; template: Template }[];
}

/**
 * Synthesizes a configuration (default: the demo config) once, with the nag
 * packs. Within one jest run, test files that synthesize the same
 * configuration with the same options share one assembly (see
 * shared-assembly.ts): the app is still constructed in every file, so
 * `stages` and the stacks are real objects, but only the first file pays for
 * the synthesis, and the others read the same templates from disk.
 */
export function synthConfig(
  config: AppConfig = loadConfig(),
  options: TestAppOptions & { nag?: boolean } = {},
): Synthesized {
  const app = newTestApp(options);
  const nag = options.nag ?? true;
  const stages = addEnvironments(app, config, { nag });
  const assembly = sharedAssembly({ config, nag, validation: options.validation ?? false }, () => app.synth());
  const cache = new Map<Stack, Template>();
  const template = (stack: Stack) => {
    let t = cache.get(stack);
    if (!t) {
      const stage = Stage.of(stack)!;
      const owner = stage === app ? assembly : assembly.getNestedAssembly(stage.artifactId);
      t = Template.fromJSON(owner.getStackArtifact(stack.artifactId).template);
      cache.set(stack, t);
    }
    return t;
  };
  const stacksOf = (stage: EnvironmentStage): Stack[] => stage.node.children.filter(Stack.isStack);
  return {
    app,
    stages,
    outdir: assembly.directory,
    template,
    all: () => stages.flatMap((stage) => stacksOf(stage).map((stack) => ({ stage, stack, template: template(stack) }))),
    delivery: () => app.node.children.filter(Stack.isStack).map((stack) => ({ stack, template: template(stack) })),
  };
}

/** Resources of one type in a template, as [logicalId, resource] pairs. */
export function resourcesOf(
  template: Template,
  type: string,
): [string, { Properties?: Record<string, unknown>; [k: string]: unknown }][] {
  return Object.entries(template.findResources(type));
}

/** A resource's properties, loosely typed: tests read CloudFormation JSON. */
export type Props = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The properties of every resource of a type. */
export function props(template: Template, type: string): Props[] {
  return resourcesOf(template, type).map(([, r]) => r.Properties as Props);
}

/** The properties of the one resource of a type; fails if there is not exactly one. */
export function only(template: Template, type: string): Props {
  const all = props(template, type);
  expect(all).toHaveLength(1);
  return all[0];
}

/** The templates of a synthesized configuration, by stage and stack ID, without the construct tree. */
export interface SynthesizedTemplates {
  /** The template of stack `id` (as lib/stage.ts names it, e.g. 'Alerting') of the stage of environment `stage`. */
  template(stage: string, id: string): Template;
  /** The region stack `id` of environment `stage` deploys to. */
  region(stage: string, id: string): string;
}

/**
 * The templates `synthConfig` would give, read straight from the run's shared
 * assembly: when another file of the run synthesized the same configuration,
 * this costs no construction of the app at all (about ten seconds a file);
 * otherwise it synthesizes once and shares, as `synthConfig` does. For stack
 * tests that only read templates.
 */
export function synthTemplates(
  config: AppConfig = loadConfig(),
  options: TestAppOptions & { nag?: boolean } = {},
): SynthesizedTemplates {
  const nag = options.nag ?? true;
  const validation = options.validation ?? false;
  const assembly = sharedAssembly({ config, nag, validation }, () => {
    const app = newTestApp(options);
    addEnvironments(app, config, { nag });
    return app.synth();
  });
  const artifact = (stage: string, id: string) => {
    const nested = assembly.nestedAssemblies.find((n) =>
      n.nestedAssembly.stacks.some((s) => s.hierarchicalId === `${stage}/${id}`),
    );
    const found = nested?.nestedAssembly.stacks.find((s) => s.hierarchicalId === `${stage}/${id}`);
    if (!found) throw new Error(`synthTemplates: no stack ${stage}/${id} in the assembly`);
    return found;
  };
  const cache = new Map<string, Template>();
  return {
    template: (stage, id) => {
      const k = `${stage}/${id}`;
      if (!cache.has(k)) cache.set(k, Template.fromJSON(artifact(stage, id).template));
      return cache.get(k)!;
    },
    region: (stage, id) => artifact(stage, id).environment.region,
  };
}
