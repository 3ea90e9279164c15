import { z } from 'zod';
import { AWS_REGIONS } from '../config/regions';
import { ConfigSchema } from '../config/schema';

/**
 * The configuration reference and the published JSON Schema, both generated
 * from the zod schema in lib/config/schema.ts (its `.describe()` texts are
 * the one source of every field's meaning). `npm run docs:config` writes
 * them; a test fails when either file is stale or a field has no description.
 */

/** A JSON Schema node as zod 4 emits it (the parts the reference reads). */
interface JsonNode {
  readonly type?: string;
  readonly description?: string;
  readonly default?: unknown;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonNode[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: JsonNode;
  readonly properties?: Readonly<Record<string, JsonNode>>;
  readonly required?: readonly string[];
}

/** One field of the reference. */
export interface FieldRow {
  /** Dotted path from the environment (or the pipeline), `[]` for array items. */
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly allowed: string;
  readonly default: string;
  readonly meaning: string | undefined;
}

/** The JSON Schema of a configuration file as a user writes it (defaults optional). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://github.com/acme/saas-platform/config/schema.json',
    title: 'Hardened SaaS environment configuration',
    description:
      'Generated from lib/config/schema.ts by `npm run docs:config`; field meanings are in docs/configuration.md. Cross-field rules (unique names, non-overlapping CIDRs, AZs of the region, production-only settings) are checked by the CDK program, not by this schema.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

const isObjectNode = (n: JsonNode) => n.type === 'object' && n.properties !== undefined;
const code = (v: unknown) => `\`${typeof v === 'string' ? v : JSON.stringify(v)}\``;

function typeOf(n: JsonNode): string {
  if (n.anyOf) return [...new Set(n.anyOf.map(typeOf))].join(' or ');
  if (n.type === 'array') return `array of ${n.items ? typeOf(n.items) : 'any'}`;
  if (n.enum) return 'string';
  return n.type ?? 'any';
}

function range(min: number | undefined, max: number | undefined, unit = ''): string | undefined {
  const u = (n: number) => (unit && n === 1 ? unit.replace(/s$/, '') : unit);
  if (min !== undefined && max !== undefined) return `${min}-${max}${unit}`;
  if (min !== undefined) return `at least ${min}${u(min)}`;
  if (max !== undefined) return `at most ${max}${u(max)}`;
  return undefined;
}

function allowedOf(n: JsonNode): string {
  if (n.enum && n.enum.length === AWS_REGIONS.length && AWS_REGIONS.every((r) => n.enum?.includes(r))) {
    return `an AWS region: one of the ${AWS_REGIONS.length} in \`lib/config/regions.ts\``;
  }
  if (n.enum) return n.enum.map(code).join(', ');
  if (n.anyOf && n.anyOf.every((a) => a.const !== undefined)) return n.anyOf.map((a) => code(a.const)).join(', ');
  if (n.type === 'boolean') return '`true`, `false`';
  if (n.type === 'integer' || n.type === 'number') return range(n.minimum, n.maximum) ?? 'any number';
  if (n.type === 'string') {
    if (n.format === 'email') return 'an email address';
    return n.pattern ? `matches ${code(n.pattern)}` : 'any string';
  }
  if (n.type === 'array') {
    const count = range(n.minItems, n.maxItems, ' items');
    const each = n.items ? allowedOf(n.items) : 'any';
    return [count, `each ${each}`].filter(Boolean).join('; ');
  }
  return '-';
}

function rowFor(path: string, child: JsonNode, required: boolean): FieldRow {
  const itemObject = child.type === 'array' && child.items !== undefined && isObjectNode(child.items);
  return {
    path: itemObject ? `${path}[]` : path,
    type: isObjectNode(child) ? 'object' : itemObject ? 'array of object' : typeOf(child),
    required,
    allowed: isObjectNode(child)
      ? 'the fields below'
      : itemObject
        ? [range(child.minItems, child.maxItems, ' items'), 'each with the fields below'].filter(Boolean).join('; ')
        : allowedOf(child),
    default: child.default === undefined ? '-' : code(child.default),
    meaning: child.description,
  };
}

/** Walks the schema depth-first; objects get a row of their own (for their meaning) before their fields. */
function walk(node: JsonNode, prefix: string, rows: FieldRow[]): void {
  const required = new Set(node.required ?? []);
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push(rowFor(path, child, required.has(name)));
    if (isObjectNode(child)) walk(child, path, rows);
    if (child.type === 'array' && child.items && isObjectNode(child.items)) walk(child.items, `${path}[]`, rows);
  }
}

/** The reference rows: the top-level sections, one environment entry, and the pipeline section. */
export function referenceRows(): { top: FieldRow[]; environment: FieldRow[]; pipeline: FieldRow[] } {
  const schema = configJsonSchema() as JsonNode;
  const props = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const top = Object.entries(props).map(([name, child]) => rowFor(name, child, required.has(name)));
  const environment: FieldRow[] = [];
  const pipeline: FieldRow[] = [];
  if (props.environments?.items) walk(props.environments.items, '', environment);
  if (props.pipeline) walk(props.pipeline, 'pipeline', pipeline);
  return { top, environment, pipeline };
}

/** Fields whose schema has no `.describe()`: each must say what it means. */
export function undocumentedFields(): string[] {
  const { environment, pipeline, top } = referenceRows();
  return [...top, ...environment, ...pipeline].filter((r) => !r.meaning?.trim()).map((r) => r.path);
}

const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
function table(rows: readonly FieldRow[]): string[] {
  return [
    '| field | type | required | allowed | default | meaning |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${[code(r.path), r.type, r.required ? 'yes' : 'no', r.allowed, r.default, r.meaning ?? '(undocumented)'].map(cell).join(' | ')} |`,
    ),
  ];
}

/** docs/configuration.md (before formatting). */
export function renderConfigReference(): string {
  const { environment, pipeline, top } = referenceRows();
  return [
    '# Configuration reference',
    '',
    "<!-- Generated from lib/config/schema.ts by `npm run docs:config`; edit the schema's `.describe()` texts, not this file. -->",
    '',
    'A configuration file is YAML (or JSON) with one entry per environment under `environments` and an optional',
    '`pipeline` section. The demo is [`config/demo.yaml`](../config/demo.yaml), with placeholder accounts so synth works',
    'without AWS. Point the CDK program at your own file with `-c config=path` (`npm run synth -- -c config=my.yaml`) and',
    'the command-line tools with `--config path`.',
    '',
    'Editors validate a file as it is typed against [`config/schema.json`](../config/schema.json), generated from the same',
    'schema: start the file with `# yaml-language-server: $schema=./schema.json` (a path relative to the file) as the demo',
    'does, with the YAML extension of VS Code or any editor using yaml-language-server.',
    '',
    'Validation collects every problem and reports them together before anything is synthesized; a bad file writes no',
    'template. Beyond the types and ranges below it checks rules that span fields: unique environment and host names,',
    'different `region` and `drRegion`, AZs of the region, `natGateways` up to the number of AZs, VPC ranges that do',
    'not overlap within an account, at most one `audit.accountTrail` per account, `multiAz: false` outside production',
    'only, capacities and storage ceilings not below their minimums, instance architectures that match the base image,',
    'and with a pipeline every test environment listed before the first production one. For example:',
    '',
    '```',
    'Invalid configuration bad.yaml: 3 problems',
    '  - environments[0](dev).account: must be a 12-digit AWS account ID (quoted) (got "1234")',
    '  - environments[0](dev).drRegion: is "eu-west-1", the same as region; the DR region must be a different region',
    '  - environments[1](prod).vpcCidr: "10.1.128.0/17" overlaps environments[0] "10.1.0.0/16" in account 111111111111',
    '```',
    '',
    '## Top level',
    '',
    ...table(top),
    '',
    '## Each environment (`environments[]`)',
    '',
    'Each environment becomes one CDK stage of ten stacks: `LogArchive`, `Network`, `Ingress`, `Alerting`, `Data`,',
    '`Audit`, `Image`, `App`, `Monitoring` in `region` and `DisasterRecovery` in `drRegion`. To add one, copy an entry,',
    'give it a new `name`, its own `account` (IAM-3: production is separate from test), a `vpcCidr` that does not',
    'overlap the others in that account, its AZs and hostnames.',
    '',
    ...table(environment),
    '',
    '## Delivery pipeline (`pipeline`)',
    '',
    'With a pipeline the environments are deployed in the order they are listed, and the configuration file must be',
    'inside the repository (the pipeline synthesizes from a checkout with the same `-c config=` path). See',
    '[deploying.md](deploying.md#through-the-delivery-pipeline-sdlc-2).',
    '',
    ...table(pipeline),
    '',
  ].join('\n');
}
