import type { Status } from '../checks/types';
import { FRAMEWORK_NAMES, FRAMEWORK_NOTE, seedCitation } from './frameworks';
import type { EvidenceReport } from './report';

/** The one vocabulary of statuses, used by the report's tables and the synth's summary line alike. */
export const STATUS_LABEL: Readonly<Record<Status, string>> = {
  PASS: 'PASS',
  FAIL: 'FAIL',
  NOT_APPLICABLE: 'N/A',
  NOT_IMPLEMENTED: 'NOT IMPLEMENTED',
  MANUAL: 'MANUAL',
};

/** "33 PASS, 0 FAIL, 1 N/A, 5 NOT IMPLEMENTED, 4 MANUAL": the counts of the summary table, in its order and words. */
export function statusCounts(counts: Readonly<Record<Status, number>>): string {
  return (Object.keys(STATUS_LABEL) as Status[]).map((k) => `${counts[k]} ${STATUS_LABEL[k]}`).join(', ');
}

/** A table cell: pipes and line breaks would break the table. */
const cell = (v: string) => v.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
/** A Markdown table; shared with the live evidence report (lib/ops/live/report.ts). */
export const table = (head: readonly string[], rows: readonly (readonly string[])[]) => [
  row(head),
  `| ${head.map(() => '---').join(' | ')} |`,
  ...rows.map(row),
];
export const anchor = (id: string) => id.toLowerCase();

/** The auditor's Markdown: summary, nag findings, acknowledgments, architecture, then one section per control. */
export function renderMarkdown(report: EvidenceReport): string {
  const env = report.environment;
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Security evidence: ${env.name}`, '');
  out.push(
    `Generated ${report.generatedAt} from the synthesized templates in \`${report.source}\` (${env.stacks.length} stacks, accounts ${env.accounts.join(', ')}, regions ${env.regions.join(', ')}). Every status below is computed from those templates, the cloud assembly manifest and the cdk-nag validation report; none is declared by the code that built them.`,
    '',
    env.production
      ? `**Production environment** (${env.productionSignals.join('; ')}): any FAIL fails the build.`
      : 'Not a production environment (no termination-protected stack, no compliance-mode lock).',
    '',
  );

  out.push('## Summary', '');
  out.push(
    ...table(
      ['status', 'controls'],
      (Object.keys(STATUS_LABEL) as Status[]).map((k) => [STATUS_LABEL[k], String(s.counts[k])]),
    ),
    '',
  );
  out.push(
    s.failing.length
      ? `**Failing:** ${s.failing.map((id) => `[${id}](#${anchor(id)})`).join(', ')}`
      : '**Failing:** none.',
    '',
  );
  out.push(
    ...table(
      ['control', 'status', 'summary'],
      report.controls.map((c) => [`[${c.control}](#${anchor(c.control)})`, STATUS_LABEL[c.status], c.summary]),
    ),
    '',
  );

  out.push('### cdk-nag findings', '');
  if (!s.nag)
    out.push('No `validation-report.json` in the cloud assembly: the nag packs did not run (SDLC-1 fails).', '');
  else {
    out.push(
      ...table(
        ['pack', 'conclusion', 'unacknowledged errors', 'warnings', 'acknowledged'],
        s.nag.map((p) => [p.pack, p.conclusion, String(p.errors), String(p.warnings), String(p.acknowledged)]),
      ),
      '',
    );
  }

  out.push('### Acknowledged findings', '');
  out.push(
    'Each finding a pack reported and the team accepted, where the acknowledgment was made and why (the reason starts with the control it relates to).',
    '',
  );
  if (s.acknowledgments.length === 0) out.push('None.', '');
  else {
    out.push(
      ...table(
        ['rule', 'packs', 'acknowledged at', 'constructs', 'reason'],
        s.acknowledgments.map((a) => [a.rule, a.packs.join(', '), a.acknowledgedAt, a.constructs.join(', '), a.reason]),
      ),
      '',
    );
  }

  out.push('### Framework mapping', '', FRAMEWORK_NOTE, '');
  out.push(
    ...table(
      ['control', 'status', ...Object.values(FRAMEWORK_NAMES)],
      report.controls.map((c) => [
        c.control,
        STATUS_LABEL[c.status],
        ...(Object.keys(FRAMEWORK_NAMES) as (keyof typeof FRAMEWORK_NAMES)[]).map(
          (k) => c.frameworks[k].join(', ') || '-',
        ),
      ]),
    ),
    '',
  );

  out.push('## Architecture (drawn from the templates)', '', '```mermaid', report.diagram, '```', '');

  out.push('## Stacks', '');
  out.push(
    ...table(
      ['stack', 'account/region', 'termination protection', 'template', 'sha256'],
      env.stacks.map((st) => [
        st.stackName,
        `${st.account ?? '?'}/${st.region ?? '?'}`,
        String(st.terminationProtection ?? '(absent)'),
        st.templateFile ?? '',
        st.sha256 ?? '',
      ]),
    ),
    '',
  );

  out.push('## Controls', '');
  for (const c of report.controls) {
    out.push(`### ${c.control}`, '');
    out.push(`**Status: ${STATUS_LABEL[c.status]}**. ${c.summary.charAt(0).toUpperCase()}${c.summary.slice(1)}.`, '');
    out.push(`- Promise: ${c.promise}`);
    if (c.target) out.push(`- Target: ${c.target}`);
    out.push(`- From the security pages of: ${c.sources.map(seedCitation).join(', ')}`);
    for (const [k, name] of Object.entries(FRAMEWORK_NAMES) as [keyof typeof FRAMEWORK_NAMES, string][]) {
      out.push(`- ${name}: ${c.frameworks[k].join(', ') || '-'}`);
    }
    if (c.pointer && c.status !== 'PASS' && c.status !== 'FAIL') out.push(`- How to verify: ${c.pointer}`);
    out.push('');
    if (c.problems.length) out.push('Problems:', '', ...c.problems.map((p) => `- ${p}`), '');
    if (c.evidence.length) {
      out.push(
        ...table(
          ['', 'stack', 'logical ID', 'type', 'property', 'value', 'expected'],
          c.evidence.map((e) => [e.ok ? 'ok' : '**FAIL**', e.stack, e.logicalId, e.type, e.path, e.value, e.expected]),
        ),
        '',
      );
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
