import { roundUsd } from '../cost.ts';
import type { SpendEntry, SpendTotals } from './spend-store.ts';

/**
 * A spend ledger's money, kept as its entries change rather than summed over them each time: a store
 * tells it each entry it replaces and the one it puts in its place.
 *
 * @example
 * const tally = new SpendTally();
 * tally.replace({ previous: undefined, next: entry });
 * tally.totals(); // { settledUsd: 0, possiblyBilledUsd: 0, reservedUsd: 0.03 }
 */
export class SpendTally {
  #settledUsd = 0;
  #possiblyBilledUsd = 0;
  #reservedUsd = 0;

  /** Moves the money of `previous` (the entry replaced, if any) to `next` (its successor, if any). */
  replace(options: { previous: SpendEntry | undefined; next: SpendEntry | undefined }): void {
    if (options.previous) this.#count({ entry: options.previous, sign: -1 });
    if (options.next) this.#count({ entry: options.next, sign: 1 });
  }

  /** Forgets every amount, to count the entries again from nothing. */
  clear(): void {
    this.#settledUsd = 0;
    this.#possiblyBilledUsd = 0;
    this.#reservedUsd = 0;
  }

  /** Settled plus possibly billed plus reserved, unrounded: what a cap is checked against. */
  get committedUsd(): number {
    return this.#settledUsd + this.#possiblyBilledUsd + this.#reservedUsd;
  }

  /** The money by state, rounded. */
  totals(): SpendTotals {
    return {
      settledUsd: roundUsd(this.#settledUsd),
      possiblyBilledUsd: roundUsd(this.#possiblyBilledUsd),
      reservedUsd: roundUsd(this.#reservedUsd),
    };
  }

  #count(options: { entry: SpendEntry; sign: 1 | -1 }): void {
    const { entry, sign } = options;
    if (entry.state === 'reserved') this.#reservedUsd += sign * entry.estimateUsd;
    else if (entry.state === 'possibly-billed') this.#possiblyBilledUsd += sign * entry.estimateUsd;
    else if (entry.state === 'settled') this.#settledUsd += sign * (entry.costUsd ?? entry.estimateUsd);
  }
}
