/**
 * The request window shared through Redis, held by a worker that has just started on a loaded
 * machine. A warm worker keeps an Eden AI account's window (10 requests in any second) full; in each
 * run a fresh worker process joins it, and its event loop stalls for 250 ms right after its first
 * request is handed to fetch, then every 700 ms. The window admits a request before it leaves, so a
 * request that leaves late reaches the provider inside the next second's places: the fresh worker has
 * no round trip of its own to tell how late, and must still draw no 429.
 */
import type { ChildProcess } from 'node:child_process';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EditRequest } from '@retouch/core';
import { createEditQueue, type EditQueue } from '@retouch/queue';
import { createTestImage } from '@retouch/simulator';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type SimulatorProcess, startSimulatorProcess } from '../bench/support/simulator-process.ts';
import { hasRedisServer, type RedisServer, startRedisServer } from '../scripts/lib/redis-server.ts';
import type { SharedLimitWorkerSettings } from './support/shared-limit-worker-child.ts';

const LIMIT = 10;
const RUNS = Number(process.env.RUNS ?? 20);
const EDITS_PER_RUN = 20;
const STALL_MS = 250;
const STALL_EVERY_MS = 700;
const childFile = new URL('./support/shared-limit-worker-child.ts', import.meta.url);

let redis: RedisServer;
let eden: SimulatorProcess;
let queue: EditQueue;
let directory: string;
const children = new Set<ChildProcess>();
const account = `stall-${crypto.randomUUID().slice(0, 8)}`;

const picture = `data:image/png;base64,${Buffer.from(createTestImage({ width: 32, height: 32 })).toString('base64')}`;
// Outputs come back inline, and the picture goes in the body: one request an edit.
const edit = (prompt: string): EditRequest => ({
  model: 'edenai:openai/gpt-image-1-mini',
  prompt,
  images: [picture],
  providerOptions: { edenai: { transport: 'multipart' } },
  timeoutMs: 60_000,
});

/** A worker process with its modules loaded, not yet started. */
async function loadWorker(stallMs: number): Promise<ChildProcess> {
  const settings: SharedLimitWorkerSettings = {
    redisUrl: redis.url,
    queue: account,
    account,
    simulatorUrl: eden.url,
    apiKey: eden.apiKey,
    requestsPerSecond: LIMIT,
    concurrency: 8,
    output: join(directory, 'outputs'),
    stallMs,
    stallEveryMs: STALL_EVERY_MS,
  };
  const child = fork(childFile, [JSON.stringify(settings)], {
    execArgv: ['--conditions=@retouch/source'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await message(child, 'loaded');
  return child;
}

function message(child: ChildProcess, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: unknown) => {
      if ((raw as { type?: string }).type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null) =>
      reject(new Error(`the worker exited (code ${code}) before "${type}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function startWorker(child: ChildProcess): Promise<void> {
  const ready = message(child, 'ready');
  child.send({ command: 'start' });
  await ready;
}

async function closeWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ command: 'close' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

async function runEdits(label: string): Promise<void> {
  const edits = await queue.addBulk(
    Array.from({ length: EDITS_PER_RUN }, (_, index) => ({ request: edit(`${label} ${index}`) })),
  );
  const results = await Promise.allSettled(edits.map((each) => each.result({ timeoutMs: 60_000 })));
  const failed = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
  expect(failed, `edits of ${label} that failed`).toEqual([]);
}

describe.skipIf(!hasRedisServer)('a fresh worker keeps the shared limit under load', () => {
  let warm: ChildProcess;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'retouch-shared-limit-'));
    redis = await startRedisServer();
    // The provider in a process of its own, as a provider's clock is not held up by this test's work.
    eden = await startSimulatorProcess({
      provider: 'edenai',
      options: { rateLimit: { requestsPerSecond: LIMIT, windowMs: 1_000 } },
    });
    queue = createEditQueue({ connection: redis.url, name: account });
    warm = await loadWorker(0);
    await startWorker(warm);
    // The warm worker reads the catalogue and measures its round trips before the runs.
    await runEdits('warm-up');
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled([...children].map((child) => closeWorker(child)));
    await queue?.close();
    await eden?.close();
    await redis?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test(`0 429s across ${RUNS} runs, each with a fresh worker stalled ${STALL_MS} ms`, async () => {
    const perRun: number[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const fresh = await loadWorker(STALL_MS);
      const before = (await eden.summary()).rateLimited;
      await startWorker(fresh);
      await runEdits(`run ${run}`);
      perRun.push((await eden.summary()).rateLimited - before);
      await closeWorker(fresh);
    }
    console.log(
      `fresh worker under a ${STALL_MS} ms stall: ${perRun.reduce((sum, count) => sum + count, 0)} 429s across ${RUNS} runs of the shared-limit test (per run: ${perRun.join(' ')})`,
    );
    expect(perRun).toEqual(perRun.map(() => 0));
  }, 300_000);
});
