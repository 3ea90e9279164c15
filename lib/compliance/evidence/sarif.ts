import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { StackTemplate } from '../checks/types';
import { reportSchema, Violation } from '../checks/nag-report';
import { CONTROLS } from '../controls';
import { AssemblyError, type LoadedAssembly } from './assembly';
import { FRAMEWORK_NAMES } from './frameworks';
import type { EvidenceReport } from './report';
import { type SourceLocation, type SourceMap, userFrame } from './sources';

/** SARIF 2.1.0, the parts this writer fills in (https://docs.oasis-open.org/sarif/sarif/v2.1.0/). */
export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly SarifRun[];
}
export interface SarifRun {
  readonly tool: { readonly driver: SarifDriver };
  readonly automationDetails: { readonly id: string };
  readonly originalUriBaseIds: Record<
    string,
    { readonly uri?: string; readonly description: { readonly text: string } }
  >;
  readonly columnKind: 'utf16CodeUnits';
  readonly results: readonly SarifResult[];
}
export interface SarifDriver {
  readonly name: string;
  readonly semanticVersion: string;
  readonly rules: readonly SarifRule[];
}
export interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly fullDescription: { readonly text: string };
  readonly help: { readonly text: string };
  readonly defaultConfiguration: { readonly level: Level };
  readonly properties: { readonly tags: readonly string[]; readonly [k: string]: unknown };
}
type Level = 'error' | 'warning' | 'note';
interface PhysicalLocation {
  readonly artifactLocation: { readonly uri: string; readonly uriBaseId?: string };
  readonly region?: { readonly startLine: number; readonly startColumn?: number };
}
export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: Level;
  readonly message: { readonly text: string };
  readonly locations: readonly [
    { readonly physicalLocation: PhysicalLocation; readonly logicalLocations?: readonly object[] },
  ];
  readonly relatedLocations: readonly {
    readonly id: number;
    readonly physicalLocation: PhysicalLocation;
    readonly message: { readonly text: string };
  }[];
  readonly partialFingerprints: Readonly<Record<string, string>>;
  readonly suppressions?: readonly { readonly kind: 'inSource'; readonly justification: string }[];
  readonly properties: Readonly<Record<string, unknown>>;
}

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** The partialFingerprints key; bump the version when what it hashes changes. */
export const FINGERPRINT_KEY = 'hardenedSaasFinding/v1';
const SRCROOT = '%SRCROOT%';

/** A stable fingerprint from what identifies a finding (never a line number): rule, stack, logical ID, property. */
export function fingerprint(rule: string, stack: string, logicalId: string, property: string): string {
  return createHash('sha256')
    .update(JSON.stringify([rule, stack, logicalId, property]))
    .digest('hex')
    .slice(0, 32);
}

// The fields of validation-report.json the SARIF needs beyond what the evidence reads (descriptions, where acknowledged).
const NagViolation = Violation.extend({
  description: z.string().optional(),
  acknowledgedStackTrace: z.string().optional(),
});
const NagReportFile = reportSchema(NagViolation);
type NagViolation = z.infer<typeof NagViolation>;

function readNagReport(assemblyDir: string): z.infer<typeof NagReportFile> | undefined {
  const file = path.join(assemblyDir, 'validation-report.json');
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AssemblyError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const parsed = NagReportFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AssemblyError(
      `${file}: not a CDK validation report: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** `AwsSolutions-IAM5[Resource::*]` → `AwsSolutions-IAM5`: the rule; the bracket names one finding of it. */
export const nagRuleId = (ruleName: string) => ruleName.replace(/\[.*$/, '');

export interface SarifOptions {
  /** The checkout the templates were synthesized from; source and template URIs are relative to it. */
  readonly repositoryRoot: string;
  /** The cloud assembly directory the reports were read from. */
  readonly assemblyDir: string;
  readonly sources: SourceMap;
  /** @default the version in package.json */
  readonly toolVersion?: string;
}

/** The first sentence of a text, for a rule's short description. */
const firstSentence = (text: string) => /^(.+?[.!?])(\s|$)/.exec(text)?.[1] ?? text;

function controlRule(
  c: (typeof CONTROLS)[number],
  frameworks: EvidenceReport['controls'][number]['frameworks'],
): SarifRule {
  const refs = (Object.keys(FRAMEWORK_NAMES) as (keyof typeof FRAMEWORK_NAMES)[])
    .filter((k) => frameworks[k].length > 0)
    .map((k) => `${FRAMEWORK_NAMES[k]}: ${frameworks[k].join(', ')}`);
  return {
    id: c.id,
    name: c.id.replace(/-/g, ''),
    shortDescription: { text: firstSentence(c.promise) },
    fullDescription: { text: c.promise },
    help: {
      text: [`${c.id}: ${c.promise}`, c.target ? `Target: ${c.target}.` : '', ...refs, 'Catalog: CONTROLS.md.']
        .filter(Boolean)
        .join('\n'),
    },
    defaultConfiguration: { level: 'error' },
    properties: { tags: ['security', 'compliance', c.id.split('-')[0]], precision: 'high' },
  };
}

function nagRule(id: string, pack: string, description: string | undefined, level: Level): SarifRule {
  const text = description ?? `cdk-nag rule ${id} of the ${pack} pack`;
  return {
    id,
    name: id.replace(/[^A-Za-z0-9]/g, ''),
    shortDescription: { text: firstSentence(text) },
    fullDescription: { text },
    help: { text: `${text}\ncdk-nag pack ${pack}: https://github.com/cdklabs/cdk-nag/blob/main/RULES.md` },
    defaultConfiguration: { level },
    properties: { tags: ['security', 'cdk-nag', pack], precision: 'high' },
  };
}

/**
 * The findings of a synthesized cloud assembly as one SARIF 2.1.0 run: a
 * result per failing evidence row of a FAIL control (per environment), per
 * open cdk-nag finding, and per acknowledged cdk-nag finding (suppressed, with
 * its reason). Each is located at the source line that created the resource
 * (from CDK's construct creation stacks), with its template as a related
 * location, and fingerprinted by rule, stack, logical ID and property so that
 * a code host tracks it across runs. Deterministic: no clock, no absolute
 * paths inside the repository.
 */
export function buildSarif(
  assembly: LoadedAssembly,
  reports: readonly EvidenceReport[],
  options: SarifOptions,
): SarifLog {
  const root = path.resolve(options.repositoryRoot);
  const stacks = new Map<string, StackTemplate>();
  for (const s of [...assembly.environments.flatMap((e) => e.stacks), ...assembly.delivery]) stacks.set(s.stackName, s);
  const byConstructPath = new Map<string, { stack: StackTemplate; logicalId: string }>();
  for (const s of stacks.values())
    for (const [logicalId, p] of Object.entries(s.constructPaths ?? {}))
      byConstructPath.set(p, { stack: s, logicalId });
  const stackOfPath = (p: string): StackTemplate | undefined =>
    [...stacks.values()]
      .filter((s) => s.displayName && (p === s.displayName || p.startsWith(`${s.displayName}/`)))
      .sort((a, b) => b.displayName!.length - a.displayName!.length)[0];

  const uriOf = (absolute: string): { uri: string; uriBaseId?: string } => {
    const relative = path.relative(root, absolute);
    return relative.startsWith('..') || path.isAbsolute(relative)
      ? { uri: pathToFileURL(absolute).href }
      : { uri: relative.split(path.sep).join('/'), uriBaseId: SRCROOT };
  };
  const templateLocation = (stack: StackTemplate, logicalId?: string): PhysicalLocation | undefined => {
    if (!stack.templateFile) return undefined;
    const line = logicalId ? options.sources.templateLine(stack.templateFile, logicalId) : undefined;
    return {
      artifactLocation: uriOf(path.resolve(options.assemblyDir, stack.templateFile)),
      ...(line ? { region: { startLine: line } } : {}),
    };
  };
  const sourceLocation = (at: SourceLocation): PhysicalLocation => ({
    artifactLocation: { uri: at.file, uriBaseId: SRCROOT },
    region: { startLine: at.line, startColumn: at.column },
  });

  const rules: SarifRule[] = CONTROLS.map((c) =>
    controlRule(c, reports[0]?.controls.find((x) => x.control === c.id)?.frameworks ?? emptyRefs),
  );
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results: SarifResult[] = [];
  const seen = new Map<string, SarifResult>();

  /** Adds a result; one found again (a shared delivery stack in every environment's report) only gains the environment. */
  const add = (
    rule: string,
    level: Level,
    message: string,
    where: { stack?: StackTemplate; logicalId?: string; constructPath?: string; file?: string },
    key: readonly [string, string, string, string],
    properties: Record<string, unknown>,
    extra: Partial<Pick<SarifResult, 'suppressions'>> & { acknowledged?: SourceLocation } = {},
  ) => {
    const fp = fingerprint(...key);
    const previous = seen.get(fp);
    if (previous) {
      const envs = previous.properties.environments as string[];
      for (const e of (properties.environments as string[] | undefined) ?? []) if (!envs.includes(e)) envs.push(e);
      return;
    }
    const constructPath =
      where.constructPath ??
      (where.stack && where.logicalId ? where.stack.constructPaths?.[where.logicalId] : undefined);
    const template = where.stack ? templateLocation(where.stack, where.logicalId) : undefined;
    const source =
      (constructPath && options.sources.locate(constructPath)) ||
      (where.stack?.displayName ? options.sources.locate(where.stack.displayName) : undefined);
    const primary =
      (source ? sourceLocation(source) : template) ??
      (where.file ? { artifactLocation: uriOf(where.file) } : undefined);
    if (!primary) throw new Error(`no location for ${rule} ${key.join(' ')}: neither a source line nor a template`);
    const related: SarifResult['relatedLocations'][number][] = [];
    if (template && source)
      related.push({ id: 1, physicalLocation: template, message: { text: `template of ${where.stack!.stackName}` } });
    if (extra.acknowledged)
      related.push({
        id: related.length + 1,
        physicalLocation: sourceLocation(extra.acknowledged),
        message: { text: 'acknowledged here' },
      });
    const result: SarifResult = {
      ruleId: rule,
      ruleIndex: ruleIndex.get(rule)!,
      level,
      message: { text: message },
      locations: [
        {
          physicalLocation: primary,
          ...(constructPath ? { logicalLocations: [{ fullyQualifiedName: constructPath, kind: 'resource' }] } : {}),
        },
      ],
      relatedLocations: related,
      partialFingerprints: { [FINGERPRINT_KEY]: fp },
      ...(extra.suppressions ? { suppressions: extra.suppressions } : {}),
      properties: {
        ...(where.stack ? { stack: where.stack.stackName } : {}),
        ...(where.logicalId ? { logicalId: where.logicalId } : {}),
        ...(constructPath ? { constructPath } : {}),
        ...properties,
      },
    };
    seen.set(fp, result);
    results.push(result);
  };

  for (const r of reports) {
    const env = r.environment.name;
    const firstStack = r.environment.stacks[0] ? stacks.get(r.environment.stacks[0].stackName) : undefined;
    // A row names a stack, or an artifact of the assembly in parentheses, e.g. `(validation-report.json)` for SDLC-1.
    const rowLocation = (stack: string, logicalId: string) => {
      const found = stacks.get(stack);
      if (found) return { stack: found, logicalId };
      const file = /^\((.+)\)$/.exec(stack)?.[1];
      const inAssembly = file ? path.resolve(options.assemblyDir, file) : undefined;
      return inAssembly && existsSync(inAssembly) ? { file: inAssembly } : { stack: firstStack };
    };
    for (const c of r.controls.filter((x) => x.status === 'FAIL')) {
      const failing = c.evidence.filter((row) => !row.ok);
      for (const row of failing) {
        add(
          c.control,
          'error',
          `${c.control} FAIL in ${env}: ${row.stack}/${row.logicalId} (${row.type}) ${row.path} is ${row.value}; required: ${row.expected}`,
          rowLocation(row.stack, row.logicalId),
          [c.control, row.stack, row.logicalId, row.path],
          { environments: [env], status: 'FAIL', value: row.value, expected: row.expected, path: row.path },
        );
      }
      if (failing.length === 0) {
        // A control that fails without a failing row (something required is missing): one result for the environment.
        add(
          c.control,
          'error',
          `${c.control} FAIL in ${env}: ${c.problems.join('; ') || c.summary}`,
          { stack: firstStack },
          [c.control, env, '', ''],
          { environments: [env], status: 'FAIL' },
        );
      }
    }
  }

  const nag = readNagReport(options.assemblyDir);
  const nagRules = new Map<string, SarifRule>();
  const nagResults: Parameters<typeof add>[] = [];
  const levelOf = (v: NagViolation): Level =>
    v.severity === 'warning' ? 'warning' : v.severity === 'info' ? 'note' : 'error';
  for (const pack of nag?.pluginReports ?? []) {
    const each = (v: NagViolation, acknowledged: boolean) => {
      const id = nagRuleId(v.ruleName);
      if (!nagRules.has(id)) nagRules.set(id, nagRule(id, pack.pluginName, v.description, levelOf(v)));
      const paths =
        v.violatingConstructs.length > 0 ? v.violatingConstructs.map((c) => c.constructPath) : [v.acknowledgedAt ?? ''];
      for (const constructPath of paths) {
        const resource = byConstructPath.get(constructPath);
        const stack = resource?.stack ?? stackOfPath(constructPath);
        // The acknowledgment's own line: the first frame in the repository outside the acknowledge() helper.
        const ackAt = v.acknowledgedStackTrace
          ? userFrame(
              v.acknowledgedStackTrace.split('\n').filter((f) => !f.includes('/lib/compliance/acknowledge.ts')),
              root,
            )
          : undefined;
        nagResults.push([
          id,
          levelOf(v),
          acknowledged
            ? `${v.ruleName} on ${constructPath}, acknowledged: ${v.reason ?? '(no reason given)'}`
            : `${v.ruleName} on ${constructPath}: ${v.description ?? 'cdk-nag finding'}`,
          { stack, logicalId: resource?.logicalId, constructPath },
          [v.ruleName, stack?.stackName ?? '', resource?.logicalId ?? constructPath, ''],
          {
            pack: pack.pluginName,
            finding: v.ruleName,
            ...(acknowledged ? { acknowledgedAt: v.acknowledgedAt } : {}),
          },
          acknowledged
            ? { suppressions: [{ kind: 'inSource', justification: v.reason ?? '' }], acknowledged: ackAt }
            : {},
        ]);
      }
    };
    for (const v of pack.violations) each(v, false);
    for (const v of pack.suppressedViolations) each(v, true);
  }
  for (const rule of [...nagRules.values()].sort((a, b) => a.id.localeCompare(b.id))) {
    ruleIndex.set(rule.id, rules.length);
    rules.push(rule);
  }
  for (const args of nagResults) add(...args);

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'hardened-saas-cdk evidence',
            semanticVersion: options.toolVersion ?? packageVersion(),
            rules,
          },
        },
        automationDetails: { id: 'hardened-saas-cdk/evidence/' },
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: 'The root of the repository checkout that was synthesized' } },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

const emptyRefs = { nist80053r5: [], pciDss321: [], pciDss40: [], soc2: [] };

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
