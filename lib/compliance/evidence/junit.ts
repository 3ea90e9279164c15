import type { Status } from '../checks/types';
import type { EvidenceReport } from './report';

/** Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text or attribute value, escaped; characters XML cannot hold become U+FFFD. */
export function xmlEscape(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Element text keeps its line breaks; only markup characters are escaped. */
const text = (t: string) => xmlEscape(t).replace(/&#10;/g, '\n').replace(/&#9;/g, '\t');

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`)
    .join('');

const SKIP_LABEL: Readonly<Partial<Record<Status, string>>> = {
  NOT_APPLICABLE: 'N/A',
  NOT_IMPLEMENTED: 'NOT IMPLEMENTED',
  MANUAL: 'MANUAL',
};

/**
 * The evidence reports as JUnit XML, for the test tabs of CI systems (GitHub,
 * GitLab, Jenkins): one test suite per environment, one test case per
 * control. FAIL is a failure listing the failing rows; N/A, NOT IMPLEMENTED
 * and MANUAL are skipped with the reason; PASS is a passing case. No clock:
 * the same assembly gives the same file.
 */
export function renderJunit(reports: readonly EvidenceReport[]): string {
  const count = (r: EvidenceReport, ...s: Status[]) => r.controls.filter((c) => s.includes(c.status)).length;
  const total = (f: (r: EvidenceReport) => number) => reports.reduce((n, r) => n + f(r), 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(
    `<testsuites${attrs({
      name: 'security controls',
      tests: total((r) => r.controls.length),
      failures: total((r) => count(r, 'FAIL')),
      errors: 0,
      skipped: total((r) => count(r, 'NOT_APPLICABLE', 'NOT_IMPLEMENTED', 'MANUAL')),
    })}>`,
  );
  for (const r of reports) {
    const env = r.environment.name;
    out.push(
      `  <testsuite${attrs({
        name: env,
        tests: r.controls.length,
        failures: count(r, 'FAIL'),
        errors: 0,
        skipped: count(r, 'NOT_APPLICABLE', 'NOT_IMPLEMENTED', 'MANUAL'),
        time: 0,
      })}>`,
    );
    out.push('    <properties>');
    out.push(`      <property${attrs({ name: 'production', value: String(r.environment.production) })}/>`);
    out.push(`      <property${attrs({ name: 'source', value: r.source })}/>`);
    out.push('    </properties>');
    for (const c of r.controls) {
      const head = `    <testcase${attrs({ classname: `${env}.${c.family}`, name: c.control, time: 0 })}`;
      const said = `      <system-out>${text(`${c.control}: ${c.summary}`)}</system-out>`;
      if (c.status === 'PASS') {
        out.push(`${head}>`, said, '    </testcase>');
      } else if (c.status === 'FAIL') {
        const failing = c.evidence.filter((row) => !row.ok);
        const body = [
          ...c.problems,
          ...failing.map(
            (row) =>
              `${row.stack} ${row.logicalId} ${row.type} ${row.path}: found ${row.value}; required ${row.expected}`,
          ),
        ];
        out.push(`${head}>`);
        out.push(
          `      <failure${attrs({ message: c.problems[0] ?? c.summary, type: 'FAIL' })}>${text(body.join('\n'))}</failure>`,
        );
        out.push(said, '    </testcase>');
      } else {
        const reason = [SKIP_LABEL[c.status], c.summary, c.pointer].filter(Boolean).join(': ');
        out.push(`${head}>`);
        out.push(`      <skipped${attrs({ message: reason })}/>`, said, '    </testcase>');
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
