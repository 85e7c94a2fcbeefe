import { type Cost, roundUsd } from '../cost.ts';
import { BudgetExceededError } from '../errors/budget-exceeded-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';

/**
 * A spending cap for one client. Each edit's estimated cost is reserved before anything is sent; an
 * edit that would take spent plus reserved past `maxUsd` is refused with `BudgetExceededError`.
 *
 * @example
 * const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 5 } });
 */
export interface BudgetOptions {
  /** The most the client may spend, in US dollars. */
  maxUsd: number;
  /**
   * What to do with an edit whose cost cannot be estimated (the provider publishes no price for the
   * model): `refuse` it, since the cap could not be kept, or `allow` it and count its reported cost
   * once it settles (the result then carries a warning).
   * @default 'refuse'
   */
  unknownCost?: 'refuse' | 'allow';
}

/** The amount held for one edit in flight. */
export interface Reservation {
  /** The held amount, in US dollars (0 when the cost is unknown and allowed). */
  readonly usd: number;
  /** Set once the reservation is settled, so it is never counted twice. */
  settled: boolean;
}

/**
 * The client's account of money: spent (reported or estimated costs of settled edits, and the
 * reservations of failures that may have been billed) and reserved (estimates of edits in flight).
 * Without a budget it only keeps the account, for `stats()`.
 */
export class BudgetLedger {
  readonly #maxUsd: number | undefined;
  readonly #unknownCost: 'refuse' | 'allow';
  #spentUsd = 0;
  #reservedUsd = 0;

  constructor(options: BudgetOptions | undefined) {
    if (options !== undefined) {
      if (typeof options.maxUsd !== 'number' || !Number.isFinite(options.maxUsd) || options.maxUsd < 0) {
        throw new RetouchError({
          message: `createRetouch: budget.maxUsd must be a number of US dollars ≥ 0, got ${String(options.maxUsd)}`,
        });
      }
      if (options.unknownCost !== undefined && !['refuse', 'allow'].includes(options.unknownCost)) {
        throw new RetouchError({
          message: `createRetouch: budget.unknownCost must be "refuse" or "allow", got ${String(options.unknownCost)}`,
        });
      }
    }
    this.#maxUsd = options?.maxUsd;
    this.#unknownCost = options?.unknownCost ?? 'refuse';
  }

  /** Whether a cap is set. */
  get capped(): boolean {
    return this.#maxUsd !== undefined;
  }

  /** Spent so far, in US dollars. */
  get spentUsd(): number {
    return roundUsd(this.#spentUsd);
  }

  /** Held for edits in flight, in US dollars. */
  get reservedUsd(): number {
    return roundUsd(this.#reservedUsd);
  }

  /**
   * Holds `estimate` for an edit on `model`, or throws `BudgetExceededError` when that would cross the
   * cap (or the cost is unknown and `unknownCost` is `refuse`). Called before anything is sent.
   */
  reserve(options: { model: string; estimate: Cost | undefined }): Reservation {
    const maxUsd = this.#maxUsd;
    const committed = this.#spentUsd + this.#reservedUsd;
    if (maxUsd !== undefined) {
      if (options.estimate === undefined && this.#unknownCost === 'refuse') {
        throw new BudgetExceededError({
          message: `Budget: the cost of an edit on ${options.model} cannot be estimated (no published price), so the $${format(maxUsd)} budget could not be kept; set budget.unknownCost: "allow" to send such edits and count their reported cost`,
          maxUsd,
          committedUsd: roundUsd(committed),
          requestedUsd: 0,
        });
      }
      const requested = options.estimate?.usd ?? 0;
      // A millionth of a cent of slack keeps floating-point sums from refusing an edit that fits exactly.
      if (committed + requested > maxUsd + 1e-9 || (requested === 0 && committed >= maxUsd)) {
        throw new BudgetExceededError({
          message: `Budget exceeded: an edit on ${options.model} is estimated at $${format(requested)}, but $${format(committed)} of the $${format(maxUsd)} budget is already spent or reserved; raise budget.maxUsd, or wait for edits in flight to settle`,
          maxUsd,
          committedUsd: roundUsd(committed),
          requestedUsd: requested,
        });
      }
    }
    const usd = options.estimate?.usd ?? 0;
    this.#reservedUsd += usd;
    return { usd, settled: false };
  }

  /** Replaces the reservation with what the edit cost: the reported cost, else the estimate. */
  commit(reservation: Reservation, options: { cost: Cost | undefined }): void {
    if (reservation.settled) return;
    reservation.settled = true;
    this.#reservedUsd -= reservation.usd;
    this.#spentUsd += options.cost?.usd ?? reservation.usd;
  }

  /** Returns the reservation of an edit that provably cost nothing. */
  release(reservation: Reservation): void {
    if (reservation.settled) return;
    reservation.settled = true;
    this.#reservedUsd -= reservation.usd;
  }

  /** Counts a cost that was never reserved (a job resumed from an earlier process). */
  record(cost: Cost | undefined): void {
    if (cost) this.#spentUsd += cost.usd;
  }
}

function format(usd: number): string {
  return usd.toFixed(usd !== 0 && Math.abs(usd) < 0.01 ? 4 : 2);
}
