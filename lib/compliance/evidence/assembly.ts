import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type NagReport, parseNagReport } from '../checks/nag-report';
import { isRecord } from '../checks/template';
import type { CfnTemplateJson, StackTemplate } from '../checks/types';

/** A cloud assembly that cannot be read as one (missing or malformed files). */
export class AssemblyError extends Error {}

/** One environment: a CDK stage, i.e. one nested assembly. */
export interface AssemblyEnvironment {
  /** Stage name (`dev`), also the prefix of its construct paths. */
  readonly name: string;
  /** The nested assembly's directory, relative to the cloud assembly. */
  readonly directory: string;
  readonly stacks: readonly StackTemplate[];
}

export interface LoadedAssembly {
  readonly directory: string;
  readonly environments: readonly AssemblyEnvironment[];
  /**
   * Stacks outside every stage when there are stages: the delivery pipeline
   * and its artifact stores, which serve all environments.
   */
  readonly delivery: readonly StackTemplate[];
  /** The cdk-nag validation report, when the synth produced one. */
  readonly nag?: NagReport;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new AssemblyError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

interface Artifact {
  readonly type?: string;
  readonly metadata?: Record<string, unknown>;
  readonly additionalMetadataFile?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: Record<string, unknown>;
}

function artifactsOf(manifestFile: string): [string, Artifact][] {
  const manifest = readJson(manifestFile);
  const artifacts = isRecord(manifest) ? manifest.artifacts : undefined;
  if (!isRecord(artifacts))
    throw new AssemblyError(`${manifestFile} has no artifacts: is it a cloud assembly manifest?`);
  return Object.entries(artifacts).filter((e): e is [string, Artifact] => isRecord(e[1]));
}

/** `aws://123456789012/eu-west-1` → its parts; `unknown-account`/`unknown-region` stay undefined. */
function parseEnvironment(env: string | undefined): { account?: string; region?: string } {
  const m = /^aws:\/\/([^/]+)\/(.+)$/.exec(env ?? '');
  if (!m) return {};
  return {
    account: m[1].startsWith('unknown-') ? undefined : m[1],
    region: m[2].startsWith('unknown-') ? undefined : m[2],
  };
}

/**
 * Logical ID → construct path, from the stack's metadata (inline, or the
 * separate file newer CDK versions write). Keys there start with "/".
 */
function constructPathsOf(dir: string, a: Artifact): Record<string, string> {
  let metadata: unknown = a.metadata;
  if (a.additionalMetadataFile) {
    const file = path.join(dir, a.additionalMetadataFile);
    metadata = existsSync(file) ? readJson(file) : undefined;
  }
  const paths: Record<string, string> = {};
  if (!isRecord(metadata)) return paths;
  for (const [constructPath, entries] of Object.entries(metadata)) {
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      if (isRecord(e) && e.type === 'aws:cdk:logicalId' && typeof e.data === 'string') {
        paths[e.data] = constructPath.replace(/^\//, '');
      }
    }
  }
  return paths;
}

function stacksIn(dir: string, relative: string): StackTemplate[] {
  const stacks: StackTemplate[] = [];
  for (const [id, a] of artifactsOf(path.join(dir, 'manifest.json'))) {
    if (a.type !== 'aws:cloudformation:stack') continue;
    const props = a.properties ?? {};
    const templateFile = typeof props.templateFile === 'string' ? props.templateFile : `${id}.template.json`;
    const file = path.join(dir, templateFile);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new AssemblyError(`stack ${id}: template ${file} is missing`);
    }
    let template: unknown;
    try {
      template = JSON.parse(text);
    } catch (e) {
      throw new AssemblyError(`stack ${id}: ${file} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    stacks.push({
      stackName: typeof props.stackName === 'string' ? props.stackName : id,
      displayName: a.displayName,
      ...parseEnvironment(a.environment),
      terminationProtection: typeof props.terminationProtection === 'boolean' ? props.terminationProtection : undefined,
      templateFile: path.join(relative, templateFile),
      sha256: createHash('sha256').update(text).digest('hex'),
      template: (isRecord(template) ? template : {}) as CfnTemplateJson,
      constructPaths: constructPathsOf(dir, a),
    });
  }
  return stacks;
}

/**
 * Reads a cloud assembly (`cdk.out`): one environment per nested assembly
 * (CDK stage), stacks with their manifest properties and hashed templates,
 * and `validation-report.json`. Stacks outside any stage are the delivery
 * stacks the stages share; in an assembly without stages they form an
 * environment named after the assembly's top level, `(app)`.
 */
export function loadCloudAssembly(directory: string): LoadedAssembly {
  const manifest = path.join(directory, 'manifest.json');
  if (!existsSync(manifest)) {
    throw new AssemblyError(`${manifest} not found: not a cloud assembly; run \`npm run synth\` first`);
  }
  const environments: AssemblyEnvironment[] = [];
  for (const [id, a] of artifactsOf(manifest)) {
    if (a.type !== 'cdk:cloud-assembly') continue;
    const dirName = typeof a.properties?.directoryName === 'string' ? a.properties.directoryName : id;
    const name = typeof a.properties?.displayName === 'string' ? a.properties.displayName : dirName;
    environments.push({ name, directory: dirName, stacks: stacksIn(path.join(directory, dirName), dirName) });
  }
  const topLevel = stacksIn(directory, '');
  const delivery = environments.length > 0 ? topLevel : [];
  if (environments.length === 0 && topLevel.length > 0)
    environments.push({ name: '(app)', directory: '', stacks: topLevel });
  const reportFile = path.join(directory, 'validation-report.json');
  let nag: NagReport | undefined;
  if (existsSync(reportFile)) {
    try {
      nag = parseNagReport(readJson(reportFile));
    } catch (e) {
      throw new AssemblyError(`${reportFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { directory, environments, delivery, nag };
}
