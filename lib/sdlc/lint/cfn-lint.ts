/**
 * Which cfn-lint runs, and what identifies its behaviour for the lint cache:
 * the version and a fingerprint of the installed files, found without starting
 * Python where the installation can be read directly (a `cfn-lint --version`
 * costs one to several seconds of Python start-up, most of a warm gate).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** A problem that stops the lint before it starts (exit code 2). */
export class LintSetupError extends Error {}

/** `$CFN_LINT` if set, else `cfn-lint` on PATH or in `$HOME/.pyenv/shims`. */
export function findCfnLint(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.CFN_LINT;
  if (override) {
    if (!isExecutable(override)) {
      throw new LintSetupError(`CFN_LINT=${override} is not an executable file; unset it or point it at cfn-lint`);
    }
    return override;
  }
  const dirs = [...(env.PATH ?? '').split(path.delimiter), path.join(os.homedir(), '.pyenv', 'shims')];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = path.join(dir, 'cfn-lint');
    if (isExecutable(candidate)) return candidate;
  }
  throw new LintSetupError(
    "cfn-lint not found on PATH or in $HOME/.pyenv/shims; install it with 'pip install cfn-lint' (or set CFN_LINT to its path)",
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return !readdirSafe(file);
  } catch {
    return false;
  }
}

function readdirSafe(file: string): boolean {
  try {
    readdirSync(file);
    return true;
  } catch {
    return false;
  }
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/**
 * A string that changes whenever the cfn-lint that runs changes: its version
 * plus the hash of the installed distribution's RECORD (pip's list of every
 * installed file with its hash), so a reinstall or a patched rule lints again.
 * Falls back to the output of `cfn-lint --version` when the installation is
 * not a pip-installed Python script (e.g. a wrapper, or a test's fake).
 */
export function cfnLintIdentity(executable: string, env: NodeJS.ProcessEnv = process.env): string {
  const record = installedRecord(executable);
  if (record) return `cfn-lint ${record.version} record:${sha256(readFileSync(record.file))}`;
  const r = spawnSync(executable, ['--version'], { encoding: 'utf8', env });
  if (r.status !== 0) {
    throw new LintSetupError(
      `"${executable} --version" failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout || r.error?.message || '').trim()}`,
    );
  }
  return `${executable}: ${r.stdout.trim()}`;
}

/** The dist-info RECORD of the cfn-lint distribution behind `executable`, if it can be read without running it. */
function installedRecord(executable: string): { version: string; file: string } | undefined {
  const script = resolveShim(executable);
  if (!script) return undefined;
  const firstLine = readFileSync(script, 'utf8').split('\n', 1)[0];
  const interpreter = /^#!\s*(\S+python[\d.]*)\s*$/.exec(firstLine)?.[1];
  if (!interpreter) return undefined;
  const lib = path.join(path.dirname(path.dirname(interpreter)), 'lib');
  const found: { version: string; file: string }[] = [];
  for (const py of readdirSafe(lib) ? readdirSync(lib).filter((d) => /^python3/.test(d)) : []) {
    const site = path.join(lib, py, 'site-packages');
    if (!readdirSafe(site)) continue;
    for (const entry of readdirSync(site)) {
      const m = /^cfn_lint-(.+)\.dist-info$/.exec(entry);
      const file = path.join(site, entry, 'RECORD');
      if (m && existsSync(file)) found.push({ version: m[1], file });
    }
  }
  // Two installed versions side by side: cannot tell which one runs, so ask it.
  return found.length === 1 ? found[0] : undefined;
}

/** The real script behind a pyenv shim (asked of pyenv itself, `pyenv which`), or the file itself. */
function resolveShim(executable: string): string | undefined {
  const real = realpathSync(executable);
  const text = readFileSync(real, 'utf8').slice(0, 2000);
  const pyenv = /exec "([^"]*pyenv)" exec /.exec(text)?.[1];
  if (!pyenv) return real;
  const r = spawnSync(pyenv, ['which', path.basename(executable)], { encoding: 'utf8' });
  const resolved = r.status === 0 ? r.stdout.trim() : '';
  return resolved && existsSync(resolved) ? realpathSync(resolved) : undefined;
}
