/**
 * The context the CDK CLI gives the app, so that a synth run without the CLI
 * writes the same templates as `cdk synth`.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Keys the CLI adds to every synth; without them templates lack path metadata and the CDKMetadata resource. */
export const CLI_CONTEXT = {
  'aws:cdk:enable-path-metadata': true,
  'aws:cdk:enable-asset-metadata': true,
  'aws:cdk:version-reporting': true,
  'aws:cdk:bundling-stacks': ['**'],
} as const;

/** cdk.context.json, then cdk.json's "context", then the CLI's keys, as the CLI merges them. */
export function cliContext(root: string): Record<string, unknown> {
  const read = (file: string): Record<string, unknown> =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  const cdkJson = read(path.join(root, 'cdk.json')) as { context?: Record<string, unknown> };
  return { ...read(path.join(root, 'cdk.context.json')), ...cdkJson.context, ...CLI_CONTEXT };
}
