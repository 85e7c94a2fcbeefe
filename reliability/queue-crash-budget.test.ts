/**
 * A budget shared by queue workers in separate processes, while one of them dies (SIGKILL) or is
 * stopped (SIGTERM, handing its jobs back): the provider never bills past the cap, and the ledger in
 * Redis counts exactly what the provider billed, each edit once, whichever worker settled it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEditQueue, createRedisSpendStore, type QueuedEditError } from '@retouch/queue';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { hasRedisServer, type RedisServer, startRedisServer } from '../scripts/lib/redis-server.ts';
import type { QueueWorkerChildSettings } from './support/queue-worker-child.ts';
import {
  killQueueWorkers,
  type QueueWorkerProcess,
  startQueueWorker,
  until,
} from './support/queue-workers.ts';

/** What the simulator charges for one edit on this model. */
const PRICE_USD = 0.03;
const MODEL = 'oxen:qwen-image-edit';
const CAP_EDITS = 8;
/** Money is compared in the ledger's units, ten-millionths of a dollar: exactly, not nearly. */
const units = (usd: number): number => Math.round(usd * 10_000_000);

let redis: RedisServer | undefined;
let oxen: OxenSimulator;
let directory: string;

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

/** Runs the scenario: 6 edits, one worker stopped with `signal` mid-run, 6 more; returns the figures. */
async function crashWithBudget(signal: 'SIGKILL' | 'SIGTERM') {
  const redisUrl = redis!.url;
  // Jobs run long enough that the stopped worker has provider jobs in flight.
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 100, processingMs: 1_200 } });
  directory = await mkdtemp(join(tmpdir(), 'retouch-queue-crash-'));
  const queueName = `crash-${signal.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}`;
  const budget = { maxUsd: CAP_EDITS * PRICE_USD, name: `${queueName}-budget` };
  const settings: QueueWorkerChildSettings = {
    redisUrl,
    queueName,
    oxenUrl: oxen.url,
    oxenApiKey: oxen.apiKey,
    output: join(directory, 'out'),
    budget,
    lockDurationMs: 1_000,
    stalledIntervalMs: 300,
    shutdownGraceMs: 100,
    concurrency: 2,
  };
  const workers: QueueWorkerProcess[] = [];
  for (let index = 0; index < 3; index++) workers.push(await startQueueWorker(settings));
  const queue = createEditQueue({ connection: redisUrl, name: queueName });
  const store = createRedisSpendStore({ connection: redisUrl, name: budget.name });
  try {
    const request = (index: number) => ({
      request: { model: MODEL, prompt: `edit ${index}`, images: ['https://example.com/cat.png'] },
      jobId: `edit-${index}`,
    });
    const first = await queue.addBulk([1, 2, 3, 4, 5, 6].map(request));
    // Mid-run: the provider accepted the six edits (they run for over a second), spread over the workers.
    await until(() => oxen.billableCount >= 6, 30_000);
    const stopped = workers[0]!;
    stopped.child.kill(signal);
    const exit = await stopped.exited;
    const more = await queue.addBulk([7, 8, 9, 10, 11, 12].map(request));
    const outcomes = await Promise.allSettled([...first, ...more].map((edit) => edit.result()));
    const errorNames = outcomes.flatMap((outcome) =>
      outcome.status === 'rejected' ? [(outcome.reason as QueuedEditError).errorName] : [],
    );
    const failuresPossiblyBilledUsd = outcomes.reduce(
      (total, outcome) =>
        total +
        (outcome.status === 'rejected' ? ((outcome.reason as QueuedEditError).possiblyBilledUsd ?? 0) : 0),
      0,
    );
    const completed = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const usage = await store.usage();
    return {
      exit,
      stderr: stopped.stderr(),
      billed: oxen.billableCount,
      billedUsd: oxen.billableCount * PRICE_USD,
      usage,
      ledgerUsd: usage.spentUsd + usage.possiblyBilledUsd,
      completed: completed.length,
      resumed: completed.filter((result) => result.resumed).length,
      refused: errorNames.filter((name) => name === 'BudgetExceededError').length,
      possiblyBilled: errorNames.filter((name) => name === 'PossiblyBilledError').length,
      otherErrors: errorNames.filter(
        (name) => name !== 'BudgetExceededError' && name !== 'PossiblyBilledError',
      ),
      entries: await store.entries(),
      failuresPossiblyBilledUsd,
    };
  } finally {
    await killQueueWorkers();
    await Promise.all([queue.close(), store.close()]);
  }
}

function report(signal: string, figures: Awaited<ReturnType<typeof crashWithBudget>>): void {
  const { usage } = figures;
  console.log(
    `Queue crash with a budget (${signal}): 3 workers, cap ${CAP_EDITS} edits ($${(CAP_EDITS * PRICE_USD).toFixed(2)}), 12 edits: ` +
      `provider billed ${figures.billed} ($${figures.billedUsd.toFixed(4)}); ledger $${figures.ledgerUsd.toFixed(4)} ` +
      `(settled $${usage.spentUsd.toFixed(4)}, ~$${usage.possiblyBilledUsd.toFixed(4)} possibly billed, $${usage.reservedUsd.toFixed(4)} reserved, peak $${usage.peakCommittedUsd.toFixed(4)}); ` +
      `${figures.completed} completed (${figures.resumed} resumed), ${figures.refused} refused by the budget, ${figures.possiblyBilled} possibly billed`,
  );
}

describe.skipIf(!hasRedisServer)('queue workers sharing a budget across a crash', { timeout: 90_000 }, () => {
  test('SIGKILL one of 3 workers mid-run, then 6 more edits: billed ≤ cap, and the ledger equals what was billed', async () => {
    const figures = await crashWithBudget('SIGKILL');
    report('SIGKILL', figures);
    expect(figures.exit.signal).toBe('SIGKILL');
    expect(figures.otherErrors).toEqual([]);
    expect(figures.billed).toBeLessThanOrEqual(CAP_EDITS);
    expect(units(figures.ledgerUsd)).toBe(units(figures.billedUsd));
    expect(figures.usage.reservedUsd).toBe(0);
    // The failed edits say what the ledger counts of them as possibly billed.
    expect(units(figures.failuresPossiblyBilledUsd)).toBe(units(figures.usage.possiblyBilledUsd));
    expect(figures.usage.peakCommittedUsd).toBeLessThanOrEqual(CAP_EDITS * PRICE_USD);
    // Every edit is accounted for: delivered, refused before sending, or possibly billed.
    expect(figures.completed + figures.refused + figures.possiblyBilled).toBe(12);
    // One entry per billed edit, none held.
    const counted = figures.entries.filter(
      (entry) => entry.state === 'settled' || entry.state === 'possibly-billed',
    );
    expect(counted).toHaveLength(figures.billed);
  });

  test('SIGTERM one of 3 workers mid-run (it hands its jobs back), then 6 more edits: billed ≤ cap, and the ledger equals what was billed', async () => {
    const figures = await crashWithBudget('SIGTERM');
    report('SIGTERM', figures);
    expect(figures.exit).toEqual({ code: 0, signal: null });
    expect(figures.stderr).toBe('');
    expect(figures.otherErrors).toEqual([]);
    expect(figures.possiblyBilled).toBe(0);
    expect(figures.resumed).toBeGreaterThan(0);
    expect(figures.billed).toBeLessThanOrEqual(CAP_EDITS);
    expect(units(figures.ledgerUsd)).toBe(units(figures.billedUsd));
    expect(figures.usage).toMatchObject({ possiblyBilledUsd: 0, reservedUsd: 0 });
    expect(figures.completed + figures.refused).toBe(12);
  });
});
