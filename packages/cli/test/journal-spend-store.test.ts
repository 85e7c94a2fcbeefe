import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeSpendStoreBehaviour } from '../../core/test/support/spend-store-behaviour.ts';
import { BatchJournal } from '../src/batch/journal.ts';

let directory: string;
const opened: BatchJournal[] = [];
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'retouch-journal-'));
});
afterAll(async () => {
  for (const journal of opened) await journal.close();
  await rm(directory, { recursive: true, force: true });
});

const names = new Set<string>();

/**
 * Opens the journal `name`: the first opening is a run; later ones stand for another process on the
 * same journal (a run's lock is its own, so they open it as `retouch ledger` does, without a run).
 */
async function openJournal(name: string): Promise<BatchJournal> {
  const run = !names.has(name);
  names.add(name);
  const journal = await BatchJournal.open({
    path: join(directory, `${name}.jsonl`),
    manifest: '/m.jsonl',
    run,
  });
  opened.push(journal);
  return journal;
}

describe('the batch journal as a spend store', () => {
  describeSpendStoreBehaviour({ open: async (name) => (await openJournal(name)).spend, shared: true });

  test('every change is on disk when the call returns, and a reopened journal counts it all', async () => {
    const first = await openJournal('durable');
    await first.spend.reserve({ key: 'a', model: 'p:m', usd: 0.05, maxUsd: 0.12 });
    await first.spend.markPossiblyBilled({ key: 'a' });
    await first.spend.reserve({ key: 'b', model: 'p:m', usd: 0.05, maxUsd: 0.12 });
    await first.spend.markPossiblyBilled({ key: 'b' });
    await first.spend.settle({ key: 'b', model: 'p:m', usd: 0.04, source: 'reported' });
    await first.spend.reserve({ key: 'c', model: 'p:m', usd: 0.02, maxUsd: 0.12 });
    const records = (await readFile(join(directory, 'durable.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(records.filter((record) => record.type === 'spend')).toHaveLength(6);

    // As after kill -9: a second process opens the journal while the first still holds it.
    const second = await openJournal('durable');
    expect(await second.spend.totals()).toEqual({
      settledUsd: 0.04,
      possiblyBilledUsd: 0.05,
      reservedUsd: 0.02,
    });
    await second.spend.releaseUnsent();
    expect((await second.spend.reserve({ key: 'd', model: 'p:m', usd: 0.05, maxUsd: 0.12 })).ok).toBe(false);
    expect((await second.spend.reserve({ key: 'd', model: 'p:m', usd: 0.03, maxUsd: 0.12 })).ok).toBe(true);
  });
});
