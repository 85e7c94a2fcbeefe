import { type Cost, roundUsd } from '../cost.ts';
import { BudgetExceededError } from '../errors/budget-exceeded-error.ts';

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
  /**
   * Where the money is counted. By default the client keeps it; a store shared by several processes
   * (`@retouch/queue` keeps one in Redis) makes the cap hold across all of them.
   * @default an in-memory store of this client
   */
  store?: BudgetStore;
}

/** What {@link BudgetStore.reserve} answers. */
export interface BudgetStoreReservation {
  /** Whether the amount was held. */
  ok: boolean;
  /** Spent plus reserved before this reservation, in US dollars. */
  committedUsd: number;
}

/**
 * Where a budget's spent and reserved money is kept. Each method must be atomic where the store is
 * shared: `reserve` checks and holds in one step, so two processes can never both take the last dollar.
 *
 * @example
 * // The in-memory store every client uses by default, written out.
 * let spent = 0;
 * let reserved = 0;
 * const store: BudgetStore = {
 *   async reserve({ usd, maxUsd }) {
 *     const committedUsd = spent + reserved;
 *     if (committedUsd + usd > maxUsd + 1e-9 || (usd === 0 && committedUsd >= maxUsd)) return { ok: false, committedUsd };
 *     reserved += usd;
 *     return { ok: true, committedUsd };
 *   },
 *   async settle({ reservedUsd, spentUsd }) {
 *     reserved -= reservedUsd;
 *     spent += spentUsd;
 *   },
 * };
 */
export interface BudgetStore {
  /**
   * Holds `usd` when spent plus reserved plus `usd` stays within `maxUsd` (a zero amount fits while
   * spent plus reserved is below `maxUsd`). Returns whether it was held, and spent plus reserved
   * before it.
   */
  reserve(options: { usd: number; maxUsd: number }): Promise<BudgetStoreReservation>;
  /**
   * Settles money: takes `reservedUsd` off the reserved total and adds `spentUsd` to the spent one
   * (a commit moves a reservation to spent; a release passes `spentUsd: 0`; a cost that was never
   * reserved passes `reservedUsd: 0`).
   */
  settle(options: { reservedUsd: number; spentUsd: number }): Promise<void>;
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
  readonly #store: BudgetStore | undefined;
  #spentUsd = 0;
  #reservedUsd = 0;

  constructor(options: BudgetOptions | undefined) {
    // Checked by createRetouch's options schema.
    this.#maxUsd = options?.maxUsd;
    this.#unknownCost = options?.unknownCost ?? 'refuse';
    this.#store = options?.store;
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
  async reserve(options: { model: string; estimate: Cost | undefined }): Promise<Reservation> {
    const maxUsd = this.#maxUsd;
    const usd = options.estimate?.usd ?? 0;
    if (maxUsd !== undefined) {
      const committed = this.#spentUsd + this.#reservedUsd;
      if (options.estimate === undefined && this.#unknownCost === 'refuse') {
        throw new BudgetExceededError({
          message: `Budget: the cost of an edit on ${options.model} cannot be estimated (no published price), so the $${format(maxUsd)} budget could not be kept; set budget.unknownCost: "allow" to send such edits and count their reported cost`,
          maxUsd,
          committedUsd: roundUsd(committed),
          requestedUsd: 0,
        });
      }
      const held = this.#store
        ? await this.#store.reserve({ usd, maxUsd })
        : fits({ committedUsd: committed, usd, maxUsd });
      if (!held.ok) {
        throw new BudgetExceededError({
          message: `Budget exceeded: an edit on ${options.model} is estimated at $${format(usd)}, but $${format(held.committedUsd)} of the $${format(maxUsd)} budget is already spent or reserved${this.#store ? ' across every client sharing it' : ''}; raise budget.maxUsd, or wait for edits in flight to settle`,
          maxUsd,
          committedUsd: roundUsd(held.committedUsd),
          requestedUsd: usd,
        });
      }
    }
    this.#reservedUsd += usd;
    return { usd, settled: false };
  }

  /** Replaces the reservation with what the edit cost: the reported cost, else the estimate. */
  async commit(reservation: Reservation, options: { cost: Cost | undefined }): Promise<void> {
    if (reservation.settled) return;
    reservation.settled = true;
    const spent = options.cost?.usd ?? reservation.usd;
    this.#reservedUsd -= reservation.usd;
    this.#spentUsd += spent;
    await this.#store?.settle({ reservedUsd: reservation.usd, spentUsd: spent });
  }

  /** Returns the reservation of an edit that provably cost nothing. */
  async release(reservation: Reservation): Promise<void> {
    if (reservation.settled) return;
    reservation.settled = true;
    this.#reservedUsd -= reservation.usd;
    await this.#store?.settle({ reservedUsd: reservation.usd, spentUsd: 0 });
  }

  /** Counts a cost that was never reserved (a job resumed from an earlier process). */
  async record(cost: Cost | undefined): Promise<void> {
    if (!cost) return;
    this.#spentUsd += cost.usd;
    await this.#store?.settle({ reservedUsd: 0, spentUsd: cost.usd });
  }
}

/** The in-memory check: whether `usd` more fits under `maxUsd`. */
function fits(options: { committedUsd: number; usd: number; maxUsd: number }): {
  ok: boolean;
  committedUsd: number;
} {
  const { committedUsd, usd, maxUsd } = options;
  // A millionth of a cent of slack keeps floating-point sums from refusing an edit that fits exactly.
  const ok = !(committedUsd + usd > maxUsd + 1e-9 || (usd === 0 && committedUsd >= maxUsd));
  return { ok, committedUsd };
}

/**
 * An amount with four decimals, as prices are published ($0.0530, not $0.05): a refusal that rounds
 * would contradict itself. Below a cent, two significant digits ($0.00083).
 */
function format(usd: number): string {
  return usd === 0 || Math.abs(usd) >= 0.01 ? usd.toFixed(4) : usd.toPrecision(2);
}
