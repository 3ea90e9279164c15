import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { isRecord } from '../checks/template';
import { AssemblyError } from './assembly';

/** A place in a file of the repository: path relative to the repository root, 1-based line and column. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Where each construct and template of a cloud assembly comes from in the repository. */
export interface SourceMap {
  /**
   * The source line that created the construct at this path, or the nearest
   * ancestor that has one (CDK-internal constructs such as a custom-resource
   * provider have no user frame of their own).
   */
  locate(constructPath: string): SourceLocation | undefined;
  /** 1-based line of a logical ID's resource in a template file (relative to the cloud assembly). */
  templateLine(templateFile: string, logicalId: string): number | undefined;
}

// `new AppFleet (/repo/lib/constructs/app-fleet.ts:77:27)` or `at fn (/repo/x.ts:1:2)`: file, line, column.
const FRAME = /\(([^()]+):(\d+):(\d+)\)\s*$/;

/** The innermost frame of a creation stack that is in the repository and not in node_modules. */
export function userFrame(frames: readonly string[], repositoryRoot: string): SourceLocation | undefined {
  for (const frame of frames) {
    const m = FRAME.exec(frame);
    if (!m) continue;
    const relative = path.relative(repositoryRoot, m[1]);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
    const parts = relative.split(path.sep);
    if (parts.includes('node_modules')) continue;
    return { file: parts.join('/'), line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (e) {
    throw new AssemblyError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Every stack artifact's metadata (inline or in its metadata file), in this assembly and its nested ones. */
function* stackMetadata(dir: string): Generator<Record<string, unknown>> {
  const manifest = readJson(path.join(dir, 'manifest.json'));
  const artifacts = isRecord(manifest) && isRecord(manifest.artifacts) ? manifest.artifacts : {};
  for (const [id, a] of Object.entries(artifacts)) {
    if (!isRecord(a)) continue;
    if (a.type === 'cdk:cloud-assembly') {
      const sub =
        isRecord(a.properties) && typeof a.properties.directoryName === 'string' ? a.properties.directoryName : id;
      yield* stackMetadata(path.join(dir, sub));
      continue;
    }
    if (a.type !== 'aws:cloudformation:stack') continue;
    let metadata: unknown = a.metadata;
    if (typeof a.additionalMetadataFile === 'string') {
      const file = path.join(dir, a.additionalMetadataFile);
      metadata = existsSync(file) ? readJson(file) : undefined;
    }
    if (isRecord(metadata)) yield metadata;
  }
}

/**
 * Reads the construct creation stacks CDK records in the stack metadata
 * (`aws:cdk:creationStack`, on unless the `aws:cdk:disable-creation-stack-traces`
 * context is set) and keeps, per construct, the innermost frame inside the
 * repository. Deterministic: the same checkout gives the same lines.
 */
export function loadSourceMap(assemblyDir: string, repositoryRoot: string): SourceMap {
  const created = new Map<string, SourceLocation>();
  for (const metadata of stackMetadata(assemblyDir)) {
    for (const [constructPath, entries] of Object.entries(metadata)) {
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        if (!isRecord(e) || e.type !== 'aws:cdk:creationStack' || !Array.isArray(e.data)) continue;
        const frames = e.data.filter((f): f is string => typeof f === 'string');
        const at = userFrame(frames, repositoryRoot);
        if (at) created.set(constructPath.replace(/^\//, ''), at);
      }
    }
  }
  const lines = new Map<string, Map<string, number>>();
  const templateLines = (templateFile: string): Map<string, number> => {
    let found = lines.get(templateFile);
    if (found) return found;
    found = new Map();
    const file = path.join(assemblyDir, templateFile);
    const text = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
    // Resource keys sit one level inside "Resources": `  "LogicalId": {` in CDK's indented JSON.
    let inResources = false;
    text.forEach((line, i) => {
      if (/^ "Resources": \{/.test(line)) inResources = true;
      else if (/^ "/.test(line)) inResources = false;
      const m = inResources ? /^ {2}"([^"]+)": \{/.exec(line) : null;
      if (m && !found!.has(m[1])) found!.set(m[1], i + 1);
    });
    lines.set(templateFile, found);
    return found;
  };
  return {
    locate(constructPath) {
      const parts = constructPath.replace(/^\//, '').split('/');
      for (let n = parts.length; n > 0; n--) {
        const at = created.get(parts.slice(0, n).join('/'));
        if (at) return at;
      }
      return undefined;
    },
    templateLine: (templateFile, logicalId) => templateLines(templateFile).get(logicalId),
  };
}
