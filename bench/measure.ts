/**
 * Runs one command under GNU time and returns its wall time, CPU time and
 * peak memory.
 *
 * Peak memory is GNU time's %M: the largest resident set of the command or of
 * any descendant it waited for (jest workers, the app under `cdk synth`,
 * cfn-lint under bash). It is the biggest single process, not a sum, which is
 * what decides whether a CI machine runs out of memory on one process.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

export const GNU_TIME = '/usr/bin/time';
const FORMAT = 'bench-time %e %U %S %M';

export interface Command {
  /** Program and arguments, run without a shell. */
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Added to the environment; `undefined` removes an inherited variable. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface Sample {
  readonly wallSeconds: number;
  /** User plus system CPU seconds of the command and its waited-for descendants. */
  readonly cpuSeconds: number;
  readonly peakMiB: number;
  readonly exitCode: number;
}

export interface Stats {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** A command that exited non-zero; the message names the log to read. */
export class CommandFailed extends Error {
  constructor(
    readonly command: Command,
    readonly exitCode: number | null,
    readonly logFile: string,
  ) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-15).join('\n') : '';
    super(
      `"${command.argv.join(' ')}" exited with ${exitCode ?? 'a signal'}; full output in ${logFile}` +
        (tail ? `; last lines:\n${tail}` : ''),
    );
    this.name = 'CommandFailed';
  }
}

export function checkGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new Error(
      `${GNU_TIME} (GNU time) is needed to measure peak memory; install it (Debian/Ubuntu: apt-get install time)`,
    );
  }
}

/** Environment of every measured command: the caller's, minus CDK_* so that only what a figure sets applies. */
export function cleanEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CDK_')) env[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `command` once, its stdout and stderr going to `logFile`; throws CommandFailed on any other exit code than `okExitCodes`. */
export async function measure(
  command: Command,
  logFile: string,
  timeFile: string,
  okExitCodes: readonly number[] = [0],
): Promise<Sample> {
  const log = openSync(logFile, 'w');
  const started = process.hrtime.bigint();
  let exitCode: number | null;
  try {
    exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(GNU_TIME, ['-o', timeFile, '-f', FORMAT, ...command.argv], {
        cwd: command.cwd,
        env: cleanEnv(command.env),
        stdio: ['ignore', log, log],
      });
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
  } finally {
    closeSync(log);
  }
  // Our own clock: GNU time's %e has a resolution of 10 ms.
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (exitCode === null || !okExitCodes.includes(exitCode)) throw new CommandFailed(command, exitCode, logFile);
  // GNU time may write "Command exited with..." first; the format line is the last one.
  const line = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const m = /^bench-time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/.exec(line);
  if (!m) throw new Error(`cannot read GNU time's output in ${timeFile}: ${JSON.stringify(line)}`);
  return {
    wallSeconds,
    cpuSeconds: Number(m[2]) + Number(m[3]),
    peakMiB: Number(m[4]) / 1024,
    exitCode,
  };
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('stats of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { min: s[0], median, max: s[s.length - 1] };
}
