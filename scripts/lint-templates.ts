#!/usr/bin/env -S node --import tsx
/**
 * cfn-lint over every synthesized template (nested stage assemblies included),
 * in parallel and skipping templates that already passed; see
 * lib/sdlc/lint/lint.ts and docs/performance.md.
 *
 *   node --import tsx scripts/lint-templates.ts [OUTDIR] [--jobs N] [--no-cache] [--help]
 *
 * Exit codes: 0 no errors (warnings are printed), 1 cfn-lint found errors,
 * 2 could not lint (no cfn-lint, no templates, a bad flag, a crash).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type CommandSpec,
  HELP_FLAG,
  helpText,
  parseCommandLine,
  USAGE_EXIT,
  UsageError,
  usageMessage,
} from '../lib/cli/args';
import { LintSetupError } from '../lib/sdlc/lint/cfn-lint';
import { lintCacheDir, lintJobs, lintTemplates } from '../lib/sdlc/lint/lint';

const ROOT = path.join(__dirname, '..');

/** The command line: one optional cloud assembly, two flags. */
const LINT_COMMAND: CommandSpec = {
  name: 'lint-templates',
  summary: 'cfn-lint over every synthesized template (nested stage assemblies included), in parallel',
  positional: {
    name: 'OUTDIR',
    what: 'cloud assembly directory',
    help: 'the cloud assembly to lint (default cdk.out)',
  },
  flags: [
    {
      name: 'jobs',
      type: 'number',
      integer: true,
      min: 1,
      value: 'N',
      help: `cfn-lint processes in parallel (default: the CPU count, ${os.availableParallelism()} here; env CFN_LINT_JOBS)`,
    },
    { name: 'no-cache', type: 'boolean', help: 'lint every template, and record nothing' },
    HELP_FLAG,
  ],
};

const USAGE = helpText(LINT_COMMAND, {
  usage: 'node --import tsx scripts/lint-templates.ts [OUTDIR] [--jobs N] [--no-cache]',
  footer: [
    'Templates that passed are cached in $CFN_LINT_CACHE_DIR (default node_modules/.cache/cfn-lint/), keyed by',
    'template content, cfn-lint version and configuration; deleting that folder is always safe.',
    'Exit codes: 0 no errors (warnings are printed), 1 cfn-lint found errors, 2 could not lint.',
  ],
});

async function main(): Promise<number> {
  let line;
  try {
    line = parseCommandLine(LINT_COMMAND, process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(
      usageMessage('lint-templates', e, 'Run "node --import tsx scripts/lint-templates.ts --help" for its flags.'),
    );
    return USAGE_EXIT;
  }
  const { flags, positionals } = line;
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  try {
    const r = await lintTemplates({
      outdir: positionals[0] ?? 'cdk.out',
      cacheDir: flags['no-cache'] ? undefined : lintCacheDir(ROOT),
      jobs:
        (flags.jobs as number | undefined) ??
        lintJobs(process.env.CFN_LINT_JOBS, 'CFN_LINT_JOBS') ??
        os.availableParallelism(),
      cwd: ROOT,
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
    });
    return r.exitCode;
  } catch (e) {
    if (!(e instanceof LintSetupError)) throw e;
    process.stderr.write(`lint-templates: ${e.message}\n`);
    return 2;
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`lint-templates: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 2;
  },
);
