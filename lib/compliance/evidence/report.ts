import { type NagReport, nagForEnvironment, ruleSuffix } from '../checks/nag-report';
import { productionSignals, runChecks } from '../checks';
import type { CheckContext, CheckResult, EnvironmentSummary, StackTemplate, Status } from '../checks/types';
import { STATUSES } from '../checks/types';
import { CONTROLS, type ControlId } from '../controls';
import type { LoadedAssembly } from './assembly';
import { renderDiagram } from './diagram';
import { FRAMEWORKS, type FrameworkRefs } from './frameworks';

export const REPORT_SCHEMA_VERSION = 1;

/** A control of the catalog with its computed result and the framework IDs it maps to. */
export interface ControlEvidence extends CheckResult {
  readonly family: string;
  readonly promise: string;
  readonly sources: readonly string[];
  readonly target: string;
  readonly frameworks: FrameworkRefs;
}

export interface NagPackSummary {
  readonly pack: string;
  readonly conclusion: string;
  readonly errors: number;
  readonly warnings: number;
  readonly acknowledged: number;
}

/** One acknowledged finding, merged across the packs that share the rule (NIST, HIPAA, PCI). */
export interface Acknowledgment {
  readonly rule: string;
  readonly packs: readonly string[];
  readonly constructs: readonly string[];
  readonly acknowledgedAt: string;
  readonly reason: string;
}

export interface EvidenceReport {
  readonly schemaVersion: number;
  readonly generatedAt: string;
  /** The cloud assembly the evidence was read from, as given on the command line. */
  readonly source: string;
  readonly environment: {
    readonly name: string;
    readonly production: boolean;
    readonly productionSignals: readonly string[];
    readonly accounts: readonly string[];
    readonly regions: readonly string[];
    readonly stacks: readonly Omit<StackTemplate, 'template' | 'constructPaths'>[];
  };
  readonly summary: {
    readonly counts: Readonly<Record<Status, number>>;
    readonly failing: readonly ControlId[];
    /** Undefined when the assembly has no validation report. */
    readonly nag?: readonly NagPackSummary[];
    readonly acknowledgments: readonly Acknowledgment[];
  };
  readonly controls: readonly ControlEvidence[];
  /** Mermaid flowchart source. */
  readonly diagram: string;
}

function nagSummary(report: NagReport): { packs: NagPackSummary[]; acknowledgments: Acknowledgment[] } {
  const packs = report.packs.map((p) => {
    const errors = p.violations.filter((v) => v.severity !== 'warning').length;
    return {
      pack: p.pack,
      conclusion: p.conclusion,
      errors,
      warnings: p.violations.length - errors,
      acknowledged: p.acknowledged.length,
    };
  });
  const merged = new Map<
    string,
    { rule: string; packs: Set<string>; constructs: Set<string>; acknowledgedAt: string; reason: string }
  >();
  for (const p of report.packs) {
    for (const f of p.acknowledged) {
      const rule = ruleSuffix(f);
      const at = f.acknowledgedAt ?? f.constructPaths[0] ?? '';
      const key = JSON.stringify([rule, at, f.reason]);
      const entry = merged.get(key) ?? {
        rule,
        packs: new Set(),
        constructs: new Set(),
        acknowledgedAt: at,
        reason: f.reason ?? '',
      };
      entry.packs.add(p.pack);
      for (const c of f.constructPaths) entry.constructs.add(c);
      merged.set(key, entry);
    }
  }
  const acknowledgments = [...merged.values()]
    .map((e) => ({ ...e, packs: [...e.packs].sort(), constructs: [...e.constructs].sort() }))
    .sort((a, b) => a.acknowledgedAt.localeCompare(b.acknowledgedAt) || a.rule.localeCompare(b.rule));
  return { packs, acknowledgments };
}

export interface BuildOptions {
  /** @default new Date() */
  readonly now?: Date;
  /** How the report names its source. @default assembly.directory */
  readonly source?: string;
}

/** One evidence report per environment of the cloud assembly, every status computed from its artifacts. */
export function buildEvidenceReports(assembly: LoadedAssembly, options: BuildOptions = {}): EvidenceReport[] {
  const names = assembly.environments.map((e) => e.name);
  const summaries: EnvironmentSummary[] = assembly.environments.map((e) => ({
    name: e.name,
    accounts: [...new Set(e.stacks.flatMap((s) => (s.account ? [s.account] : [])))],
    production: productionSignals(e.stacks).production,
    stackNames: e.stacks.map((s) => s.stackName),
  }));
  return assembly.environments.map((env) => {
    const signals = productionSignals(env.stacks);
    const nag = assembly.nag && nagForEnvironment(assembly.nag, env.name, names);
    const ctx: CheckContext = {
      environment: env.name,
      stacks: env.stacks,
      production: signals.production,
      nag,
      otherEnvironments: summaries.filter((s) => s.name !== env.name),
      delivery: assembly.delivery,
    };
    const results = runChecks(ctx);
    const controls: ControlEvidence[] = CONTROLS.map((c) => ({
      ...results.find((r) => r.control === c.id)!,
      family: c.id.split('-')[0],
      promise: c.promise,
      sources: c.sources,
      target: c.target,
      frameworks: FRAMEWORKS[c.id],
    }));
    const counts = Object.fromEntries(
      STATUSES.map((s) => [s, controls.filter((c) => c.status === s).length]),
    ) as Record<Status, number>;
    const nagParts = nag ? nagSummary(nag) : undefined;
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      generatedAt: (options.now ?? new Date()).toISOString(),
      source: options.source ?? assembly.directory,
      environment: {
        name: env.name,
        production: signals.production,
        productionSignals: signals.signals,
        accounts: [...new Set(env.stacks.map((s) => s.account ?? '?'))],
        regions: [...new Set(env.stacks.map((s) => s.region ?? '?'))],
        stacks: env.stacks.map(({ template: _template, constructPaths: _paths, ...rest }) => rest),
      },
      summary: {
        counts,
        failing: controls.filter((c) => c.status === 'FAIL').map((c) => c.control),
        nag: nagParts?.packs,
        acknowledgments: nagParts?.acknowledgments ?? [],
      },
      controls,
      diagram: renderDiagram(ctx),
    };
  });
}

/** Production environments with failing controls: these must stop the build. */
export function blockingFailures(
  reports: readonly EvidenceReport[],
): { environment: string; controls: readonly ControlId[] }[] {
  return reports
    .filter((r) => r.environment.production && r.summary.failing.length > 0)
    .map((r) => ({ environment: r.environment.name, controls: r.summary.failing }));
}
