import { roundUsd } from './values.ts';

/**
 * An account's USD balance (when the simulator was given `credits`) and what accepted work has cost
 * since the recording was last cleared.
 */
export class CreditBalance {
  #remaining: number | undefined;
  #spentUsd = 0;
  /** Told of every charge, for the simulator's bill. */
  onCharge: ((usd: number) => void) | undefined;

  /** `undefined` for an account without a balance, which can always pay. */
  constructor(remaining: number | undefined) {
    this.#remaining = remaining;
  }

  /** What is left, USD; `undefined` without a balance. */
  get remaining(): number | undefined {
    return this.#remaining;
  }

  /** What accepted work has cost, USD. */
  get spentUsd(): number {
    return this.#spentUsd;
  }

  /** Whether the balance can pay `amount` (always, without a balance). */
  covers(amount: number): boolean {
    return !(this.#remaining !== undefined && this.#remaining < amount);
  }

  /** Pays `amount` from the balance, even past zero: the work was already accepted. */
  charge(amount: number): void {
    if (this.#remaining !== undefined) this.#remaining = roundUsd(this.#remaining - amount);
    this.#spentUsd = roundUsd(this.#spentUsd + amount);
    this.onCharge?.(amount);
  }

  /** Pays `amount` when the balance covers it; says whether it did. */
  chargeIfCovered(amount: number): boolean {
    if (!this.covers(amount)) return false;
    this.charge(amount);
    return true;
  }

  /** Starts counting `spentUsd` again from zero; the balance stays as it is. */
  clearSpent(): void {
    this.#spentUsd = 0;
  }
}
