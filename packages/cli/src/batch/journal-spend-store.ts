import {
  applySpendChange,
  roundUsd,
  type SpendChange,
  type SpendEntry,
  type SpendReservation,
  type SpendStore,
  SpendTally,
  type SpendTotals,
} from '@retouch/core';

/**
 * Runs `work` alone among the journal's reads and writes, once the records other openers of the file
 * appended are read; `write` appends text and resolves once it is flushed to disk.
 */
export type JournalTurn = <T>(work: (write: (text: string) => Promise<void>) => Promise<T>) => Promise<T>;

/**
 * The spend ledger of `retouch batch`, kept in its journal: every change is appended as a record and
 * flushed to disk before the call returns, so a rerun after a crash (even `kill -9`) starts with every
 * earlier entry counted: settled costs, and the estimates of edits that may have been billed. The
 * journal is the batch's own, written by one process at a time; reopening it reads every entry back.
 * The ledger's rules are core's (`applySpendChange`); its money is kept as entries change.
 */
export class JournalSpendStore implements SpendStore {
  readonly #entries: Map<string, SpendEntry>;
  readonly #turn: JournalTurn;
  readonly #tally = new SpendTally();

  /**
   * `entries` is the journal's map of entries, which the journal keeps up to date with what other
   * openers of the file appended (then calls {@link recount}); `turn` runs each change alone, after
   * reading those appends.
   */
  constructor(options: { entries: Map<string, SpendEntry>; turn: JournalTurn }) {
    this.#entries = options.entries;
    this.#turn = options.turn;
    this.recount();
  }

  /** Counts the money of every entry again, once entries changed behind the store (records read back). */
  recount(): void {
    this.#tally.clear();
    for (const entry of this.#entries.values()) this.#tally.replace({ previous: undefined, next: entry });
  }

  /** The entry of `key`, if the ledger has one. */
  entry(key: string): SpendEntry | undefined {
    const entry = this.#entries.get(key);
    return entry ? { ...entry } : undefined;
  }

  reserve(options: Parameters<SpendStore['reserve']>[0]): Promise<SpendReservation> {
    return this.#apply({ type: 'reserve', ...options }).then((outcome) => outcome.reservation!);
  }

  async markPossiblyBilled(options: { key: string }): Promise<void> {
    await this.#apply({ type: 'mark-possibly-billed', key: options.key });
  }

  async settle(options: Parameters<SpendStore['settle']>[0]): Promise<void> {
    await this.#apply({ type: 'settle', ...options });
  }

  async release(options: { key: string }): Promise<void> {
    await this.#apply({ type: 'release', key: options.key });
  }

  totals(): Promise<SpendTotals> {
    return this.#turn(async () => this.#tally.totals());
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

  /** Applies the ledger's rules to the change's entry within a turn, and keeps the outcome on disk. */
  #apply(change: SpendChange): Promise<{ reservation?: SpendReservation }> {
    return this.#turn(async (write) => {
      const outcome = applySpendChange({
        entry: this.#entries.get(change.key),
        change,
        // Rounded, so that a sum of many entries is checked against the cap as the totals show it.
        committedUsd: roundUsd(this.#tally.committedUsd),
        now: Date.now(),
      });
      if (outcome.entry) await this.#put({ write, entry: outcome.entry });
      return outcome.reservation ? { reservation: outcome.reservation } : {};
    });
  }

  /** Changes the entry here and on disk, within the turn. */
  #put(options: { write: (text: string) => Promise<void>; entry: SpendEntry }): Promise<void> {
    const { entry } = options;
    this.#tally.replace({ previous: this.#entries.get(entry.key), next: entry });
    this.#entries.delete(entry.key);
    this.#entries.set(entry.key, entry);
    return options.write(`${JSON.stringify({ type: 'spend', entry })}\n`);
  }
}
