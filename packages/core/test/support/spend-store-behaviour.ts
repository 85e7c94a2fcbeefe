import type { SpendStore } from '@retouch/core';
import { expect, test } from 'vitest';

/**
 * What every SpendStore must do, as tests: the in-memory store runs them here, and the stores kept in
 * a batch's journal and in Redis run the same ones in their packages. `open` returns a store over the
 * same money each time it is called (a second process, or the same journal reopened) when `reopen` is
 * true, and an empty one otherwise.
 */
export function describeSpendStoreBehaviour(options: {
  open: (name: string) => Promise<SpendStore>;
  /** Whether two stores opened under one name count the same money (Redis, a journal reopened). */
  shared: boolean;
}): void {
  const { open } = options;

  test('reserve holds within the cap and refuses past it, counting every state', async () => {
    const store = await open('cap');
    expect(await store.reserve({ key: 'a', model: 'p:m', usd: 0.4, maxUsd: 1 })).toEqual({
      ok: true,
      committedUsd: 0,
    });
    await store.reserve({ key: 'b', model: 'p:m', usd: 0.4, maxUsd: 1 });
    await store.markPossiblyBilled({ key: 'b' });
    const refused = await store.reserve({ key: 'c', model: 'p:m', usd: 0.4, maxUsd: 1 });
    expect(refused).toEqual({ ok: false, committedUsd: 0.8 });
    expect(await store.totals()).toEqual({ settledUsd: 0, possiblyBilledUsd: 0.4, reservedUsd: 0.4 });
    // A zero amount fits while the sum is below the cap, and no cap always fits.
    expect((await store.reserve({ key: 'd', model: 'p:m', usd: 0, maxUsd: 1 })).ok).toBe(true);
    expect((await store.reserve({ key: 'e', model: 'p:m', usd: 5 })).ok).toBe(true);
  });

  test('an entry moves reserved → possibly billed → settled once, whoever settles it', async () => {
    const store = await open('settle');
    await store.reserve({ key: 'job-1', model: 'p:m', usd: 0.05, maxUsd: 1 });
    await store.markPossiblyBilled({ key: 'job-1' });
    await store.settle({ key: 'job-1', model: 'p:m', usd: 0.04, source: 'reported', providerJobId: 'g-1' });
    await store.settle({ key: 'job-1', model: 'p:m', usd: 0.04, source: 'reported' });
    await store.release({ key: 'job-1' });
    expect(await store.totals()).toEqual({ settledUsd: 0.04, possiblyBilledUsd: 0, reservedUsd: 0 });
    const [entry] = await store.entries();
    expect(entry).toMatchObject({
      key: 'job-1',
      model: 'p:m',
      state: 'settled',
      estimateUsd: 0.05,
      costUsd: 0.04,
      costSource: 'reported',
      providerJobId: 'g-1',
    });
  });

  test('settling without a cost charges the held estimate; an unknown key, the given estimate', async () => {
    const store = await open('estimate');
    await store.reserve({ key: 'held', model: 'p:m', usd: 0.05, maxUsd: 1 });
    await store.markPossiblyBilled({ key: 'held' });
    await store.settle({ key: 'held', model: 'p:m', estimateUsd: 0.99 });
    await store.settle({ key: 'resumed', model: 'p:m', estimateUsd: 0.03 });
    expect(await store.totals()).toEqual({ settledUsd: 0.08, possiblyBilledUsd: 0, reservedUsd: 0 });
    const entries = await store.entries();
    expect(entries.map((entry) => [entry.key, entry.costUsd, entry.costSource])).toEqual([
      ['held', 0.05, 'estimated'],
      ['resumed', 0.03, 'estimated'],
    ]);
  });

  test('a held key is inherited without a second hold, even at the cap; a settled one says so', async () => {
    const store = await open('inherit');
    await store.reserve({ key: 'job-1', model: 'p:m', usd: 1, maxUsd: 1 });
    expect(await store.reserve({ key: 'job-1', model: 'p:m', usd: 1, maxUsd: 1 })).toEqual({
      ok: true,
      committedUsd: 1,
      inherited: 'reserved',
    });
    await store.markPossiblyBilled({ key: 'job-1' });
    expect((await store.reserve({ key: 'job-1', model: 'p:m', usd: 1, maxUsd: 1 })).inherited).toBe(
      'possibly-billed',
    );
    await store.settle({ key: 'job-1', model: 'p:m' });
    expect((await store.reserve({ key: 'job-1', model: 'p:m', usd: 1, maxUsd: 2 })).inherited).toBe(
      'settled',
    );
    expect(await store.totals()).toEqual({ settledUsd: 1, possiblyBilledUsd: 0, reservedUsd: 0 });
  });

  test('release returns a hold, a released key can be reserved again, and settled stays settled', async () => {
    const store = await open('release');
    await store.reserve({ key: 'free', model: 'p:m', usd: 0.5, maxUsd: 1 });
    await store.markPossiblyBilled({ key: 'free' });
    await store.release({ key: 'free' });
    expect(await store.totals()).toEqual({ settledUsd: 0, possiblyBilledUsd: 0, reservedUsd: 0 });
    expect(await store.reserve({ key: 'free', model: 'p:m', usd: 0.5, maxUsd: 1 })).toEqual({
      ok: true,
      committedUsd: 0,
    });
    await store.settle({ key: 'free', model: 'p:m', usd: 0.5, source: 'reported' });
    await store.release({ key: 'free' });
    expect(await store.totals()).toEqual({ settledUsd: 0.5, possiblyBilledUsd: 0, reservedUsd: 0 });
  });

  test('entries are listed oldest change first, bounded by since and until', async () => {
    const store = await open('entries');
    await store.reserve({ key: 'first', model: 'p:m', usd: 0.1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const middle = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.reserve({ key: 'second', model: 'p:m', usd: 0.1 });
    expect((await store.entries()).map((entry) => entry.key)).toEqual(['first', 'second']);
    expect((await store.entries({ since: middle })).map((entry) => entry.key)).toEqual(['second']);
    expect((await store.entries({ until: middle })).map((entry) => entry.key)).toEqual(['first']);
  });

  if (options.shared) {
    test('two stores under one name count the same money, and a hold passes between them', async () => {
      const first = await open('shared');
      const second = await open('shared');
      await first.reserve({ key: 'job-1', model: 'p:m', usd: 0.6, maxUsd: 1 });
      await first.markPossiblyBilled({ key: 'job-1' });
      expect(await second.reserve({ key: 'job-2', model: 'p:m', usd: 0.6, maxUsd: 1 })).toEqual({
        ok: false,
        committedUsd: 0.6,
      });
      expect((await second.reserve({ key: 'job-1', model: 'p:m', usd: 0.6, maxUsd: 1 })).inherited).toBe(
        'possibly-billed',
      );
      await second.settle({ key: 'job-1', model: 'p:m' });
      await first.settle({ key: 'job-1', model: 'p:m', usd: 0.6, source: 'reported' });
      expect(await first.totals()).toEqual({ settledUsd: 0.6, possiblyBilledUsd: 0, reservedUsd: 0 });
      expect(await second.totals()).toEqual({ settledUsd: 0.6, possiblyBilledUsd: 0, reservedUsd: 0 });
    });
  }
}
