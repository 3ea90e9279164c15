import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LoadedAssembly } from './assembly';
import { renderJunit } from './junit';
import type { EvidenceReport } from './report';
import { buildSarif } from './sarif';
import { loadSourceMap } from './sources';

/** The repository this program is part of: the synth ran from it, so creation stacks point into it. */
export const REPOSITORY_ROOT = path.join(__dirname, '..', '..', '..');

export const SARIF_FILE = 'findings.sarif';
export const JUNIT_FILE = 'evidence.junit.xml';

/**
 * Writes the findings where CI looks for them: `<out>/findings.sarif` (SARIF
 * 2.1.0 for code scanning) and `<out>/evidence.junit.xml` (test tabs).
 * Returns the files written.
 */
export function writeFindings(
  out: string,
  assembly: LoadedAssembly,
  reports: readonly EvidenceReport[],
  repositoryRoot: string = REPOSITORY_ROOT,
): string[] {
  const sources = loadSourceMap(assembly.directory, repositoryRoot);
  const sarif = buildSarif(assembly, reports, { repositoryRoot, assemblyDir: assembly.directory, sources });
  const sarifFile = path.join(out, SARIF_FILE);
  const junitFile = path.join(out, JUNIT_FILE);
  writeFileSync(sarifFile, `${JSON.stringify(sarif, null, 2)}\n`);
  writeFileSync(junitFile, renderJunit(reports));
  return [sarifFile, junitFile];
}
