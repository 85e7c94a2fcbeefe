import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  hasRedisServer as hasRedis,
  type RedisServer,
  startRedisServer,
} from '../../../scripts/lib/redis-server.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Waits until the worker says it runs, sends SIGTERM to `child` (the process a supervisor started),
 * and returns its exit code and what the worker printed.
 */
async function stopWithSigterm(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  const deadline = Date.now() + 30_000;
  while (!stderr.includes('SIGTERM or Ctrl-C stops it gracefully')) {
    if (Date.now() > deadline) throw new Error(`the worker did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGTERM');
  return { code: await exited, stderr };
}

describe.skipIf(!hasRedis)('a worker stops gracefully on SIGTERM', { timeout: 60_000 }, () => {
  it('started the documented way (docs/scaling-out.md)', async () => {
    const redis: RedisServer = await startRedisServer();
    cleanups.push(() => redis.stop());
    // The command docs/scaling-out.md gives for a checkout: the real node binary, not the shell wrapper.
    const child = spawn(
      'node_modules/node/bin/node',
      [
        '--conditions=@retouch/source',
        'packages/cli/src/bin.ts',
        'worker',
        '--redis',
        redis.url,
        '--simulate',
      ],
      { cwd: root, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const { code, stderr } = await stopWithSigterm(child);
    expect(code).toBe(0);
    expect(stderr).toContain('stopping: no new jobs');
    expect(stderr).toMatch(/stopped: 0 completed, 0 failed/);
  });

  it("started by the repository's worker script, the signal sent to the script's process", async () => {
    const redis: RedisServer = await startRedisServer();
    cleanups.push(() => redis.stop());
    const scripts = (
      JSON.parse(await readFile(`${root}package.json`, 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    // As pnpm runs a script: `sh -c` with its arguments appended and node_modules/.bin (where `node` is
    // a shell wrapper that keeps the signal to itself) first on the PATH.
    const child = spawn('sh', ['-c', `${scripts.worker} --redis ${redis.url} --simulate`], {
      cwd: root,
      env: { PATH: `${root}node_modules/.bin:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { code, stderr } = await stopWithSigterm(child);
    expect(code).toBe(0);
    expect(stderr).toContain('stopping: no new jobs');
    expect(stderr).toMatch(/stopped: 0 completed, 0 failed/);
  });
});
