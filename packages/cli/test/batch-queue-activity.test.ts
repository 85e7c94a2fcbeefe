import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  hasRedisServer as hasRedis,
  type RedisServer,
  startRedisServer,
} from '../../../scripts/lib/redis-server.ts';
import { until } from '../../../scripts/lib/until.ts';
import { activityText } from '../src/batch/queue-activity-watch.ts';
import { main } from '../src/main.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { collector, expectCliWording, temporaryDirectory } from './support/io.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.skipIf(!hasRedis)('retouch batch --redis is never silent', { timeout: 60_000 }, () => {
  let redis: RedisServer;

  it('says at once that no worker serves the queue, then how many do once one starts', async () => {
    redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const cwd = await temporaryDirectory();
    await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
    const lines = [1, 2, 3].map((line) =>
      JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: `edit ${line}`, images: ['photo.png'] }),
    );
    await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);

    const batchOut = collector();
    const batchErr = collector();
    const batch = main(
      ['batch', 'manifest.jsonl', '--redis', redis.url, '--queue', 'quiet', '--out', 'out'],
      {
        stdout: batchOut,
        stderr: batchErr,
        env: {},
        cwd,
      },
    );
    // Within 10 s of starting, though nothing serves the queue and no line moves.
    await until(() => batchErr.text.includes('No worker is serving the queue'), 10_000);
    expect(batchErr.text).toContain(
      `start one with retouch worker --redis ${redis.url} --queue quiet (3 edits wait in Redis)`,
    );

    const stop = new AbortController();
    const workerErr = collector();
    const worker = main(
      ['worker', '--redis', redis.url, '--simulate', '--queue', 'quiet', '--out', join(cwd, 'shared')],
      {
        stdout: collector(),
        stderr: workerErr,
        env: {},
        cwd,
        signal: stop.signal,
      },
    );
    cleanups.push(async () => {
      stop.abort();
      await worker;
    });
    expect(await batch).toBe(0);
    expect(batchOut.text).toContain('3 lines: 3 succeeded, 0 failed');
    expectCliWording(batchErr.text);
  });
});

describe('the line on what a queued batch waits on', () => {
  const base = { workers: 2, waiting: 3, active: 2, delayed: [], locks: [] };
  const command = 'retouch worker --redis redis://127.0.0.1:6379';

  it('counts the workers, and names retry delays and locks a stopped worker left, with the time left', () => {
    expect(activityText({ activity: base, workerCommand: command, first: false })).toBe(
      '2 workers on the queue · 2 running · 3 waiting',
    );
    const held = activityText({
      activity: {
        ...base,
        delayed: [{ jobId: 'a', remainingMs: 4_000 }],
        locks: [
          { jobId: 'b', remainingMs: 25_000 },
          { jobId: 'c', remainingMs: 9_000 },
        ],
      },
      workerCommand: command,
      first: false,
    });
    expect(held).toContain('1 waiting to be retried, the next in 4.00s');
    expect(held).toContain(
      '1 held by a worker that stopped, back in the queue once its lock expires (in 9.00s)',
    );
  });
});
