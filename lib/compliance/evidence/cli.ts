import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type CommandSpec,
  HELP_FLAG,
  helpText,
  parseCommandLine,
  USAGE_EXIT,
  UsageError,
  usageMessage,
} from '../../cli/args';
import { AssemblyError, loadCloudAssembly } from './assembly';
import { JUNIT_FILE, SARIF_FILE, writeFindings } from './findings';
import { renderMarkdown, statusCounts } from './markdown';
import { blockingFailures, buildEvidenceReports } from './report';

export const FORMATS = ['both', 'md', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export const EXIT = { ok: 0, failing: 1, cannotRun: USAGE_EXIT } as const;

/** The evidence command line: one optional positional argument and three flags. */
export const EVIDENCE_COMMAND: CommandSpec = {
  name: 'evidence',
  summary: 'write an auditor evidence report per environment of a synthesized cloud assembly (SDLC-4)',
  positional: {
    name: 'CLOUD_ASSEMBLY',
    what: 'cloud assembly directory',
    help: 'the synth output to read (default: cdk.out)',
  },
  flags: [
    {
      name: 'out',
      type: 'string',
      value: 'DIR',
      help: 'where to write the reports (default: CLOUD_ASSEMBLY/evidence)',
    },
    { name: 'env', type: 'string', value: 'NAME', help: 'only this environment (default: all)' },
    {
      name: 'format',
      type: 'string',
      value: 'F',
      allowed: FORMATS,
      help: `${FORMATS.join(', ')} (default: both)`,
    },
    HELP_FLAG,
  ],
};

export const USAGE = helpText(EVIDENCE_COMMAND, {
  usage: `npm run evidence -- [CLOUD_ASSEMBLY] [--out DIR] [--env NAME] [--format ${FORMATS.join('|')}]`,
  description: [
    'Writes <DIR>/<env>.md and <DIR>/<env>.json; and for CI, <DIR>/' + SARIF_FILE + ' (SARIF 2.1.0: FAIL',
    'rows and cdk-nag findings, for code scanning) and <DIR>/' + JUNIT_FILE + ' (one test suite per',
    'environment, one case per control).',
  ],
  footer: [
    'Exit codes: 0 written, 1 a production environment has a failing control,',
    '2 could not run (arguments, missing or unreadable cloud assembly).',
  ],
});

export interface EvidenceArgs {
  readonly assembly: string;
  readonly out?: string;
  readonly env?: string;
  readonly format: Format;
  readonly help: boolean;
}

/** Parses `[dir] [--out DIR] [--env NAME] [--format F] [--help]`, `--flag=value` included. */
export function parseEvidenceArgs(argv: readonly string[]): EvidenceArgs {
  const { flags, positionals } = parseCommandLine(EVIDENCE_COMMAND, argv);
  return {
    assembly: positionals[0] ?? 'cdk.out',
    ...(flags.out !== undefined && { out: flags.out as string }),
    ...(flags.env !== undefined && { env: flags.env as string }),
    format: (flags.format as Format | undefined) ?? 'both',
    help: flags.help === true,
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
    io.stderr(usageMessage('evidence', e, 'Run "npm run evidence -- --help" for its flags.'));
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
