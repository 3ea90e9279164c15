import { z } from 'zod';

/** One cdk-nag finding (a rule on one or more constructs), open or acknowledged. */
export interface NagFinding {
  readonly pack: string;
  /** As the report names it, e.g. `AwsSolutions-EC23`, `NIST.800.53.R5-S3BucketReplicationEnabled`. */
  readonly rule: string;
  /** Severity of the rule (`error`, `warning`); the report leaves it out for some plugins. */
  readonly severity: string;
  readonly constructPaths: readonly string[];
  /** For acknowledged findings: the written reason, and where the acknowledgment was made. */
  readonly reason?: string;
  readonly acknowledgedAt?: string;
}

export interface NagPackResult {
  readonly pack: string;
  readonly conclusion: string;
  readonly violations: readonly NagFinding[];
  readonly acknowledged: readonly NagFinding[];
}

export interface NagReport {
  readonly packs: readonly NagPackResult[];
}

// Only the fields we read; aws-cdk-lib adds others (stack traces, descriptions) that may change.
/** One violation of validation-report.json, the fields the evidence reads (the SARIF extends it). */
export const Violation = z.looseObject({
  ruleName: z.string(),
  severity: z.string().optional(),
  violatingConstructs: z.array(z.looseObject({ constructPath: z.string() })).default([]),
  reason: z.string().optional(),
  acknowledgedAt: z.string().optional(),
});
/** validation-report.json with violations read by `violation` (the evidence's fields, or the SARIF's). */
export const reportSchema = <V extends z.ZodType>(violation: V) =>
  z.looseObject({
    pluginReports: z.array(
      z.looseObject({
        pluginName: z.string(),
        conclusion: z.string(),
        violations: z.array(violation).default([]),
        suppressedViolations: z.array(violation).default([]),
      }),
    ),
  });
const ReportSchema = reportSchema(Violation);

/** Reads `validation-report.json`; throws with the offending field when it is not one. */
export function parseNagReport(json: unknown): NagReport {
  const parsed = ReportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`not a CDK validation report: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const finding = (pack: string, v: z.infer<typeof Violation>): NagFinding => ({
    pack,
    rule: v.ruleName,
    severity: v.severity ?? 'error',
    constructPaths: v.violatingConstructs.map((c) => c.constructPath),
    reason: v.reason,
    acknowledgedAt: v.acknowledgedAt,
  });
  return {
    packs: parsed.data.pluginReports.map((p) => ({
      pack: p.pluginName,
      conclusion: p.conclusion,
      violations: p.violations.map((v) => finding(p.pluginName, v)),
      acknowledged: p.suppressedViolations.map((v) => finding(p.pluginName, v)),
    })),
  };
}

const under = (env: string) => (f: NagFinding) =>
  f.constructPaths.some((p) => p === env || p.startsWith(`${env}/`)) ||
  (f.constructPaths.length === 0 && (f.acknowledgedAt ?? '').startsWith(`${env}/`));

/**
 * The findings about one environment's constructs (paths under `<env>/`).
 * Findings on constructs outside every stage are kept for every environment:
 * nobody else would report them.
 */
export function nagForEnvironment(report: NagReport, env: string, allEnvs: readonly string[] = [env]): NagReport {
  const outside = (f: NagFinding) => !allEnvs.some((e) => under(e)(f));
  const keep = (f: NagFinding) => under(env)(f) || outside(f);
  return {
    packs: report.packs.map((p) => ({
      ...p,
      violations: p.violations.filter(keep),
      acknowledged: p.acknowledged.filter(keep),
    })),
  };
}

/** The rule name without its pack prefix: `NIST.800.53.R5-S3DefaultEncryptionKMS` → `S3DefaultEncryptionKMS`. */
export function ruleSuffix(f: NagFinding): string {
  return f.rule.startsWith(`${f.pack}-`) ? f.rule.slice(f.pack.length + 1) : f.rule;
}

/** Acknowledged findings of a rule (any pack, matched by suffix) on one construct path. */
export function acknowledgmentsFor(
  report: NagReport | undefined,
  path: string | undefined,
  suffix: string,
): NagFinding[] {
  if (!report || !path) return [];
  return report.packs.flatMap((p) =>
    p.acknowledged.filter(
      (f) => (ruleSuffix(f) === suffix || ruleSuffix(f).startsWith(`${suffix}[`)) && f.constructPaths.includes(path),
    ),
  );
}
