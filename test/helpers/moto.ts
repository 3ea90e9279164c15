import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * moto_server, a local AWS API emulator, for integration tests: bound to
 * 127.0.0.1 on a free port, started once per test file, always stopped.
 */

/** Dummy credentials moto accepts; never real ones. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;
/** The account moto answers as. */
export const MOTO_ACCOUNT = '123456789012';

export interface MotoServer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, for `endpoint` / `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** SDK client settings that talk to this server. */
  readonly clientConfig: {
    readonly region: string;
    readonly endpoint: string;
    readonly credentials: typeof MOTO_CREDENTIALS;
  };
  stop(): Promise<void>;
}

/** moto_server on PATH or in `$HOME/.pyenv/shims`, where the build image installs it. */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  dirs.push(path.join(env.HOME ?? os.homedir(), '.pyenv', 'shims'));
  for (const dir of dirs) {
    const candidate = path.join(dir, 'moto_server');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    'moto_server not found on PATH or in $HOME/.pyenv/shims; install it with `pip install "moto[server]"` to run the ops integration tests',
  );
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function isReady(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** Stops the server's whole process group (the pyenv shim and the Python process it runs). */
function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    kill('SIGTERM');
  });
}

/** The server quit while starting, typically because another process took its port. */
class MotoExitedEarly extends Error {}

async function startOnce(
  [executable, ...args]: readonly string[],
  port: number,
  timeoutMs: number,
): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  // Its own process group, so stop() reaches the Python process behind the shim.
  const child = spawn(executable, [...args, '-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: `${path.dirname(executable)}${path.delimiter}${process.env.PATH ?? ''}` },
  });
  let log = '';
  // moto logs every request to stderr; draining it keeps the pipe from filling up.
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const onExit = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  // A crashed test runner must not leave the server behind.
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    await stopProcess(child);
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new MotoExitedEarly(`moto_server exited with ${child.exitCode} before it was ready:\n${log}`);
    }
    if (await isReady(endpoint)) {
      return {
        port,
        endpoint,
        clientConfig: { region: 'us-east-1', endpoint, credentials: MOTO_CREDENTIALS },
        stop,
      };
    }
    await delay(100);
  }
  await stop();
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms:\n${log}`);
}

/**
 * Starts moto_server on a free port of 127.0.0.1 and waits until it answers.
 * `command` replaces the moto_server executable (e.g. a Python launcher that
 * patches moto first); it gets the same `-H` and `-p` flags.
 */
export async function startMoto(
  options: { timeoutMs?: number; command?: readonly string[] } = {},
): Promise<MotoServer> {
  const command = options.command ?? [findMotoServer()];
  // Another process can take the port between freePort() and moto binding it: then try a new port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(command, await freePort(), options.timeoutMs ?? 30_000);
    } catch (e) {
      if (!(e instanceof MotoExitedEarly) || attempt === 3) throw e;
    }
  }
}

/**
 * Starts moto in `beforeAll` and stops it in `afterAll` (also when tests
 * fail); call at the top of a test file and read the server with `get()`.
 */
export function useMoto(options: { command?: readonly string[] } = {}): { get(): MotoServer } {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto(options);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get() {
      if (!server) throw new Error('moto_server is not running (did beforeAll fail?)');
      return server;
    },
  };
}
