/**
 * A queue worker killed (SIGKILL) while its sync edit is at Oxen, with nothing but the job's "sent"
 * mark left behind: the worker taking the job over looks the edit up in Oxen's records, which hold
 * its generation; a sync generation has no job to follow, so the job fails as possibly billed, naming
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

describe.skipIf(!hasRedisServer)('a sync edit whose worker died at Oxen', { timeout: 60_000 }, () => {
  test('the worker taking it over finds it in Oxen’s records: possibly billed, naming it, billed once, counted once', async () => {
    oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 50, processingMs: 1_500 } });
    directory = await mkdtemp(join(tmpdir(), 'retouch-queue-takeover-'));
    const queueName = `takeover-${crypto.randomUUID().slice(0, 8)}`;
    const budget = { maxUsd: 1, name: `${queueName}-budget` };
    const settings: QueueWorkerChildSettings = {
      redisUrl: redis!.url,
      queueName,
      oxenUrl: oxen.url,
      oxenApiKey: oxen.apiKey,
      output: join(directory, 'out'),
      budget,
      lockDurationMs: 1_000,
      stalledIntervalMs: 300,
      shutdownGraceMs: 100,
      concurrency: 1,
      mode: 'sync',
    };
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
      // Oxen took the request and is working on it: the worker dies before its answer.
      await until(() => oxen!.billableCount === 1, 30_000);
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
        /the provider's records cannot tell: Oxen's records hold it as generation [0-9a-f-]{36} \((processing|succeeded)\), but a sync edit has no job on Oxen/,
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
