import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/** Where the Image Builder component documents live (STYLE: documents are files). */
export const COMPONENTS_DIR = path.join(__dirname, '..', '..', 'images', 'components');

/** Phases AWSTOE runs: build and validate at build time, test on an instance of the new image. */
const PHASES = ['build', 'validate', 'test'] as const;
/** The step actions our documents may use. */
const ACTIONS = ['ExecuteBash', 'Reboot', 'UpdateOS', 'S3Download', 'WebDownload', 'CreateFile'] as const;

const StepSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,127}$/, 'step names are alphanumeric, starting with a letter'),
  action: z.enum(ACTIONS, { error: `must be one of ${ACTIONS.join(', ')}` }),
  timeoutSeconds: z.int().positive().optional(),
  onFailure: z.enum(['Abort', 'Continue', 'Ignore']).optional(),
  inputs: z.record(z.string(), z.unknown()),
});

/** The schema of an AWSTOE component document, as far as this project uses it. */
export const ComponentDocumentSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'component names are lower-case kebab-case'),
  description: z.string().min(10, 'say what the component does'),
  schemaVersion: z.literal(1.0, { error: 'must be 1.0' }),
  parameters: z
    .array(
      z.record(
        z.string(),
        z.object({ type: z.literal('string'), default: z.string().optional(), description: z.string() }),
      ),
    )
    .optional(),
  phases: z
    .array(
      z.strictObject({
        name: z.enum(PHASES, { error: `must be one of ${PHASES.join(', ')}` }),
        steps: z.array(StepSchema).min(1),
      }),
    )
    .min(1)
    .refine((phases) => new Set(phases.map((p) => p.name)).size === phases.length, 'each phase appears once'),
});

export type ComponentDocument = z.output<typeof ComponentDocumentSchema>;

/** A parsed, checked component document and what Image Builder needs to create it. */
export interface ImageComponent {
  readonly file: string;
  readonly document: ComponentDocument;
  /** The document text, as Image Builder stores it. */
  readonly data: string;
  /** `test` components run on an instance of the new image; the others during the build. */
  readonly kind: 'build' | 'test';
  /**
   * Semantic version derived from the content: Image Builder components are
   * immutable, so any change to a document must produce a new version.
   */
  readonly version: string;
}

/** A version `1.<a>.<b>` from the first 8 hex digits of a SHA-256 (deterministic, fits semver integers). */
export function contentVersion(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\0')).digest('hex');
  return `1.${parseInt(digest.slice(0, 4), 16)}.${parseInt(digest.slice(4, 8), 16)}`;
}

/**
 * Reads and checks every `*.yml` document in a folder (default: `images/components`).
 * A document that is not valid YAML or breaks the schema fails with the file and field named.
 */
export function loadComponents(dir: string = COMPONENTS_DIR): ImageComponent[] {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) throw new Error(`No Image Builder components (*.yml) in ${dir}`);
  return files.map((file) => {
    const data = readFileSync(path.join(dir, file), 'utf8');
    let raw: unknown;
    try {
      raw = parse(data);
    } catch (e) {
      throw new Error(`${file}: not valid YAML: ${(e as Error).message}`, { cause: e });
    }
    const parsed = ComponentDocumentSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(document)'}: ${i.message}`);
      throw new Error(`${file}: not a valid component document:\n${problems.join('\n')}`);
    }
    const phases = parsed.data.phases.map((p) => p.name);
    const isTest = phases.includes('test');
    if (isTest && phases.some((p) => p !== 'test')) {
      throw new Error(`${file}: a test component has only a "test" phase (got ${phases.join(', ')})`);
    }
    return { file, document: parsed.data, data, kind: isTest ? 'test' : 'build', version: contentVersion(data) };
  });
}
