import { BudgetExceededError, createRetouch } from '@retouch/core';
import { afterEach, expect, test } from 'vitest';
import { createRedisBudgetStore, type RedisBudgetStore } from '../src/index.ts';
import { describeWithRedis, uniqueName, until, useRedisServer } from './support/redis.ts';
import {
  createWireProvider,
  startWireServer,
  type WireServer,
  wireRequest,
} from './support/wire-provider.ts';

const redisUrl = useRedisServer();
let server: WireServer | undefined;
const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
  await server?.close();
  server = undefined;
});

function store(name: string, leaseMs = 30_000): RedisBudgetStore {
  const created = createRedisBudgetStore({ connection: redisUrl(), name, leaseMs });
  opened.push(created);
  return created;
}

describeWithRedis('a budget kept in Redis', () => {
  test('one cap across processes: reservations racing for the last dollar never pass it', async () => {
    const name = uniqueName('race');
    const stores = [store(name), store(name), store(name)];
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) => stores[index % 3]!.reserve({ usd: 0.03, maxUsd: 1 })),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(33);
    const usage = await stores[0]!.usage();
    expect(usage.reservedUsd).toBeCloseTo(0.99, 9);
    expect(usage.peakCommittedUsd).toBeLessThanOrEqual(1);
    await Promise.all(
      outcomes.map((outcome, index) =>
        outcome.ok ? stores[index % 3]!.settle({ reservedUsd: 0.03, spentUsd: 0.03 }) : undefined,
      ),
    );
    expect(await stores[1]!.usage()).toEqual({ spentUsd: 0.99, reservedUsd: 0, peakCommittedUsd: 0.99 });
  });

  test('two Retouch clients sharing the store keep one cap', async () => {
    server = await startWireServer({ costUsd: 0.4 });
    const name = uniqueName('clients');
    const clients = [0, 1].map(() => {
      const retouch = createRetouch({
        providers: [createWireProvider({ baseURL: server!.url, priceUsd: 0.4 })],
        budget: { maxUsd: 1, store: store(name) },
      });
      opened.push(retouch);
      return retouch;
    });
    const outcomes = await Promise.allSettled(
      clients.flatMap((retouch, index) =>
        [0, 1].map((edit) => retouch.edit(wireRequest(`c${index} e${edit}`))),
      ),
    );
    const refused = outcomes.filter(
      (outcome) => outcome.status === 'rejected' && BudgetExceededError.isInstance(outcome.reason),
    );
    expect(refused).toHaveLength(2);
    expect(server.billed).toHaveLength(2);
    const usage = await store(name).usage();
    expect(usage.spentUsd).toBeCloseTo(0.8, 9);
    expect(usage.reservedUsd).toBe(0);
    expect(usage.peakCommittedUsd).toBeLessThanOrEqual(1);
  });

  test('the reservations of a process that stopped without settling stop counting once its lease ends', async () => {
    const name = uniqueName('lease');
    const crashed = createRedisBudgetStore({ connection: redisUrl(), name, leaseMs: 1_000 });
    expect((await crashed.reserve({ usd: 0.5, maxUsd: 1 })).ok).toBe(true);
    await crashed.close(); // no settle: the process "died"
    const survivor = store(name, 1_000);
    expect((await survivor.reserve({ usd: 0.6, maxUsd: 1 })).ok).toBe(false);
    await until(async () => (await survivor.usage()).reservedUsd === 0);
    expect((await survivor.reserve({ usd: 0.6, maxUsd: 1 })).ok).toBe(true);
  });

  test('reset() forgets the budget', async () => {
    const name = uniqueName('reset');
    const budget = store(name);
    await budget.reserve({ usd: 0.25, maxUsd: 1 });
    await budget.settle({ reservedUsd: 0.25, spentUsd: 0.25 });
    await budget.reset();
    expect(await budget.usage()).toEqual({ spentUsd: 0, reservedUsd: 0, peakCommittedUsd: 0 });
  });
});
