import { EXIT, type ExitCode } from './errors';
import type { CheckResult, CheckStatus } from './verify';

/** Who and what a verify report is about. */
export interface ReportSubject {
  readonly environment: string;
  readonly account: string;
  readonly region: string;
  readonly checkedAt: Date;
}

export interface VerifyReport extends ReportSubject {
  readonly control: 'OPS-1';
  readonly exitCode: ExitCode;
  readonly summary: Readonly<Record<CheckStatus, number>> & { readonly checks: number };
  readonly results: readonly CheckResult[];
}

/**
 * 1 when any promise is broken, else 2 when any check could not be made, else
 * 0. A definite violation outranks an incomplete run: it is what the reader
 * must act on first.
 */
export function exitCodeOf(results: readonly CheckResult[]): ExitCode {
  if (results.some((r) => r.status === 'FAIL')) return EXIT.failed;
  if (results.some((r) => r.status === 'ERROR')) return EXIT.cannotRun;
  return EXIT.ok;
}

export function buildReport(subject: ReportSubject, results: readonly CheckResult[]): VerifyReport {
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return {
    control: 'OPS-1',
    ...subject,
    exitCode: exitCodeOf(results),
    summary: { checks: results.length, PASS: count('PASS'), FAIL: count('FAIL'), ERROR: count('ERROR') },
    results,
  };
}

const OUTCOME: Record<ExitCode, string> = {
  [EXIT.ok]: 'every promise kept',
  [EXIT.failed]: 'violations found',
  [EXIT.cannotRun]: 'some checks could not be made',
};

/** The report as a plain-text table: check, resource, status, detail. */
export function renderTable(report: VerifyReport): string {
  const header = ['CHECK', 'RESOURCE', 'STATUS', 'DETAIL'] as const;
  const rows = report.results.map((r) => [r.check, r.resource, r.status, r.detail]);
  const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c))
      .join('  ')
      .trimEnd();
  const s = report.summary;
  return [
    `OPS-1 verify: environment ${report.environment}, account ${report.account}, ${report.region}, ${report.checkedAt.toISOString()}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `${s.checks} checks: ${s.PASS} PASS, ${s.FAIL} FAIL, ${s.ERROR} ERROR: ${OUTCOME[report.exitCode]} (exit ${report.exitCode})`,
    '',
  ].join('\n');
}

/** The report as JSON, for scripts and evidence collection. */
export function renderJson(report: VerifyReport): string {
  return `${JSON.stringify({ ...report, checkedAt: report.checkedAt.toISOString() }, null, 2)}\n`;
}
