/**
 * cfn-lint over every template of a cloud assembly, in parallel, skipping the
 * templates it has already passed.
 *
 * The cache holds one entry per template that passed (no error; warnings are
 * kept and printed again), named by the SHA-256 of the template's bytes, the
 * cfn-lint identity (version + installed files, see cfn-lint.ts) and its
 * configuration (the flags below and any .cfnlintrc). A change of any of them
 * is a new key and lints again. A template with an error is never written; an
 * entry that cannot be read or does not match its key is ignored. Deleting the
 * cache folder is always safe: the next run lints everything.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cfnLintIdentity, findCfnLint, LintSetupError } from './cfn-lint';

/** cfn-lint's flags: part of the cache key. */
export const CFN_LINT_FLAGS = ['--format', 'parseable'] as const;
/** Configuration files cfn-lint reads from the working directory and the home directory: part of the cache key. */
const CONFIG_FILES = ['.cfnlintrc', '.cfnlintrc.yaml', '.cfnlintrc.yml', '.cfnlintrc.json'];
/** Bumped when the entry format or the meaning of a key changes. */
const CACHE_SCHEMA = 1;
/** Stands for the template's path in cached output lines (the same template may sit in another folder next time). */
const TEMPLATE_PLACEHOLDER = '\u0000template\u0000';
/** cfn-lint's exit code is a bit mask: 2 errors, 4 warnings, 8 informational; anything else is a failure to run. */
const ERRORS = 2;
const FINDINGS = 2 | 4 | 8;

/**
 * Where passed templates are recorded: CFN_LINT_CACHE_DIR, else `node_modules/.cache/cfn-lint` of the repository
 * (outside cdk.out, which every synth deletes; gitignored, wiped by `npm ci`).
 */
export function lintCacheDir(repositoryRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.CFN_LINT_CACHE_DIR ?? path.join(repositoryRoot, 'node_modules', '.cache', 'cfn-lint');
}

/** The number of cfn-lint processes from a flag or variable; undefined when not given. */
export function lintJobs(text: string | undefined, source: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(text)) throw new LintSetupError(`${source} must be a whole number >= 1 (got "${text}")`);
  return Number(text);
}

export interface LintOptions {
  /** The cloud assembly folder (nested stage assemblies included). */
  readonly outdir: string;
  /** Where passed templates are recorded; undefined: no cache. */
  readonly cacheDir?: string;
  /** cfn-lint processes at most; the templates to lint are split between them. */
  readonly jobs: number;
  /** Where cfn-lint reads its configuration from (the repository root). */
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface LintResult {
  readonly templates: number;
  readonly cached: number;
  readonly linted: number;
  readonly processes: number;
  readonly failedTemplates: readonly string[];
  /** 0 no errors, 1 errors found, 2 could not lint. */
  readonly exitCode: number;
}

interface CacheEntry {
  readonly schema: number;
  readonly key: string;
  readonly lines: string[];
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Every `*.template.json` under `dir`, sorted. */
export function findTemplates(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** The flags and the content of every configuration file cfn-lint would read. */
export function configFingerprint(cwd: string): string {
  const parts: string[] = [JSON.stringify(CFN_LINT_FLAGS)];
  for (const dir of [cwd, os.homedir()]) {
    for (const name of CONFIG_FILES) {
      const file = path.join(dir, name);
      if (existsSync(file)) parts.push(`${file}\n${readFileSync(file, 'utf8')}`);
    }
  }
  return sha256(parts.join('\n\0\n'));
}

export function cacheKey(template: Buffer, identity: string, config: string): string {
  return sha256(Buffer.concat([Buffer.from(`${CACHE_SCHEMA}\0${identity}\0${config}\0`), template]));
}

/** The entry for `key`, or undefined when there is none or it is unreadable, of another format or another key. */
function readEntry(cacheDir: string, key: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(path.join(cacheDir, `${key}.json`), 'utf8')) as Partial<CacheEntry>;
    const ok =
      entry.schema === CACHE_SCHEMA &&
      entry.key === key &&
      Array.isArray(entry.lines) &&
      entry.lines.every((l) => typeof l === 'string');
    return ok ? (entry as CacheEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a reader never sees half an entry. */
function writeEntry(cacheDir: string, entry: CacheEntry): void {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, `${entry.key}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(entry));
  renameSync(tmp, file);
}

/** Splits files into at most `n` groups of similar total size (largest first onto the lightest group). */
export function balance(files: readonly string[], n: number): string[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(n, files.length)) }, () => ({
    bytes: 0,
    files: [] as string[],
  }));
  const sized = files.map((f) => ({ f, bytes: statSync(f).size })).sort((a, b) => b.bytes - a.bytes);
  for (const { f, bytes } of sized) {
    const lightest = groups.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.bytes += bytes;
    lightest.files.push(f);
  }
  return groups.map((g) => g.files.sort()).filter((g) => g.length > 0);
}

interface ProcessResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  executable: string,
  files: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(executable, [...CFN_LINT_FLAGS, '--', ...files], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => resolve({ exitCode: null, stdout, stderr: `${stderr}${e.message}\n` }));
    child.on('close', (code) => resolve({ exitCode: code, stdout, stderr }));
  });
}

/** The rule ID of a parseable output line (`file:l:c:l:c:RULE:message`), if it is one. */
function ruleOf(line: string, file: string): string | undefined {
  if (!line.startsWith(`${file}:`)) return undefined;
  return /^\d+:\d+:\d+:\d+:([A-Z]\d+):/.exec(line.slice(file.length + 1))?.[1];
}

export async function lintTemplates(o: LintOptions): Promise<LintResult> {
  const env = o.env ?? process.env;
  const templates = existsSync(o.outdir) ? findTemplates(o.outdir) : [];
  if (templates.length === 0) {
    throw new LintSetupError(`no templates (*.template.json) under ${o.outdir}; run the synth first`);
  }
  const executable = findCfnLint(env);
  const identity = o.cacheDir ? cfnLintIdentity(executable, env) : '';
  const config = o.cacheDir ? configFingerprint(o.cwd) : '';

  const output = new Map<string, string[]>();
  const keys = new Map<string, string>();
  const toLint: string[] = [];
  for (const file of templates) {
    if (!o.cacheDir) {
      toLint.push(file);
      continue;
    }
    const key = cacheKey(readFileSync(file), identity, config);
    keys.set(file, key);
    const hit = readEntry(o.cacheDir, key);
    if (hit)
      output.set(
        file,
        hit.lines.map((l) => l.split(TEMPLATE_PLACEHOLDER).join(file)),
      );
    else toLint.push(file);
  }

  const groups = toLint.length > 0 ? balance(toLint, o.jobs) : [];
  const results = await Promise.all(groups.map((g) => run(executable, g, o.cwd, env)));
  let exitCode = 0;
  const failed: string[] = [];
  groups.forEach((group, i) => {
    const r = results[i];
    const lines = r.stdout.split('\n').filter((l) => l.length > 0);
    const attributed = new Set<string>();
    let errorsSeen = 0;
    for (const file of group) {
      const own = lines.filter((l) => ruleOf(l, file) !== undefined);
      own.forEach((l) => attributed.add(l));
      output.set(file, own);
      if (own.some((l) => ruleOf(l, file)!.startsWith('E'))) {
        failed.push(file);
        errorsSeen++;
      }
    }
    const unattributed = lines.filter((l) => !attributed.has(l));
    const code = r.exitCode;
    // A crash, an unknown exit code, output we cannot place, or an error bit without an error line: trust nothing of this process.
    const understood =
      code !== null &&
      (code & ~FINDINGS) === 0 &&
      unattributed.length === 0 &&
      ((code & ERRORS) === 0 || errorsSeen > 0) &&
      (errorsSeen === 0 || (code & ERRORS) !== 0);
    if (r.stderr.trim()) o.stderr(r.stderr.endsWith('\n') ? r.stderr : `${r.stderr}\n`);
    if (!understood) {
      if (unattributed.length > 0) o.stdout(`${unattributed.join('\n')}\n`);
      o.stderr(
        `lint-templates: cfn-lint exited with ${code ?? 'a signal'} over ${group.length} templates without a result this script can read; nothing of it is cached\n`,
      );
      exitCode = 2;
      return;
    }
    if (code! & ERRORS) exitCode = Math.max(exitCode, 1);
    if (!o.cacheDir) return;
    for (const file of group) {
      if (failed.includes(file)) continue;
      const lines = output.get(file)!.map((l) => TEMPLATE_PLACEHOLDER + l.slice(file.length));
      writeEntry(o.cacheDir, { schema: CACHE_SCHEMA, key: keys.get(file)!, lines });
    }
  });

  const printed = templates.flatMap((f) => output.get(f) ?? []);
  if (printed.length > 0) o.stdout(`${printed.join('\n')}\n`);
  const cached = templates.length - toLint.length;
  const summary =
    `${templates.length} templates (${cached} already passed, cached; ${toLint.length} linted` +
    (groups.length > 0 ? ` in ${groups.length} cfn-lint process${groups.length === 1 ? '' : 'es'})` : ')');
  if (exitCode === 1) o.stderr(`lint-templates: cfn-lint found errors in ${failed.length} of ${summary}\n`);
  else if (exitCode === 0) {
    const warned = printed.length > 0 ? '; warnings above (not failing)' : '';
    o.stdout(`lint-templates: ${summary}, no errors${warned}\n`);
  }
  return {
    templates: templates.length,
    cached,
    linted: toLint.length,
    processes: groups.length,
    failedTemplates: failed,
    exitCode,
  };
}
