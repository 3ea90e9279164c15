import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssemblyError, loadCloudAssembly } from './assembly';
import { JUNIT_FILE, SARIF_FILE, writeFindings } from './findings';
import { renderMarkdown, statusCounts } from './markdown';
import { blockingFailures, buildEvidenceReports } from './report';

export const FORMATS = ['both', 'md', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const USAGE = `usage: node --import tsx scripts/evidence.ts [CLOUD_ASSEMBLY] [--out DIR] [--env NAME] [--format ${FORMATS.join('|')}]

Writes an auditor evidence report per environment of a synthesized cloud
assembly: <DIR>/<env>.md and <DIR>/<env>.json; and for CI, <DIR>/${SARIF_FILE}
(SARIF 2.1.0: FAIL rows and cdk-nag findings, for code scanning) and
<DIR>/${JUNIT_FILE} (one test suite per environment, one case per control).

  CLOUD_ASSEMBLY   the synth output to read (default: cdk.out)
  --out DIR        where to write the reports (default: CLOUD_ASSEMBLY/evidence)
  --env NAME       only this environment (default: all)
  --format F       ${FORMATS.join(', ')} (default: both)
  -h, --help       this help

Exit codes: 0 written, 1 a production environment has a failing control,
2 could not run (arguments, missing or unreadable cloud assembly).
`;

export const EXIT = { ok: 0, failing: 1, cannotRun: 2 } as const;

/** A mistake in the command line; the message names the flag and what is allowed. */
export class UsageError extends Error {}

export interface EvidenceArgs {
  readonly assembly: string;
  readonly out?: string;
  readonly env?: string;
  readonly format: Format;
  readonly help: boolean;
}

const VALUE_FLAGS: Readonly<Record<string, string>> = {
  '--out': 'a directory',
  '--env': 'an environment name',
  '--format': FORMATS.join(', '),
};

/** Parses `[dir] [--out DIR] [--env NAME] [--format F] [--help]`, `--flag=value` included. */
export function parseEvidenceArgs(argv: readonly string[]): EvidenceArgs {
  const positional: string[] = [];
  const values: Record<string, string> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('-')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!(flag in VALUE_FLAGS)) {
      throw new UsageError(`unknown flag "${flag}"; allowed: ${Object.keys(VALUE_FLAGS).join(', ')}, --help`);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new UsageError(`${flag} needs a value: ${VALUE_FLAGS[flag]}`);
    }
    if (flag in values) throw new UsageError(`${flag} given twice`);
    values[flag] = value;
  }
  if (positional.length > 1) {
    throw new UsageError(
      `expected at most one cloud assembly directory, got ${positional.map((p) => `"${p}"`).join(', ')}`,
    );
  }
  const format = values['--format'] ?? 'both';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  }
  return {
    assembly: positional[0] ?? 'cdk.out',
    out: values['--out'],
    env: values['--env'],
    format: format as Format,
    help,
  };
}

export interface EvidenceIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** File name of an environment's report (stage names may contain `/` when stages nest). */
const fileName = (env: string) => env.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Reads the cloud assembly, writes the reports, and returns the exit code:
 * 1 when a production environment has a failing control, so the build stops.
 */
export function runEvidenceCli(argv: readonly string[], io: EvidenceIo): number {
  let args: EvidenceArgs;
  try {
    args = parseEvidenceArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`evidence: ${e.message}\n\n${USAGE}`);
    return EXIT.cannotRun;
  }
  if (args.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  let assembly;
  try {
    assembly = loadCloudAssembly(args.assembly);
  } catch (e) {
    if (!(e instanceof AssemblyError)) throw e;
    io.stderr(`evidence: ${e.message}\n`);
    return EXIT.cannotRun;
  }
  const names = assembly.environments.map((e) => e.name);
  if (names.length === 0) {
    io.stderr(`evidence: ${args.assembly} holds no stacks: nothing to report\n`);
    return EXIT.cannotRun;
  }
  if (args.env !== undefined && !names.includes(args.env)) {
    io.stderr(`evidence: --env must be one of ${names.join(', ')} (got "${args.env}")\n`);
    return EXIT.cannotRun;
  }
  const reports = buildEvidenceReports(assembly, { now: io.now?.(), source: args.assembly }).filter(
    (r) => args.env === undefined || r.environment.name === args.env,
  );
  const out = args.out ?? path.join(args.assembly, 'evidence');
  mkdirSync(out, { recursive: true });
  for (const r of reports) {
    const base = path.join(out, fileName(r.environment.name));
    const written: string[] = [];
    if (args.format !== 'json') {
      writeFileSync(`${base}.md`, renderMarkdown(r));
      written.push(`${base}.md`);
    }
    if (args.format !== 'md') {
      writeFileSync(`${base}.json`, `${JSON.stringify(r, null, 2)}\n`);
      written.push(`${base}.json`);
    }
    const c = r.summary.counts;
    io.stdout(
      `evidence: ${r.environment.name}${r.environment.production ? ' (production)' : ''}: ${statusCounts(c)} -> ${written.join(', ')}\n`,
    );
  }
  io.stdout(`evidence: findings -> ${writeFindings(out, assembly, reports).join(', ')}\n`);
  const blocking = blockingFailures(reports);
  for (const b of blocking) {
    io.stderr(
      `evidence: production environment ${b.environment} fails ${b.controls.join(', ')}; see ${path.join(out, `${fileName(b.environment)}.md`)}\n`,
    );
  }
  return blocking.length > 0 ? EXIT.failing : EXIT.ok;
}
