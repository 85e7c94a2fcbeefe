import { BudgetExceededError, createRetouch } from '@retouch/core';
import { afterEach, expect, test } from 'vitest';
import { describeSpendStoreBehaviour } from '../../core/test/support/spend-store-behaviour.ts';
import { createRedisSpendStore, type RedisSpendStore } from '../src/index.ts';
import { describeWithRedis, uniqueName, useRedisServer } from './support/redis.ts';
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

function store(name: string): RedisSpendStore {
  const created = createRedisSpendStore({ connection: redisUrl(), name });
  opened.push(created);
  return created;
}

describeWithRedis('the spend ledger kept in Redis', () => {
  // Each test of the kit opens its own name; stores opened under one name share its money.
  const run = uniqueName('kit');
  describeSpendStoreBehaviour({ open: async (name) => store(`${run}-${name}`), shared: true });
});

describeWithRedis('a budget kept in Redis', () => {
  test('one cap across processes: reservations racing for the last dollar never pass it', async () => {
    const name = uniqueName('race');
    const stores = [store(name), store(name), store(name)];
    const outcomes = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        stores[index % 3]!.reserve({ key: `job-${index}`, model: 'p:m', usd: 0.03, maxUsd: 1 }),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(33);
    const usage = await stores[0]!.usage();
    expect(usage.reservedUsd).toBe(0.99);
    expect(usage.peakCommittedUsd).toBeLessThanOrEqual(1);
    await Promise.all(
      outcomes.map((outcome, index) =>
        outcome.ok
          ? stores[(index + 1) % 3]!.settle({
              key: `job-${index}`,
              model: 'p:m',
              usd: 0.03,
              source: 'reported',
            })
          : undefined,
      ),
    );
    expect(await stores[1]!.usage()).toEqual({
      spentUsd: 0.99,
      possiblyBilledUsd: 0,
      reservedUsd: 0,
      peakCommittedUsd: 0.99,
    });
    expect(await stores[2]!.entries()).toHaveLength(33);
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
    expect(usage.spentUsd).toBe(0.8);
    expect(usage.possiblyBilledUsd).toBe(0);
    expect(usage.reservedUsd).toBe(0);
    expect(usage.peakCommittedUsd).toBeLessThanOrEqual(1);
  });

  test('the hold of a process that stopped without settling is the job’s: it never lapses, and a taker inherits it', async () => {
    const name = uniqueName('inherit');
    const crashed = createRedisSpendStore({ connection: redisUrl(), name });
    expect((await crashed.reserve({ key: 'queue:7', model: 'p:m', usd: 0.5, maxUsd: 1 })).ok).toBe(true);
    await crashed.close(); // no settle: the process "died"
    const taker = store(name);
    expect((await taker.reserve({ key: 'queue:8', model: 'p:m', usd: 0.6, maxUsd: 1 })).ok).toBe(false);
    expect(await taker.reserve({ key: 'queue:7', model: 'p:m', usd: 0.5, maxUsd: 1 })).toEqual({
      ok: true,
      committedUsd: 0.5,
      inherited: 'reserved',
    });
    expect(await taker.entry('queue:7')).toMatchObject({ state: 'reserved', estimateUsd: 0.5 });
  });

  test('releaseUnsent returns a reserved hold and leaves a possibly billed one counted', async () => {
    const ledger = store(uniqueName('unsent'));
    await ledger.reserve({ key: 'unsent', model: 'p:m', usd: 0.25, maxUsd: 1 });
    await ledger.reserve({ key: 'sent', model: 'p:m', usd: 0.25, maxUsd: 1 });
    await ledger.markPossiblyBilled({ key: 'sent' });
    expect(await ledger.releaseUnsent({ key: 'unsent' })).toBe(true);
    expect(await ledger.releaseUnsent({ key: 'sent' })).toBe(false);
    expect(await ledger.releaseUnsent({ key: 'unknown' })).toBe(false);
    expect(await ledger.usage()).toEqual({
      spentUsd: 0,
      possiblyBilledUsd: 0.25,
      reservedUsd: 0,
      peakCommittedUsd: 0.5,
    });
  });

  test('reset() forgets the budget', async () => {
    const budget = store(uniqueName('reset'));
    await budget.reserve({ key: 'a', model: 'p:m', usd: 0.25, maxUsd: 1 });
    await budget.settle({ key: 'a', model: 'p:m', usd: 0.25, source: 'reported' });
    await budget.reset();
    expect(await budget.usage()).toEqual({
      spentUsd: 0,
      possiblyBilledUsd: 0,
      reservedUsd: 0,
      peakCommittedUsd: 0,
    });
    expect(await budget.entries()).toEqual([]);
  });

  test('a closed store says so; bad options are refused before connecting', async () => {
    const closed = createRedisSpendStore({ connection: redisUrl(), name: uniqueName('closed') });
    await closed.close();
    await expect(closed.totals()).rejects.toThrow('this spend store is closed');
    expect(() => createRedisSpendStore({ connection: redisUrl(), name: 'no spaces' })).toThrow(
      'createRedisSpendStore: name must be 1 to 100 letters',
    );
  });
});
