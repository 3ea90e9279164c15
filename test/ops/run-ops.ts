import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempDir } from '../helpers/app';
import { MOTO_CREDENTIALS, type MotoServer } from '../helpers/moto';

const ROOT = path.join(__dirname, '..', '..');

export interface OpsRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment a user's shell would give the CLI, minus anything that could
 * reach real AWS: a throw-away HOME (no ~/.aws files), no instance metadata
 * lookups, and only the variables the test names.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = tempDir('ops-home-');
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    TMPDIR: os.tmpdir(),
    AWS_CONFIG_FILE: path.join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** The environment that points the CLI at a moto server with dummy credentials. */
export function motoEnv(moto: MotoServer): NodeJS.ProcessEnv {
  return cliEnv({
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
  });
}

/** Runs `node --import tsx bin/ops.ts ...args` as a user would, and collects its output and exit code. */
export function runOps(args: readonly string[], env: NodeJS.ProcessEnv): Promise<OpsRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join('bin', 'ops.ts'), ...args],
      { cwd: ROOT, env, timeout: 60_000, maxBuffer: 10 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
