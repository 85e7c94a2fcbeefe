import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createOxen } from '../../provider-oxen/src/index.ts';
import { type OxenSimulator, startOxenSimulator } from '../../simulator/src/index.ts';
import {
  createEditQueue,
  createEditWorker,
  createRedisSpendStore,
  type EditWorkerOptions,
  type QueuedEdit,
  type QueuedEditError,
  type RedisSpendStore,
} from '../src/index.ts';
import { describeWithRedis, uniqueName, useRedisServer } from './support/redis.ts';

/*
 * A worker that takes over a job an earlier worker marked sent and stopped before recording the
 * answer asks the provider's records: found in Oxen's, it is resumed (delivered, billed once, its
 * entry settled at Oxen's cost); absent, it is sent (once); ambiguous, it fails as possibly billed,
 * saying why. The stopped worker is played by writing what it leaves behind: the job's `sent` mark,
 * the ledger entry it marked possibly billed, and (when its request arrived) the generation at Oxen.
 */

const redisUrl = useRedisServer();
const PRICE = 0.03; // qwen-image-edit, per image, in the simulator's catalogue
const request = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Paint the door red',
  images: ['https://images.example.com/door.png'],
};

let sim: OxenSimulator;
let directory: string;
let name: string;
let budget: { maxUsd: number; name: string };
const opened: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  sim = await startOxenSimulator({ jobSchedule: { queuedMs: 5, processingMs: 50 } });
  directory = await mkdtemp(join(tmpdir(), 'retouch-takeover-'));
  name = uniqueName('takeover');
  budget = { maxUsd: 1, name: uniqueName('budget') };
});
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
  await sim.close();
  await rm(directory, { recursive: true, force: true });
});

function spendStore(): RedisSpendStore {
  const store = createRedisSpendStore({ connection: redisUrl(), name: budget.name });
  opened.push(store);
  return store;
}

/** The request as the stopped worker sent it, arriving at Oxen. */
async function arrivedAtOxen(): Promise<void> {
  await fetch(`${sim.url}/api/ai/queue`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'qwen-image-edit',
      prompt: request.prompt,
      input_image: request.images[0],
    }),
  });
}

/** A job as a worker leaves it when it dies right after marking it sent at `sentAt`. */
async function sentByStoppedWorker(options: { jobId: string; sentAt: number }): Promise<QueuedEdit> {
  const edits = createEditQueue({ connection: redisUrl(), name });
  opened.push(edits);
  const handle = await edits.add(request, { jobId: options.jobId });
  const raw = new Queue(name, { connection: { url: redisUrl() }, prefix: 'retouch:queue' });
  opened.push(raw);
  const job = (await Job.fromId(raw, options.jobId))!;
  await job.updateData({ ...job.data, sent: { at: options.sentAt, worker: 'stopped-worker' } });
  const store = spendStore();
  const key = `${name}:${options.jobId}`;
  await store.reserve({ key, model: request.model, usd: PRICE, maxUsd: budget.maxUsd });
  await store.markPossiblyBilled({ key });
  return handle;
}

/** The worker taking the job over. */
function survivor(options: Partial<EditWorkerOptions> = {}): void {
  opened.push(
    createEditWorker({
      connection: redisUrl(),
      name,
      providers: [createOxen({ apiKey: sim.apiKey, baseURL: sim.url, mode: 'queue', pollIntervalMs: 20 })],
      output: join(directory, 'out'),
      handleSignals: false,
      retouch: { budget },
      ...options,
    }),
  );
}

describeWithRedis('a sent job taken over consults Oxen’s records', { timeout: 30_000 }, () => {
  test('received by Oxen: resumed, delivered, billed once, its entry settled at Oxen’s cost', async () => {
    const sentAt = Date.now();
    const edit = await sentByStoppedWorker({ jobId: 'received', sentAt });
    await arrivedAtOxen();
    survivor();
    const result = await edit.result();
    expect(result.resumed).toBe(true);
    expect(result.images).toHaveLength(1);
    expect(result.cost).toEqual({ usd: PRICE, source: 'reported' });
    expect(sim.billableCount).toBe(1);
    expect(sim.requests.filter((each) => each.route === 'POST /api/ai/queue')).toHaveLength(1);
    const store = spendStore();
    expect(await store.entries()).toMatchObject([
      { key: `${name}:received`, state: 'settled', costUsd: PRICE, costSource: 'reported' },
    ]);
    expect(await store.usage()).toMatchObject({ spentUsd: PRICE, possiblyBilledUsd: 0, reservedUsd: 0 });
  });

  test('never received by Oxen: its entry released, then sent once and billed once', async () => {
    const edit = await sentByStoppedWorker({ jobId: 'lost-on-the-way', sentAt: Date.now() - 6_000 });
    survivor();
    const result = await edit.result();
    expect(result.resumed).toBe(false);
    expect(result.images).toHaveLength(1);
    expect(sim.billableCount).toBe(1);
    const store = spendStore();
    expect(await store.entries()).toMatchObject([{ key: `${name}:lost-on-the-way`, state: 'settled' }]);
    expect(await store.usage()).toMatchObject({ spentUsd: PRICE, possiblyBilledUsd: 0, reservedUsd: 0 });
  });

  test('ambiguous: possibly billed, saying why, and not sent again', async () => {
    // Long enough ago that the records would list it: no wait before the lookup.
    const edit = await sentByStoppedWorker({ jobId: 'ambiguous', sentAt: Date.now() - 6_000 });
    await arrivedAtOxen();
    await arrivedAtOxen();
    survivor();
    const error = (await edit.result().catch((caught: unknown) => caught)) as QueuedEditError;
    expect(error.errorName).toBe('PossiblyBilledError');
    expect(error.message).toMatch(
      /the provider's records cannot tell: Oxen lists 2 generations of qwen-image-edit with this prompt .* where this request made 1/,
    );
    expect(error.possiblyBilledUsd).toBe(PRICE);
    expect(sim.billableCount).toBe(2);
    const store = spendStore();
    expect(await store.entries()).toMatchObject([{ key: `${name}:ambiguous`, state: 'possibly-billed' }]);
  });

  test('with fallback models, a requested model that never received it still leaves it possibly billed', async () => {
    const edit = await sentByStoppedWorker({ jobId: 'fallbacks', sentAt: Date.now() - 6_000 });
    survivor({ retouch: { budget, fallback: ['oxen:qwen-image-edit-plus'] } });
    const error = (await edit.result().catch((caught: unknown) => caught)) as QueuedEditError;
    expect(error.errorName).toBe('PossiblyBilledError');
    expect(error.message).toContain('the stopped worker may have sent it to a fallback model');
    expect(sim.billableCount).toBe(0);
  });
});
