/**
 * A queue worker killed (SIGKILL) after sending an edit to Oxen and before recording the answer, with
 * nothing but the job's "sent" mark left behind: the worker taking the job over looks the edit up in
 * Oxen's records. A queued generation found there is resumed: delivered, billed once, settled once at
 * Oxen's cost. A sync generation has no job to follow, so that job fails as possibly billed, naming
 * the generation, and is not sent again: Oxen bills once, and the ledger counts it once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEditQueue, createRedisSpendStore, type QueuedEditError } from '@retouch/queue';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { hasRedisServer, type RedisServer, startRedisServer } from '../scripts/lib/redis-server.ts';
import type { QueueWorkerChildSettings } from './support/queue-worker-child.ts';
import { killQueueWorkers, startQueueWorker, until } from './support/queue-workers.ts';

const PRICE_USD = 0.03;

let redis: RedisServer | undefined;
let oxen: OxenSimulator | undefined;
let directory: string | undefined;

beforeAll(async () => {
  if (hasRedisServer) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  await killQueueWorkers();
  await oxen?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

/** Workers' settings for a queue on the current simulator. */
async function workerSettings(mode: 'queue' | 'sync'): Promise<QueueWorkerChildSettings> {
  directory = await mkdtemp(join(tmpdir(), 'retouch-queue-takeover-'));
  const queueName = `takeover-${crypto.randomUUID().slice(0, 8)}`;
  return {
    redisUrl: redis!.url,
    queueName,
    oxenUrl: oxen!.url,
    oxenApiKey: oxen!.apiKey,
    output: join(directory, 'out'),
    budget: { maxUsd: 1, name: `${queueName}-budget` },
    lockDurationMs: 1_000,
    stalledIntervalMs: 300,
    shutdownGraceMs: 100,
    concurrency: 1,
    mode,
  };
}

describe.skipIf(!hasRedisServer)('an edit whose worker died at Oxen', { timeout: 60_000 }, () => {
  test('queue mode, killed while its enqueue was at Oxen: found in Oxen’s records, resumed, billed once, charged once', async () => {
    oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 50, processingMs: 300 } });
    // Oxen takes the enqueue only after 2 s: the worker is killed while it waits for the answer.
    oxen.setFaults([{ route: 'POST /api/ai/queue', kind: 'slow', delayMs: 2_000, times: 1 }]);
    const settings = await workerSettings('queue');
    const doomed = await startQueueWorker(settings);
    const queue = createEditQueue({ connection: redis!.url, name: settings.queueName });
    const store = createRedisSpendStore({ connection: redis!.url, name: settings.budget.name });
    try {
      const edit = await queue.add(
        { model: 'oxen:qwen-image-edit', prompt: 'a boat at dawn', images: ['https://example.com/sea.png'] },
        { jobId: 'queued-edit' },
      );
      await until(() => oxen!.requests.some((request) => request.route === 'POST /api/ai/queue'), 30_000);
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      await startQueueWorker(settings);
      const result = await edit.result();
      const usage = await store.usage();
      console.log(
        `Queue takeover of an enqueue killed at Oxen: resumed ${result.resumed}, provider billed ${oxen.billableCount}; ledger settled $${usage.spentUsd.toFixed(4)}, ~$${usage.possiblyBilledUsd.toFixed(4)} possibly billed`,
      );
      expect(result.resumed).toBe(true);
      expect(result.images).toHaveLength(1);
      expect(result.worker).not.toBe(doomed.id);
      expect(oxen.billableCount).toBe(1);
      expect(oxen.requests.filter((request) => request.route === 'POST /api/ai/queue')).toHaveLength(1);
      expect(usage).toMatchObject({ spentUsd: PRICE_USD, possiblyBilledUsd: 0, reservedUsd: 0 });
      expect(await store.entries()).toMatchObject([
        {
          key: `${settings.queueName}:queued-edit`,
          state: 'settled',
          costUsd: PRICE_USD,
          costSource: 'reported',
        },
      ]);
    } finally {
      await Promise.all([queue.close(), store.close()]);
    }
  });

  test('sync mode, killed while its edit was at Oxen: found in Oxen’s records, possibly billed, naming it, billed once, counted once', async () => {
    oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 50, processingMs: 300 } });
    // Oxen takes the edit only after 2 s: the worker is killed while it waits for the answer.
    oxen.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'slow', delayMs: 2_000, times: 1 }]);
    const settings = await workerSettings('sync');
    const { queueName, budget } = settings;
    const doomed = await startQueueWorker(settings);
    const queue = createEditQueue({ connection: redis!.url, name: queueName });
    const store = createRedisSpendStore({ connection: redis!.url, name: budget.name });
    try {
      const edit = await queue.add(
        {
          model: 'oxen:qwen-image-edit',
          prompt: 'a lighthouse at dusk',
          images: ['https://example.com/sea.png'],
        },
        { jobId: 'sync-edit' },
      );
      await until(
        () => oxen!.requests.some((request) => request.route === 'POST /api/ai/images/edit'),
        30_000,
      );
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      await startQueueWorker(settings);
      const error = (await edit.result().catch((caught: unknown) => caught)) as QueuedEditError;
      const usage = await store.usage();
      console.log(
        `Queue takeover of a sync edit killed at Oxen: ${error.errorName}, provider billed ${oxen.billableCount}; ledger settled $${usage.spentUsd.toFixed(4)}, ~$${usage.possiblyBilledUsd.toFixed(4)} possibly billed`,
      );
      expect(error.errorName).toBe('PossiblyBilledError');
      expect(error.message).toMatch(
        /the provider's records cannot tell: Oxen's records hold it as generation [0-9a-f-]{36} \(succeeded\), but a sync edit has no job on Oxen/,
      );
      expect(oxen.billableCount).toBe(1);
      expect(oxen.requests.filter((request) => request.route === 'POST /api/ai/images/edit')).toHaveLength(1);
      expect(usage).toMatchObject({ spentUsd: 0, possiblyBilledUsd: PRICE_USD, reservedUsd: 0 });
      expect(await store.entries()).toMatchObject([
        { key: `${queueName}:sync-edit`, state: 'possibly-billed' },
      ]);
    } finally {
      await Promise.all([queue.close(), store.close()]);
    }
  });
});
