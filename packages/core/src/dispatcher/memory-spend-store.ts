import { applySpendChange, type SpendChange } from './spend-change.ts';
import type { SpendEntry, SpendReservation, SpendStore, SpendTotals } from './spend-store.ts';
import { SpendTally } from './spend-tally.ts';

/** How many settled or released entries a memory store remembers by default. */
const DEFAULT_REMEMBERED = 10_000;

/** Options of {@link createMemorySpendStore}. */
export interface MemorySpendStoreOptions {
  /** Entries an earlier run recorded (a journal read back, say), counted from the start. */
  entries?: readonly SpendEntry[];
  /**
   * How many settled or released entries are kept for `entries()` and for settling twice safely; older
   * ones are forgotten (their money stays in the totals), so a long-running process does not grow.
   * @default 10000
   */
  remember?: number;
}

/**
 * A {@link SpendStore} in this process's memory: what every client uses when its budget names no
 * store.
 *
 * @example
 * const store = createMemorySpendStore();
 * const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 5, store } });
 * await retouch.edit(request);
 * console.log(await store.totals()); // { settledUsd: 0.03, possiblyBilledUsd: 0, reservedUsd: 0 }
 */
export function createMemorySpendStore(options?: MemorySpendStoreOptions): SpendStore {
  return new MemorySpendStore({
    entries: options?.entries ?? [],
    remember: options?.remember ?? DEFAULT_REMEMBERED,
  });
}

class MemorySpendStore implements SpendStore {
  readonly #entries = new Map<string, SpendEntry>();
  readonly #tally = new SpendTally();
  /** Keys of settled or released entries, oldest first, to forget beyond `remember`. */
  readonly #finished: string[] = [];
  readonly #remember: number;

  constructor(options: { entries: readonly SpendEntry[]; remember: number }) {
    this.#remember = options.remember;
    for (const entry of options.entries) this.#replace({ ...entry });
  }

  async reserve(options: Parameters<SpendStore['reserve']>[0]): Promise<SpendReservation> {
    return this.#apply({ type: 'reserve', ...options }).reservation!;
  }

  async markPossiblyBilled(options: { key: string }): Promise<void> {
    this.#apply({ type: 'mark-possibly-billed', key: options.key });
  }

  async settle(options: Parameters<SpendStore['settle']>[0]): Promise<void> {
    this.#apply({ type: 'settle', ...options });
  }

  async release(options: { key: string }): Promise<void> {
    this.#apply({ type: 'release', key: options.key });
  }

  async totals(): Promise<SpendTotals> {
    return this.#tally.totals();
  }

  async entries(options?: { since?: number; until?: number }): Promise<SpendEntry[]> {
    const since = options?.since ?? Number.NEGATIVE_INFINITY;
    const until = options?.until ?? Number.POSITIVE_INFINITY;
    return [...this.#entries.values()]
      .filter((entry) => entry.updatedAt >= since && entry.updatedAt <= until)
      .sort((a, b) => a.updatedAt - b.updatedAt)
      .map((entry) => ({ ...entry }));
  }

  /** Applies the ledger's rules to the change's entry and keeps the outcome. */
  #apply(change: SpendChange): { reservation?: SpendReservation } {
    const outcome = applySpendChange({
      entry: this.#entries.get(change.key),
      change,
      committedUsd: this.#tally.committedUsd,
      now: Date.now(),
    });
    if (outcome.entry) this.#replace(outcome.entry);
    return outcome.reservation ? { reservation: outcome.reservation } : {};
  }

  /** Puts `entry` in place of the key's current one, moving its money between the totals. */
  #replace(entry: SpendEntry): void {
    this.#tally.replace({ previous: this.#entries.get(entry.key), next: entry });
    this.#entries.set(entry.key, entry);
    if (entry.state === 'settled' || entry.state === 'released') this.#forgetOld(entry.key);
  }

  #forgetOld(key: string): void {
    this.#finished.push(key);
    while (this.#finished.length > this.#remember) {
      const old = this.#finished.shift()!;
      const entry = this.#entries.get(old);
      // A key reserved again since is in use; its money is counted, so only the entry goes.
      if (entry && (entry.state === 'settled' || entry.state === 'released') && old !== key) {
        this.#entries.delete(old);
      }
    }
  }
}
