import { spawn } from 'node:child_process';
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

describe.skipIf(!hasRedis)(
  'a worker started the documented way (docs/scaling-out.md)',
  { timeout: 60_000 },
  () => {
    it('stops gracefully on SIGTERM', async () => {
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
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
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
      expect(await exited).toBe(0);
      expect(stderr).toContain('stopping: no new jobs');
      expect(stderr).toMatch(/stopped: 0 completed, 0 failed/);
    });
  },
);
