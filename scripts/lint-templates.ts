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
import { parseArgs } from 'node:util';
import { LintSetupError } from '../lib/sdlc/lint/cfn-lint';
import { lintCacheDir, lintTemplates } from '../lib/sdlc/lint/lint';

const ROOT = path.join(__dirname, '..');

const USAGE = `usage: node --import tsx scripts/lint-templates.ts [OUTDIR] [options]
  OUTDIR         the cloud assembly to lint (default cdk.out)
  --jobs N       cfn-lint processes in parallel (default: the CPU count, ${os.availableParallelism()} here; env CFN_LINT_JOBS)
  --no-cache     lint every template, and record nothing
  --help         this text
Templates that passed are cached in $CFN_LINT_CACHE_DIR (default node_modules/.cache/cfn-lint/), keyed by
template content, cfn-lint version and configuration; deleting that folder is always safe.`;

class UsageError extends Error {}

function options(argv: string[]) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { jobs: { type: 'string' }, 'no-cache': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`one OUTDIR at most (got ${positionals.join(' ')})`);
  const jobsText = values.jobs ?? process.env.CFN_LINT_JOBS;
  if (jobsText !== undefined && !/^[1-9]\d*$/.test(jobsText)) {
    throw new UsageError(`--jobs (or CFN_LINT_JOBS) must be a whole number >= 1 (got "${jobsText}")`);
  }
  return {
    help: values.help ?? false,
    outdir: positionals[0] ?? 'cdk.out',
    jobs: jobsText ? Number(jobsText) : os.availableParallelism(),
    cacheDir: values['no-cache'] ? undefined : lintCacheDir(ROOT),
  };
}

async function main(): Promise<number> {
  let o;
  try {
    o = options(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`lint-templates: ${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    const r = await lintTemplates({
      outdir: o.outdir,
      cacheDir: o.cacheDir,
      jobs: o.jobs,
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
