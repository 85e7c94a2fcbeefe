/**
 * Where a budget's money is kept: one entry per billable edit, keyed by the edit's billing identity,
 * moving reserved → possibly billed → settled, or reserved (or possibly billed) → released. The
 * in-memory store serves one process; `retouch batch` keeps one in its journal, and `@retouch/queue`
 * one in Redis, so that whichever process settles an edit, it is counted exactly once.
 */

/**
 * Where one billable edit stands:
 * - `reserved`: its estimate is held; nothing has been sent;
 * - `possibly-billed`: its billable request left the lane, so the provider may bill it; the estimate
 *   counts as spent until the provider's cost is known;
 * - `settled`: it is charged, with the provider's cost, else the estimate;
 * - `released`: the provider provably did not process it; it costs nothing.
 */
export type SpendState = 'reserved' | 'possibly-billed' | 'settled' | 'released';

/**
 * One billable edit in a {@link SpendStore}.
 *
 * @example
 * const entry: SpendEntry = {
 *   key: 'catalogue:line-7',
 *   model: 'oxen:qwen-image-edit',
 *   state: 'settled',
 *   estimateUsd: 0.03,
 *   costUsd: 0.03,
 *   costSource: 'reported',
 *   providerJobId: 'c0ffee',
 *   updatedAt: 1_796_000_000_000,
 * };
 */
export interface SpendEntry {
  /** The edit's billing identity: the same edit, in any process, has the same key. */
  key: string;
  /** The `provider:model` it was sent to. */
  model: string;
  /** Where it stands: reserved, possibly billed, settled or released. */
  state: SpendState;
  /** The estimate held for it, in US dollars (0 when the cost could not be estimated and was allowed). */
  estimateUsd: number;
  /** What it was charged once settled, in US dollars. */
  costUsd?: number;
  /** Whether `costUsd` is the provider's reported cost or the estimate. */
  costSource?: 'reported' | 'estimated';
  /** The provider's job id, once known. */
  providerJobId?: string;
  /** When the entry last changed, in epoch milliseconds. */
  updatedAt: number;
}

/**
 * Money in a {@link SpendStore}, in US dollars. A budget counts all three against its cap.
 *
 * @example
 * const { settledUsd, possiblyBilledUsd } = await store.totals();
 * console.log(`$${settledUsd} spent, ~$${possiblyBilledUsd} possibly billed`);
 */
export interface SpendTotals {
  /** Charged: reported costs, else estimates, of settled edits. */
  settledUsd: number;
  /** The estimates of edits that may have been billed and are not settled. */
  possiblyBilledUsd: number;
  /** The estimates held for edits not sent yet. */
  reservedUsd: number;
}

/**
 * What {@link SpendStore.reserve} answers.
 *
 * @example
 * const { ok, committedUsd } = await store.reserve({ key, model, usd: 0.05, maxUsd: 2 });
 */
export interface SpendReservation {
  /** Whether the edit's estimate is held (or was already: see `inherited`). */
  ok: boolean;
  /** Settled plus possibly billed plus reserved before this reservation, in US dollars. */
  committedUsd: number;
  /**
   * The key already had an entry, which this reservation takes over instead of holding money twice: a
   * job taken over from a stopped process inherits its hold. `state` says where that entry stands.
   */
  inherited?: SpendState;
}

/**
 * Keeps a budget's entries. Every method is atomic where the store is shared (`reserve` checks and
 * holds in one step, so two processes can never both take the last dollar), and keyed, so that
 * settling or releasing an entry twice, from any process, changes nothing the second time.
 *
 * @example
 * import { createMemorySpendStore, createRetouch } from '@retouch/core';
 * const store = createMemorySpendStore();
 * const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 5, store } });
 */
export interface SpendStore {
  /**
   * Holds `usd` for `key` when settled plus possibly billed plus reserved plus `usd` stays within
   * `maxUsd` (a zero amount fits while the sum is below it; no cap always fits). A key that already
   * has a `reserved` or `possibly-billed` entry is inherited, without a second hold and without the
   * check; a `settled` one is answered as inherited too, and holds nothing more; a `released` one is
   * reserved anew.
   */
  reserve(options: { key: string; model: string; usd: number; maxUsd?: number }): Promise<SpendReservation>;
  /**
   * The edit's billable request is leaving: from now on its estimate counts as possibly billed. Called
   * before the request is sent, and awaited, so a crash after it is never taken for an unsent edit.
   */
  markPossiblyBilled(options: { key: string }): Promise<void>;
  /**
   * Charges the edit once: `usd` (its cost, `source` saying whether the provider reported it or it was
   * computed from prices) when given, else the entry's estimate, else `estimateUsd` for a key this
   * store never held (an edit resumed from another process). Settling a settled entry changes nothing.
   */
  settle(options: {
    key: string;
    model: string;
    usd?: number;
    source?: 'reported' | 'estimated';
    estimateUsd?: number;
    providerJobId?: string;
  }): Promise<void>;
  /**
   * Returns the hold of an edit that provably cost nothing (never sent, or refused by the provider
   * before processing). A settled entry stays settled.
   */
  release(options: { key: string }): Promise<void>;
  /** The money counted, over every process sharing the store. */
  totals(): Promise<SpendTotals>;
  /** The entries, oldest change first; `since` and `until` (epoch ms, inclusive) bound `updatedAt`. */
  entries(options?: { since?: number; until?: number }): Promise<SpendEntry[]>;
}
