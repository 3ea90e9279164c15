import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EvidenceRow } from '../../compliance/checks/types';
import { CONTROLS, type ControlId } from '../../compliance/controls';
import { anchor, table } from '../../compliance/evidence/markdown';
import type { ControlEvidence } from '../../compliance/evidence/report';
import { FRAMEWORKS } from '../../compliance/evidence/frameworks';
import type { VerifyReport } from '../report';
import type { CheckResult, CheckStatus } from '../verify';

export const LIVE_REPORT_SCHEMA_VERSION = 1;

/** PASS, FAIL and ERROR come from the rows; NOT_CHECKED: no AWS API shows the promise, the template evidence covers it. */
export type LiveStatus = CheckStatus | 'NOT_CHECKED';
export const LIVE_STATUSES: readonly LiveStatus[] = ['PASS', 'FAIL', 'ERROR', 'NOT_CHECKED'];

/** A live row in the template evidence's shape: `logicalId` is the resource, `path` the property, `value` what was found. */
export interface LiveEvidenceRow extends EvidenceRow {
  readonly status: CheckStatus;
  readonly check: string;
}

/** A control of the catalog with its live result: the template evidence's {@link ControlEvidence} with live statuses. */
export interface LiveControlEvidence extends Omit<ControlEvidence, 'status' | 'evidence'> {
  readonly status: LiveStatus;
  readonly evidence: readonly LiveEvidenceRow[];
}

export interface LiveEvidenceReport {
  readonly schemaVersion: number;
  readonly kind: 'live';
  readonly generatedAt: string;
  /** Where the answers came from: the endpoint and the cloud assembly the stacks were compared with. */
  readonly source: { readonly endpoint: string; readonly assembly: string };
  readonly environment: { readonly name: string; readonly account: string; readonly region: string };
  readonly exitCode: number;
  readonly summary: {
    readonly counts: Readonly<Record<LiveStatus, number>>;
    /** Controls with at least one live row. */
    readonly checkedLive: number;
    /** Controls covered: at least one PASS or FAIL row, a value the account answered judged against the control. */
    readonly covered: number;
    readonly failing: readonly ControlId[];
    readonly rows: number;
  };
  readonly controls: readonly LiveControlEvidence[];
}

/** What the rows of the original verify checks require (the live families state it in each row). */
const REQUIRED: Readonly<Record<string, string>> = {
  'trail.exists': 'a trail visible from the region',
  'trail.logging': 'IsLogging true',
  'trail.multi-region': 'IsMultiRegionTrail true',
  'trail.log-file-validation': 'LogFileValidationEnabled true',
  'trail.kms-encryption': 'KmsKeyId set',
  'trail.delivery': 'latest delivery without error, recent',
  'fleet.exists': 'a group with running instances',
  'fleet.golden-ami': 'ImageId = the golden AMI of SSM',
  'fleet.instance-age': 'younger than the fleet lifetime',
  'fleet.imdsv2': 'HttpTokens required',
  'fleet.ebs-encrypted': 'every attached volume encrypted',
  'fleet.no-public-ip': 'no public IP',
  'fleet.membership': 'a fleet member or an Image Builder instance',
  'fleet.state': 'running or pending',
  'fleet.release': 'the release of the SSM record',
  'fleet.launch-template-release': 'the release of the SSM record',
  'ebs.encryption-by-default': 'on',
  'network.vpc': 'the environment VPC',
  'network.internet-ingress': 'internet ingress only to the ALB, tcp 443/80; no SSH/RDP',
};

export function toEvidenceRow(r: CheckResult, region: string): LiveEvidenceRow {
  return {
    stack: region,
    logicalId: r.resource,
    type: r.check,
    path: r.property ?? r.check,
    value: r.found ?? r.detail,
    expected: r.required ?? REQUIRED[r.check] ?? '-',
    ok: r.status === 'PASS',
    status: r.status,
    check: r.check,
  };
}

function controlStatus(rows: readonly CheckResult[]): LiveStatus {
  if (rows.length === 0) return 'NOT_CHECKED';
  if (rows.some((r) => r.status === 'FAIL')) return 'FAIL';
  if (rows.some((r) => r.status === 'ERROR')) return 'ERROR';
  return 'PASS';
}

function summaryOf(status: LiveStatus, rows: readonly CheckResult[]): string {
  const checks = [...new Set(rows.map((r) => r.check))];
  const bad = rows.filter((r) => r.status !== 'PASS');
  switch (status) {
    case 'NOT_CHECKED':
      return 'not checked live: no AWS API the verify command reads shows this promise; the template evidence covers it';
    case 'PASS':
      return `${rows.length} live row(s) of ${checks.join(', ')} kept`;
    default:
      return `${bad.length} of ${rows.length} live row(s) ${status === 'FAIL' ? 'failed' : 'could not be checked'}: ${[...new Set(bad.map((r) => r.check))].join(', ')}`;
  }
}

/** The live evidence report: the verify report's rows grouped by control of the catalog. */
export function buildLiveReport(
  report: VerifyReport,
  source: { endpoint: string; assembly: string },
): LiveEvidenceReport {
  const controls: LiveControlEvidence[] = CONTROLS.map((c) => {
    const rows = report.results.filter((r) => r.control === c.id);
    const status = controlStatus(rows);
    return {
      control: c.id as ControlId,
      status,
      summary: summaryOf(status, rows),
      problems: rows.filter((r) => r.status !== 'PASS').map((r) => `${r.check} ${r.resource}: ${r.detail}`),
      pointer: status === 'NOT_CHECKED' ? `npm run evidence (template evidence of ${c.id})` : undefined,
      evidence: rows.map((r) => toEvidenceRow(r, report.region)),
      family: c.id.split('-')[0],
      promise: c.promise,
      sources: c.sources,
      target: c.target,
      frameworks: FRAMEWORKS[c.id as ControlId],
    };
  });
  const counts = Object.fromEntries(
    LIVE_STATUSES.map((s) => [s, controls.filter((c) => c.status === s).length]),
  ) as Record<LiveStatus, number>;
  return {
    schemaVersion: LIVE_REPORT_SCHEMA_VERSION,
    kind: 'live',
    generatedAt: report.checkedAt.toISOString(),
    source,
    environment: { name: report.environment, account: report.account, region: report.region },
    exitCode: report.exitCode,
    summary: {
      counts,
      checkedLive: controls.filter((c) => c.status !== 'NOT_CHECKED').length,
      covered: controls.filter((c) => c.evidence.some((e) => e.status !== 'ERROR')).length,
      failing: controls.filter((c) => c.status === 'FAIL').map((c) => c.control),
      rows: report.results.length,
    },
    controls,
  };
}

const LABEL: Readonly<Record<LiveStatus, string>> = {
  PASS: 'PASS',
  FAIL: 'FAIL',
  ERROR: 'ERROR',
  NOT_CHECKED: 'not checked live',
};

/** The auditor's Markdown, laid out like the template evidence: summary, control table, one section per control. */
export function renderLiveMarkdown(r: LiveEvidenceReport): string {
  const out: string[] = [];
  out.push(`# Live security evidence: ${r.environment.name}`, '');
  out.push(
    `Checked ${r.generatedAt} through the AWS APIs at ${r.source.endpoint}, account ${r.environment.account}, ${r.environment.region} (\`npm run verify -- --env ${r.environment.name}\`, exit ${r.exitCode}). Every row below is what an API answered, compared with what the control requires; deployed stacks are compared with the synthesized templates in \`${r.source.assembly}\` (OPS-3). The template evidence (\`npm run evidence\`) shows what was synthesized.`,
    '',
  );
  out.push('## Summary', '');
  out.push(
    ...table(
      ['status', 'controls'],
      LIVE_STATUSES.map((s) => [LABEL[s], String(r.summary.counts[s])]),
    ),
    '',
  );
  out.push(
    `${r.summary.checkedLive} of ${r.controls.length} controls checked live in ${r.summary.rows} rows; ${r.summary.covered} covered (at least one PASS or FAIL row). ` +
      (r.summary.failing.length
        ? `**Failing:** ${r.summary.failing.map((id) => `[${id}](#${anchor(id)})`).join(', ')}`
        : '**Failing:** none.'),
    '',
  );
  out.push(
    ...table(
      ['control', 'status', 'summary'],
      r.controls.map((c) => [`[${c.control}](#${anchor(c.control)})`, LABEL[c.status], c.summary]),
    ),
    '',
  );
  out.push('## Controls', '');
  for (const c of r.controls) {
    out.push(`### ${c.control}`, '');
    out.push(`**Status: ${LABEL[c.status]}**. ${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.`, '');
    out.push(`- Promise: ${c.promise}`);
    if (c.pointer) out.push(`- How to verify: ${c.pointer}`);
    out.push('');
    if (c.evidence.length) {
      out.push(
        ...table(
          ['', 'resource', 'property', 'value found', 'value required'],
          c.evidence.map((e) => [e.ok ? 'ok' : `**${e.status}**`, e.logicalId, e.path, e.value, e.expected]),
        ),
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export function renderLiveJson(r: LiveEvidenceReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

/** Writes `<dir>/<env>.live.md` and `.json`; returns both paths. */
export function writeLiveReport(dir: string, r: LiveEvidenceReport): { md: string; json: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${r.environment.name}.live`);
  writeFileSync(`${base}.md`, renderLiveMarkdown(r));
  writeFileSync(`${base}.json`, renderLiveJson(r));
  return { md: `${base}.md`, json: `${base}.json` };
}
