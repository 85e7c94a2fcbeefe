/**
 * A real Redis for tests, examples and benchmarks: Debian's `redis-server`, started on a free port of
 * 127.0.0.1 with its own temporary data directory and no persistence, and stopped afterwards (the
 * directory removed). Nothing here mocks Redis.
 *
 * Where `redis-server` is not installed, {@link redisServerPath} is `undefined` and callers skip with
 * {@link REDIS_MISSING_MESSAGE}; under CI (`CI=true`) a missing server is an error instead, since
 * `.ci/run` installs it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why Redis tests are skipped on this machine. */
export const REDIS_MISSING_MESSAGE =
  'redis-server is not installed, so the tests that need a real Redis are skipped: apt-get install -y redis-server (CI installs it)';

/** The path of the `redis-server` binary, or `undefined` when it is not installed. */
export const redisServerPath: string | undefined = findRedisServer();

/** Whether `redis-server` is installed; when it is not, the reason tests skip is printed once. */
export const hasRedisServer: boolean = redisServerPath !== undefined;
if (!hasRedisServer) console.warn(REDIS_MISSING_MESSAGE);

function findRedisServer(): string | undefined {
  const fromEnvironment = process.env.RETOUCH_REDIS_SERVER;
  if (fromEnvironment) return fromEnvironment;
  try {
    const found = execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
    if (found) return found;
  } catch {
    // not on the PATH
  }
  if (process.env.CI === 'true') {
    throw new Error(`${REDIS_MISSING_MESSAGE}; under CI this is an error: .ci/run must install redis-server`);
  }
  return undefined;
}

/** A running `redis-server`. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// A test run that crashes must not leave servers behind.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `redis-server` on a free port with a fresh data directory; resolves once it answers PING. */
export async function startRedisServer(): Promise<RedisServer> {
  if (!redisServerPath) throw new Error(REDIS_MISSING_MESSAGE);
  const directory = mkdtempSync(join(tmpdir(), 'retouch-redis-'));
  let lastError: unknown;
  // A port found free can be taken before the server binds it: try a few.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn(
      redisServerPath,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        directory,
        '--save',
        '',
        '--appendonly',
        'no',
        // BullMQ's advice: never evict its keys.
        '--maxmemory-policy',
        'noeviction',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    running.add(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitForPing({ port, child, timeoutMs: 10_000 });
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            await exited;
            clearTimeout(timer);
          }
          running.delete(child);
          rmSync(directory, { recursive: true, force: true });
        },
      };
    } catch (error) {
      lastError = new Error(
        `redis-server did not start on port ${port}: ${(error as Error).message}${stderr ? `\n${stderr}` : ''}`,
      );
      child.kill('SIGKILL');
      await exited;
      running.delete(child);
    }
  }
  rmSync(directory, { recursive: true, force: true });
  throw lastError;
}

/** A port nothing listened on a moment ago. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends PING until the server answers +PONG, the process exits, or time runs out. */
async function waitForPing(options: { port: number; child: ChildProcess; timeoutMs: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (options.child.exitCode !== null) throw new Error(`it exited with code ${options.child.exitCode}`);
    if (await ping(options.port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no answer to PING within ${options.timeoutMs} ms`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.once('connect', () => socket.write('PING\r\n'));
  });
}
