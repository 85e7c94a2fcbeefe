import { type Cost, roundUsd } from '../cost.ts';
import { BudgetExceededError } from '../errors/budget-exceeded-error.ts';
import { createMemorySpendStore } from './memory-spend-store.ts';
import type { SpendState, SpendStore } from './spend-store.ts';

/**
 * A spending cap for one client. Each edit's estimated cost is reserved before anything is sent; an
 * edit that would take spent plus reserved past `maxUsd` is refused with `BudgetExceededError`.
 *
 * @example
 * const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 5 } });
 */
export interface BudgetOptions {
  /**
   * The most the client may spend, in US dollars. Without it (a `store` is then required) the client
   * caps nothing and keeps its account in the store, so that a later client with a cap counts it.
   */
  maxUsd?: number;
  /**
   * What to do with an edit whose cost cannot be estimated (the provider publishes no price for the
   * model): `refuse` it, since the cap could not be kept, or `allow` it and count its reported cost
   * once it settles (the result then carries a warning).
   * @default 'refuse'
   */
  unknownCost?: 'refuse' | 'allow';
  /**
   * Where the money is counted, one entry per billable edit. By default the client keeps it in memory;
   * a store shared by several processes (`@retouch/queue` keeps one in Redis, `retouch batch` one in
   * its journal) makes the cap hold across all of them and across restarts.
   * @default createMemorySpendStore()
   */
  store?: SpendStore;
}

/** One billable edit's place in the ledger, from its reservation until it is settled or released. */
export interface SpendHold {
  /** The edit's billing identity. */
  readonly key: string;
  /** The `provider:model` it goes to. */
  readonly model: string;
  /** The held estimate, in US dollars (0 when the cost is unknown and allowed). */
  readonly usd: number;
  /** Where it stands in this process. */
  state: SpendState;
}

/**
 * The client's account of money, kept in a {@link SpendStore}: every billable edit is reserved before
 * anything is sent, possibly billed from the moment its request leaves the lane, then settled (the
 * provider's cost, else the estimate) or released (only when the provider provably did not process
 * it). A cap counts all three. Without a budget it still keeps the account, for `stats()`.
 */
export class SpendLedger {
  readonly #maxUsd: number | undefined;
  readonly #unknownCost: 'refuse' | 'allow';
  readonly #store: SpendStore;
  readonly #shared: boolean;
  #spentUsd = 0;
  #possiblyBilledUsd = 0;
  #reservedUsd = 0;

  constructor(options: BudgetOptions | undefined) {
    // Checked by createRetouch's options schema.
    this.#maxUsd = options?.maxUsd;
    this.#unknownCost = options?.unknownCost ?? 'refuse';
    this.#shared = options?.store !== undefined;
    this.#store = options?.store ?? createMemorySpendStore();
  }

  /** Whether a cap is set. */
  get capped(): boolean {
    return this.#maxUsd !== undefined;
  }

  /** Settled by this client, in US dollars. */
  get spentUsd(): number {
    return roundUsd(this.#spentUsd);
  }

  /** Estimates of this client's edits that may have been billed and are not settled, in US dollars. */
  get possiblyBilledUsd(): number {
    return roundUsd(this.#possiblyBilledUsd);
  }

  /** Held for this client's edits not sent yet, in US dollars. */
  get reservedUsd(): number {
    return roundUsd(this.#reservedUsd);
  }

  /** The store's totals: every process sharing it. */
  totals(): ReturnType<SpendStore['totals']> {
    return this.#store.totals();
  }

  /**
   * Holds `estimate` for the edit keyed `key`, or throws `BudgetExceededError` when that would cross
   * the cap (or the cost is unknown and `unknownCost` is `refuse`). Called before anything is sent. A
   * key the store already holds (a job taken over from a stopped process) is inherited; one it already
   * settled is refused, since sending it again would pay twice.
   */
  async reserve(options: { key: string; model: string; estimate: Cost | undefined }): Promise<SpendHold> {
    const maxUsd = this.#maxUsd;
    const usd = options.estimate?.usd ?? 0;
    if (maxUsd !== undefined && options.estimate === undefined && this.#unknownCost === 'refuse') {
      const { settledUsd, possiblyBilledUsd, reservedUsd } = await this.#store.totals();
      throw new BudgetExceededError({
        message: `Budget: the cost of an edit on ${options.model} cannot be estimated (no published price), so the $${formatUsd(maxUsd)} budget could not be kept; set budget.unknownCost: "allow" to send such edits and count their reported cost`,
        maxUsd,
        committedUsd: roundUsd(settledUsd + possiblyBilledUsd + reservedUsd),
        requestedUsd: 0,
      });
    }
    const held = await this.#store.reserve({
      key: options.key,
      model: options.model,
      usd,
      ...(maxUsd !== undefined ? { maxUsd } : {}),
    });
    if (!held.ok) {
      throw new BudgetExceededError({
        message: `Budget exceeded: an edit on ${options.model} is estimated at $${formatUsd(usd)}, but $${formatUsd(held.committedUsd)} of the $${formatUsd(maxUsd ?? 0)} budget is already spent, possibly billed or reserved${this.#shared ? ' across every client sharing it' : ''}; raise budget.maxUsd, or wait for edits in flight to settle`,
        maxUsd: maxUsd ?? 0,
        committedUsd: roundUsd(held.committedUsd),
        requestedUsd: roundUsd(usd),
      });
    }
    if (held.inherited === 'settled') {
      throw new BudgetExceededError({
        message: `Budget: the edit with billing key "${options.key}" was already charged; sending it again would pay twice, so give the new edit a billing key of its own`,
        maxUsd: maxUsd ?? 0,
        committedUsd: roundUsd(held.committedUsd),
        requestedUsd: roundUsd(usd),
      });
    }
    const state = held.inherited ?? 'reserved';
    this.#count(state, usd, 1);
    return { key: options.key, model: options.model, usd, state };
  }

  /**
   * The edit's billable request is leaving: from now on it may be billed. Resolves at once for the
   * in-memory store; a shared or durable store is awaited before the request leaves.
   */
  markPossiblyBilled(hold: SpendHold): Promise<void> | undefined {
    if (hold.state !== 'reserved') return undefined;
    this.#move(hold, 'possibly-billed');
    const written = this.#store.markPossiblyBilled({ key: hold.key });
    return this.#shared ? written : undefined;
  }

  /** Charges the edit: `cost` when known (reported, or computed from the provider's prices), else the estimate. */
  async settle(hold: SpendHold, options: { cost: Cost | undefined; providerJobId?: string }): Promise<void> {
    if (hold.state === 'settled' || hold.state === 'released') return;
    const { cost } = options;
    this.#count(hold.state, hold.usd, -1);
    hold.state = 'settled';
    this.#spentUsd += cost?.usd ?? hold.usd;
    await this.#store.settle({
      key: hold.key,
      model: hold.model,
      ...(cost ? { usd: cost.usd, source: cost.source } : {}),
      estimateUsd: hold.usd,
      ...(options.providerJobId !== undefined ? { providerJobId: options.providerJobId } : {}),
    });
  }

  /** Returns the hold of an edit that provably cost nothing. */
  async release(hold: SpendHold): Promise<void> {
    if (hold.state === 'settled' || hold.state === 'released') return;
    this.#move(hold, 'released');
    await this.#store.release({ key: hold.key });
  }

  /**
   * Leaves a failed edit possibly billed: its estimate keeps counting until the provider's records
   * say otherwise.
   */
  async leavePossiblyBilled(hold: SpendHold): Promise<void> {
    if (hold.state !== 'reserved') return;
    await this.markPossiblyBilled(hold);
  }

  /**
   * Charges an edit resumed from a snapshot, possibly taken in another process: keyed as it was there,
   * so a shared store counts it once, with the reported cost, else the estimate it held.
   */
  async settleResumed(options: {
    key: string;
    model: string;
    cost: Cost | undefined;
    estimate: Cost | undefined;
    providerJobId: string;
  }): Promise<void> {
    const { cost } = options;
    this.#spentUsd += cost?.usd ?? options.estimate?.usd ?? 0;
    await this.#store.settle({
      key: options.key,
      model: options.model,
      ...(cost ? { usd: cost.usd, source: cost.source } : {}),
      ...(options.estimate !== undefined ? { estimateUsd: options.estimate.usd } : {}),
      providerJobId: options.providerJobId,
    });
  }

  #move(hold: SpendHold, state: SpendState): void {
    this.#count(hold.state, hold.usd, -1);
    hold.state = state;
    this.#count(state, hold.usd, 1);
  }

  #count(state: SpendState, usd: number, sign: 1 | -1): void {
    if (state === 'reserved') this.#reservedUsd += sign * usd;
    else if (state === 'possibly-billed') this.#possiblyBilledUsd += sign * usd;
  }
}

/**
 * An amount with four decimals, as prices are published ($0.0530, not $0.05): a refusal that rounds
 * would contradict itself. Below a cent, two significant digits ($0.00083).
 */
export function formatUsd(usd: number): string {
  return usd === 0 || Math.abs(usd) >= 0.01 ? usd.toFixed(4) : usd.toPrecision(2);
}
