import { CONTROLS } from '../compliance/controls';
import { FRAMEWORK_NAMES, FRAMEWORKS, SEEDS, seedCitation } from '../compliance/evidence/frameworks';

/**
 * docs/controls.md, generated from lib/compliance/controls.ts (the promises
 * and targets) and lib/compliance/evidence/frameworks.ts (where each promise
 * comes from and the framework requirements it maps to). `npm run docs:config`
 * writes it; a test fails when it is stale.
 */

/** The families of the catalog, in its order. */
export const CONTROL_FAMILIES: readonly (readonly [prefix: string, title: string])[] = [
  ['NET', 'Network and ingress'],
  ['IMM', 'Immutable compute'],
  ['DATA', 'Data at rest, backups, recovery'],
  ['LOG', 'Logging, monitoring, audit'],
  ['IAM', 'Access'],
  ['SDLC', 'How it is built and checked'],
  ['OPS', 'Operating the deployed system'],
];

const cell = (v: string) => v.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const row = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;

/** docs/controls.md (before formatting). */
export function renderControlCatalog(): string {
  const out: string[] = [
    '# Control catalog',
    '',
    '<!-- Generated from lib/compliance/controls.ts and lib/compliance/evidence/frameworks.ts by `npm run docs:config`. -->',
    '',
    'Each control is a security promise that SaaS companies publish on their security pages, turned into',
    'infrastructure that keeps it. Every control has an ID, what must be true, the pages it comes from and its target.',
    'Where a page promises less than current practice (TLS 1.1, "periodic" purges), the target goes beyond it.',
    '',
    'Every control must be (1) enforced in the synthesized templates or the running system, (2) asserted by a test',
    'that fails when the control is removed, and (3) listed with its evidence in the evidence report',
    '([evidence.md](evidence.md)), which says per environment whether it is PASS, FAIL, MANUAL, NOT IMPLEMENTED or N/A.',
    '',
    '## Sources',
    '',
    'The promises come from the public security pages of five SaaS companies:',
    '',
    row(['letter', 'company', 'page']),
    '| --- | --- | --- |',
    ...Object.entries(SEEDS).map(([letter, s]) => row([letter, s.company, `"${s.page}"`])),
    '',
    `Framework IDs (${Object.values(FRAMEWORK_NAMES).join(', ')}) are an indicative mapping for navigation;`,
    'confirm scope with your assessor. A control supports its requirements only while its status is PASS.',
    '',
  ];
  for (const [prefix, title] of CONTROL_FAMILIES) {
    const controls = CONTROLS.filter((c) => c.id.startsWith(`${prefix}-`));
    out.push(`## ${prefix}: ${title}`, '');
    out.push(row(['ID', 'what must be true', 'from', 'target', 'frameworks']), '| --- | --- | --- | --- | --- |');
    for (const c of controls) {
      const f = FRAMEWORKS[c.id];
      const frameworks = (Object.entries(FRAMEWORK_NAMES) as [keyof typeof FRAMEWORK_NAMES, string][])
        .filter(([k]) => f[k].length > 0)
        .map(([k, name]) => `${name}: ${f[k].join(', ')}`)
        .join('; ');
      out.push(row([c.id, c.promise, c.sources.map(seedCitation).join(', '), c.target || '-', frameworks]));
    }
    out.push('');
  }
  return out.join('\n');
}
