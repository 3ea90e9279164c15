/**
 * How close each synthesized stack is to CloudFormation's hard limits, read
 * from a cloud assembly (the cdk.out layout: manifest.json naming one nested
 * `assembly-<env>` per stage, each naming its stacks' templates).
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** CloudFormation quotas that cannot be raised. */
export const CFN_LIMITS = {
  resources: 500,
  outputs: 200,
  parameters: 200,
  /** Template body uploaded through S3, which `cdk deploy` does for every template over 50 KiB. */
  templateBytes: 1024 * 1024,
} as const;

export interface StackUsage {
  /** As `cdk synth` names it, e.g. `dev/Network`. */
  readonly stack: string;
  readonly templateFile: string;
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly templateBytes: number;
  /** Share of each limit used, in percent. */
  readonly percent: { readonly resources: number; readonly outputs: number; readonly templateBytes: number };
}

interface Manifest {
  artifacts?: Record<
    string,
    { type: string; displayName?: string; properties?: { directoryName?: string; templateFile?: string } }
  >;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const pct = (value: number, limit: number) => (100 * value) / limit;

function stacksOf(dir: string, out: StackUsage[]): void {
  const manifest = readJson<Manifest>(path.join(dir, 'manifest.json'));
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const props = artifact.properties ?? {};
    if (artifact.type === 'cdk:cloud-assembly' && props.directoryName) {
      stacksOf(path.join(dir, props.directoryName), out);
    } else if (artifact.type === 'aws:cloudformation:stack' && props.templateFile) {
      const templateFile = path.join(dir, props.templateFile);
      const template = readJson<Record<string, Record<string, unknown> | undefined>>(templateFile);
      const count = (section: string) => Object.keys(template[section] ?? {}).length;
      const usage = {
        resources: count('Resources'),
        outputs: count('Outputs'),
        parameters: count('Parameters'),
        templateBytes: statSync(templateFile).size,
      };
      out.push({
        stack: artifact.displayName ?? id,
        templateFile,
        ...usage,
        percent: {
          resources: pct(usage.resources, CFN_LIMITS.resources),
          outputs: pct(usage.outputs, CFN_LIMITS.outputs),
          templateBytes: pct(usage.templateBytes, CFN_LIMITS.templateBytes),
        },
      });
    }
  }
}

/** Every stack of the assembly in `outdir`, nested stage assemblies included, in manifest order. */
export function stackUsage(outdir: string): StackUsage[] {
  const out: StackUsage[] = [];
  stacksOf(outdir, out);
  return out;
}
