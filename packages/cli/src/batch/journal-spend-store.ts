import {
  roundUsd,
  type SpendEntry,
  type SpendReservation,
  type SpendStore,
  type SpendTotals,
} from '@retouch/core';

/**
 * Runs `work` alone among the journal's reads and writes, once the records other openers of the file
 * appended are read; `write` appends text and resolves once it is flushed to disk.
 */
export type JournalTurn = <T>(work: (write: (text: string) => Promise<void>) => Promise<T>) => Promise<T>;

/** A slack of a millionth of a cent, so floating-point sums never refuse an edit that fits exactly. */
const CAP_SLACK_USD = 1e-9;

/**
 * The spend ledger of `retouch batch`, kept in its journal: every change is appended as a record and
 * flushed to disk before the call returns, so a rerun after a crash (even `kill -9`) starts with every
 * earlier entry counted: settled costs, and the estimates of edits that may have been billed. The
 * journal is the batch's own, written by one process at a time; reopening it reads every entry back.
 */
export class JournalSpendStore implements SpendStore {
  readonly #entries: Map<string, SpendEntry>;
  readonly #turn: JournalTurn;

  /**
   * `entries` is the journal's map of entries, which the journal keeps up to date with what other
   * openers of the file appended; `turn` runs each change alone, after reading those appends.
   */
  constructor(options: { entries: Map<string, SpendEntry>; turn: JournalTurn }) {
    this.#entries = options.entries;
    this.#turn = options.turn;
  }

  /** The entry of `key`, if the ledger has one. */
  entry(key: string): SpendEntry | undefined {
    const entry = this.#entries.get(key);
    return entry ? { ...entry } : undefined;
  }

  reserve(options: { key: string; model: string; usd: number; maxUsd?: number }): Promise<SpendReservation> {
    return this.#turn(async (write) => {
      const committedUsd = roundUsd(this.#committed());
      const existing = this.#entries.get(options.key);
      if (existing && existing.state !== 'released')
        return { ok: true, committedUsd, inherited: existing.state };
      const { usd, maxUsd } = options;
      const fits =
        maxUsd === undefined ||
        !(committedUsd + usd > maxUsd + CAP_SLACK_USD || (usd === 0 && committedUsd >= maxUsd));
      if (!fits) return { ok: false, committedUsd };
      await this.#put(write, {
        key: options.key,
        model: options.model,
        state: 'reserved',
        estimateUsd: usd,
        updatedAt: Date.now(),
      });
      return { ok: true, committedUsd };
    });
  }

  markPossiblyBilled(options: { key: string }): Promise<void> {
    return this.#turn(async (write) => {
      const entry = this.#entries.get(options.key);
      if (entry?.state !== 'reserved') return;
      await this.#put(write, { ...entry, state: 'possibly-billed', updatedAt: Date.now() });
    });
  }

  settle(options: {
    key: string;
    model: string;
    usd?: number;
    source?: 'reported' | 'estimated';
    estimateUsd?: number;
    providerJobId?: string;
  }): Promise<void> {
    return this.#turn(async (write) => {
      const entry = this.#entries.get(options.key);
      if (entry?.state === 'settled') return;
      const estimateUsd =
        entry && entry.state !== 'released' ? entry.estimateUsd : (options.estimateUsd ?? 0);
      const providerJobId = options.providerJobId ?? entry?.providerJobId;
      await this.#put(write, {
        key: options.key,
        model: entry?.model || options.model,
        state: 'settled',
        estimateUsd,
        costUsd: options.usd ?? estimateUsd,
        costSource: options.usd === undefined ? 'estimated' : (options.source ?? 'reported'),
        ...(providerJobId !== undefined ? { providerJobId } : {}),
        updatedAt: Date.now(),
      });
    });
  }

  release(options: { key: string }): Promise<void> {
    return this.#turn(async (write) => {
      const entry = this.#entries.get(options.key);
      if (!entry || entry.state === 'settled' || entry.state === 'released') return;
      await this.#put(write, { ...entry, state: 'released', updatedAt: Date.now() });
    });
  }

  totals(): Promise<SpendTotals> {
    return this.#turn(async () => {
      let settledUsd = 0;
      let possiblyBilledUsd = 0;
      let reservedUsd = 0;
      for (const entry of this.#entries.values()) {
        if (entry.state === 'settled') settledUsd += entry.costUsd ?? entry.estimateUsd;
        else if (entry.state === 'possibly-billed') possiblyBilledUsd += entry.estimateUsd;
        else if (entry.state === 'reserved') reservedUsd += entry.estimateUsd;
      }
      return {
        settledUsd: roundUsd(settledUsd),
        possiblyBilledUsd: roundUsd(possiblyBilledUsd),
        reservedUsd: roundUsd(reservedUsd),
      };
    });
  }

  entries(options?: { since?: number; until?: number }): Promise<SpendEntry[]> {
    return this.#turn(async () => {
      const since = options?.since ?? Number.NEGATIVE_INFINITY;
      const until = options?.until ?? Number.POSITIVE_INFINITY;
      return [...this.#entries.values()]
        .filter((entry) => entry.updatedAt >= since && entry.updatedAt <= until)
        .sort((left, right) => left.updatedAt - right.updatedAt)
        .map((entry) => ({ ...entry }));
    });
  }

  /**
   * Releases the holds a stopped run left: their requests never left (an entry is possibly billed,
   * on disk, before its request is sent), so they cost nothing.
   */
  async releaseUnsent(): Promise<void> {
    for (const entry of [...this.#entries.values()]) {
      if (entry.state === 'reserved') await this.release({ key: entry.key });
    }
  }

  #committed(): number {
    let total = 0;
    for (const entry of this.#entries.values()) {
      if (entry.state === 'settled') total += entry.costUsd ?? entry.estimateUsd;
      else if (entry.state !== 'released') total += entry.estimateUsd;
    }
    return total;
  }

  /** Changes the entry here and on disk, within the turn. */
  #put(write: (text: string) => Promise<void>, entry: SpendEntry): Promise<void> {
    this.#entries.delete(entry.key);
    this.#entries.set(entry.key, entry);
    return write(`${JSON.stringify({ type: 'spend', entry })}\n`);
  }
}
