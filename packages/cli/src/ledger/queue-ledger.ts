import type { SpendEntry, SpendTotals } from '@retouch/core';
import { type LedgerSend, RANGE_MARGIN_MS } from './compare-ledger.ts';

/** What a queue's shared ledger recorded: its entries, each sent edit's model, prompt and time. */
export interface QueueLedger {
  entries: SpendEntry[];
  /** By billing key. */
  sends: Map<string, LedgerSend>;
  totals: SpendTotals;
  /** The range to read the provider's records over, epoch ms. */
  range: { from: number; to: number };
}

/**
 * Reads the spend ledger `retouch worker` keeps in Redis for the queue `queue` (budget `budgetName`):
 * the entries of the queue's jobs (keyed `<queue>:<job id>`, a resend `…:resent-<time>`), and from each
 * job what was sent and when, so entries without a provider job id can be matched by model, prompt
 * and time.
 */
export async function readQueueLedger(options: {
  redis: string;
  queue: string;
  budgetName: string;
  from?: number;
  to?: number;
}): Promise<QueueLedger> {
  const { createEditQueue, createRedisSpendStore } = await import('@retouch/queue');
  const store = createRedisSpendStore({ connection: options.redis, name: options.budgetName });
  const queue = createEditQueue({ connection: options.redis, name: options.queue });
  try {
    const prefix = `${options.queue}:`;
    const entries = (await store.entries()).filter((entry) => entry.key.startsWith(prefix));
    const sends = new Map<string, LedgerSend>();
    for (const entry of entries) {
      const jobId = entry.key.slice(prefix.length).replace(/:resent-\d+$/, '');
      const sent = await (await queue.get(jobId))?.sent();
      if (!sent) continue;
      const resentAt = /:resent-(\d+)$/.exec(entry.key)?.[1];
      // A resend's own time is not kept on the job: its window starts at the send it repeats.
      sends.set(entry.key, {
        model: sent.model,
        prompt: sent.prompt,
        at: resentAt === undefined ? sent.at : Number(resentAt),
      });
    }
    const times = [...[...sends.values()].map((send) => send.at), ...entries.map((entry) => entry.updatedAt)];
    const from = options.from ?? (times.length > 0 ? Math.min(...times) : Date.now()) - RANGE_MARGIN_MS;
    const to = options.to ?? Date.now();
    const inRange = entries.filter((entry) => {
      const at = sends.get(entry.key)?.at ?? entry.updatedAt;
      return at >= from && at <= to;
    });
    return { entries: inRange, sends, totals: await store.totals(), range: { from, to } };
  } finally {
    await Promise.allSettled([queue.close(), store.close()]);
  }
}
