/**
 * Scale out: three workers share one Eden AI account through Redis. Together they keep its limit of
 * 10 requests a second (not 10 each) and one budget, while a producer adds 24 edits and follows them.
 * In production each worker is its own process, on any machine that reaches Redis; here they share
 * one process so the example is a single file.
 *
 * Needs a Redis: REDIS_URL=redis://127.0.0.1:6379 npx pnpm@10 example scaling-out
 * (the example runner and the test suite start a throwaway redis-server when it is installed).
 */
import { fileURLToPath } from 'node:url';
import { createEdenAI } from '@retouch/provider-edenai';
import { createEditQueue, createEditWorker, createRedisSpendStore } from '@retouch/queue';

const redis = process.env.REDIS_URL;
if (!redis) {
  console.error('Set REDIS_URL to a Redis, e.g. REDIS_URL=redis://127.0.0.1:6379');
  process.exit(1);
}
const name = 'scaling-out-example';
// A budget of its own for each run of the example; a real deployment keeps one name per budget.
const budget = { maxUsd: 2, name: `${name}-${Date.now()}` };

// #region workers
const workers = [1, 2, 3].map(() =>
  createEditWorker({
    connection: redis,
    name,
    // The key comes from EDENAI_API_KEY; the base URL defaults to the real API.
    providers: [createEdenAI({ baseURL: process.env.EDENAI_BASE_URL })],
    // The account's limits, the same in every worker: Redis makes them hold for all of them together.
    retouch: { limits: { edenai: { requestsPerSecond: 10, concurrency: 6 } }, budget },
    concurrency: 4,
    output: '.retouch-out/scaling-out',
  }),
);
await Promise.all(workers.map((worker) => worker.ready()));
// #endregion workers

// #region producer
const queue = createEditQueue({ connection: redis, name });
const photo = fileURLToPath(new URL('./assets/photo.png', import.meta.url));
const edits = await queue.addBulk(
  Array.from({ length: 24 }, (_, index) => ({
    request: {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: `Variation ${index + 1}: turn the sky into a sunset`,
      // Every worker must be able to read this path (here they share a machine; otherwise a shared volume).
      images: [{ path: photo }],
    },
    jobId: `${budget.name}-photo-${index + 1}`,
  })),
);
const results = await Promise.all(edits.map((edit) => edit.result()));
// #endregion producer

const byWorker = new Map<string, number>();
for (const result of results) byWorker.set(result.worker, (byWorker.get(result.worker) ?? 0) + 1);
const spent = results.reduce((total, result) => total + (result.cost?.usd ?? 0), 0);
console.log(`${results.length} edits done by ${byWorker.size} workers, $${spent.toFixed(4)} in total`);
console.log(`first output: ${'path' in results[0]!.images[0]! ? results[0]!.images[0]!.path : ''}`);

const store = createRedisSpendStore({ connection: redis, name: budget.name });
const usage = await store.usage();
console.log(
  `budget: $${usage.spentUsd.toFixed(4)} spent, ~$${usage.possiblyBilledUsd.toFixed(4)} possibly billed, of $${budget.maxUsd.toFixed(2)}; peak $${usage.peakCommittedUsd.toFixed(4)}`,
);

// What SIGTERM does in a worker process: stop taking jobs, finish or hand back those in flight.
await Promise.all(workers.map((worker) => worker.close()));
await Promise.all([queue.close(), store.close()]);
