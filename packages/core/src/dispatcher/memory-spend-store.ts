import { roundUsd } from '../cost.ts';
import type { SpendEntry, SpendReservation, SpendStore, SpendTotals } from './spend-store.ts';

/**
 * A slack of a millionth of a cent, so that floating-point sums never refuse an edit that fits the cap
 * exactly.
 */
export const CAP_SLACK_USD = 1e-9;

/**
 * Whether `usd` more fits under `maxUsd` with `committedUsd` already counted: a zero amount fits while
 * the sum is below the cap; no cap always fits.
 */
export function fitsCap(options: { committedUsd: number; usd: number; maxUsd: number | undefined }): boolean {
  const { committedUsd, usd, maxUsd } = options;
  if (maxUsd === undefined) return true;
  return !(committedUsd + usd > maxUsd + CAP_SLACK_USD || (usd === 0 && committedUsd >= maxUsd));
}

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
  #settledUsd = 0;
  #possiblyBilledUsd = 0;
  #reservedUsd = 0;
  /** Keys of settled or released entries, oldest first, to forget beyond `remember`. */
  readonly #finished: string[] = [];
  readonly #remember: number;

  constructor(options: { entries: readonly SpendEntry[]; remember: number }) {
    this.#remember = options.remember;
    for (const entry of options.entries) this.#replace({ ...entry });
  }

  async reserve(options: {
    key: string;
    model: string;
    usd: number;
    maxUsd?: number;
  }): Promise<SpendReservation> {
    const committedUsd = this.#committed();
    const existing = this.#entries.get(options.key);
    if (existing && existing.state !== 'released') {
      return { ok: true, committedUsd, inherited: existing.state };
    }
    if (!fitsCap({ committedUsd, usd: options.usd, maxUsd: options.maxUsd }))
      return { ok: false, committedUsd };
    this.#replace({
      key: options.key,
      model: options.model,
      state: 'reserved',
      estimateUsd: options.usd,
      updatedAt: Date.now(),
    });
    return { ok: true, committedUsd };
  }

  async markPossiblyBilled(options: { key: string }): Promise<void> {
    const entry = this.#entries.get(options.key);
    if (entry?.state !== 'reserved') return;
    this.#replace({ ...entry, state: 'possibly-billed', updatedAt: Date.now() });
  }

  async settle(options: {
    key: string;
    model: string;
    usd?: number;
    source?: 'reported' | 'estimated';
    estimateUsd?: number;
    providerJobId?: string;
  }): Promise<void> {
    const entry = this.#entries.get(options.key);
    if (entry?.state === 'settled') return;
    const estimateUsd = entry && entry.state !== 'released' ? entry.estimateUsd : (options.estimateUsd ?? 0);
    const providerJobId = options.providerJobId ?? entry?.providerJobId;
    this.#replace({
      key: options.key,
      model: entry?.model ?? options.model,
      state: 'settled',
      estimateUsd,
      costUsd: options.usd ?? estimateUsd,
      costSource: options.usd === undefined ? 'estimated' : (options.source ?? 'reported'),
      ...(providerJobId !== undefined ? { providerJobId } : {}),
      updatedAt: Date.now(),
    });
  }

  async release(options: { key: string }): Promise<void> {
    const entry = this.#entries.get(options.key);
    if (!entry || entry.state === 'settled' || entry.state === 'released') return;
    this.#replace({ ...entry, state: 'released', updatedAt: Date.now() });
  }

  async totals(): Promise<SpendTotals> {
    return {
      settledUsd: roundUsd(this.#settledUsd),
      possiblyBilledUsd: roundUsd(this.#possiblyBilledUsd),
      reservedUsd: roundUsd(this.#reservedUsd),
    };
  }

  async entries(options?: { since?: number; until?: number }): Promise<SpendEntry[]> {
    const since = options?.since ?? Number.NEGATIVE_INFINITY;
    const until = options?.until ?? Number.POSITIVE_INFINITY;
    return [...this.#entries.values()]
      .filter((entry) => entry.updatedAt >= since && entry.updatedAt <= until)
      .sort((a, b) => a.updatedAt - b.updatedAt)
      .map((entry) => ({ ...entry }));
  }

  #committed(): number {
    return this.#settledUsd + this.#possiblyBilledUsd + this.#reservedUsd;
  }

  /** Puts `entry` in place of the key's current one, moving its money between the totals. */
  #replace(entry: SpendEntry): void {
    const previous = this.#entries.get(entry.key);
    if (previous) this.#count(previous, -1);
    this.#entries.set(entry.key, entry);
    this.#count(entry, 1);
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

  #count(entry: SpendEntry, sign: 1 | -1): void {
    if (entry.state === 'reserved') this.#reservedUsd += sign * entry.estimateUsd;
    else if (entry.state === 'possibly-billed') this.#possiblyBilledUsd += sign * entry.estimateUsd;
    else if (entry.state === 'settled') this.#settledUsd += sign * (entry.costUsd ?? entry.estimateUsd);
  }
}
