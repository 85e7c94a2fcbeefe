import type { SpendEntry, SpendReservation } from './spend-store.ts';

/**
 * The rules of a spend ledger's entries, for the stores that keep them: what each call of a
 * `SpendStore` makes of an entry, whatever holds it (this process's memory, a journal on disk).
 * A store looks the entry up, asks {@link applySpendChange}, and keeps the answer.
 */

/**
 * A slack of a millionth of a cent, so that floating-point sums never refuse an edit that fits the cap
 * exactly.
 */
export const CAP_SLACK_USD = 1e-9;

/**
 * Whether `usd` more fits under `maxUsd` with `committedUsd` already counted: a zero amount fits while
 * the sum is below the cap; no cap always fits.
 *
 * @example
 * fitsCap({ committedUsd: 0.97, usd: 0.03, maxUsd: 1 }); // true
 */
export function fitsCap(options: { committedUsd: number; usd: number; maxUsd: number | undefined }): boolean {
  const { committedUsd, usd, maxUsd } = options;
  if (maxUsd === undefined) return true;
  return !(committedUsd + usd > maxUsd + CAP_SLACK_USD || (usd === 0 && committedUsd >= maxUsd));
}

/**
 * One call of a `SpendStore`, as a change of its key's entry: `reserve`, `markPossiblyBilled`,
 * `settle` or `release`, with that method's options.
 */
export type SpendChange =
  | {
      /** `reserve`: hold `usd` for `key` when it fits under `maxUsd`. */
      type: 'reserve';
      /** The edit's billing identity. */
      key: string;
      /** The `provider:model` it goes to. */
      model: string;
      /** The estimate to hold, in US dollars. */
      usd: number;
      /** The cap, in US dollars; none when absent. */
      maxUsd?: number | undefined;
    }
  | {
      /** `markPossiblyBilled`: the edit's billable request is leaving. */
      type: 'mark-possibly-billed';
      /** The edit's billing identity. */
      key: string;
    }
  | {
      /** `settle`: charge the edit once. */
      type: 'settle';
      /** The edit's billing identity. */
      key: string;
      /** The `provider:model` it went to, for a key the store never held. */
      model: string;
      /** Its cost, in US dollars; the estimate when absent. */
      usd?: number | undefined;
      /** Whether `usd` is the provider's reported cost or computed from prices. */
      source?: 'reported' | 'estimated' | undefined;
      /** The estimate of a key the store never held (an edit resumed from another process). */
      estimateUsd?: number | undefined;
      /** The provider's job id. */
      providerJobId?: string | undefined;
    }
  | {
      /** `release`: the edit provably cost nothing. */
      type: 'release';
      /** The edit's billing identity. */
      key: string;
    };

/** What {@link applySpendChange} makes of an entry. */
export interface SpendChangeOutcome {
  /** The entry as it now stands, to be kept in place of the old one; absent when nothing changes. */
  entry?: SpendEntry;
  /** For `reserve`: the store's answer. */
  reservation?: SpendReservation;
}

/**
 * The ledger's transition rules, pure: the key's entry (`entry`, absent when the store has none)
 * after `change`, at time `now`. `committedUsd` is settled plus possibly billed plus reserved across
 * the store, which `reserve` checks against its cap. A held key is inherited rather than held twice;
 * settled is final; released is reserved anew.
 *
 * @example
 * const { entry, reservation } = applySpendChange({
 *   entry: undefined,
 *   change: { type: 'reserve', key: 'job-1', model: 'oxen:qwen-image-edit', usd: 0.03, maxUsd: 1 },
 *   committedUsd: 0,
 *   now: Date.now(),
 * });
 */
export function applySpendChange(options: {
  entry: SpendEntry | undefined;
  change: SpendChange;
  committedUsd: number;
  now: number;
}): SpendChangeOutcome {
  const { entry, change, committedUsd, now } = options;
  switch (change.type) {
    case 'reserve': {
      if (entry && entry.state !== 'released') {
        return { reservation: { ok: true, committedUsd, inherited: entry.state } };
      }
      if (!fitsCap({ committedUsd, usd: change.usd, maxUsd: change.maxUsd })) {
        return { reservation: { ok: false, committedUsd } };
      }
      return {
        entry: {
          key: change.key,
          model: change.model,
          state: 'reserved',
          estimateUsd: change.usd,
          updatedAt: now,
        },
        reservation: { ok: true, committedUsd },
      };
    }
    case 'mark-possibly-billed':
      return entry?.state === 'reserved'
        ? { entry: { ...entry, state: 'possibly-billed', updatedAt: now } }
        : {};
    case 'settle': {
      if (entry?.state === 'settled') return {};
      const estimateUsd = entry && entry.state !== 'released' ? entry.estimateUsd : (change.estimateUsd ?? 0);
      const providerJobId = change.providerJobId ?? entry?.providerJobId;
      return {
        entry: {
          key: change.key,
          // An entry read from an older journal may not know its model.
          model: entry?.model || change.model,
          state: 'settled',
          estimateUsd,
          costUsd: change.usd ?? estimateUsd,
          costSource: change.usd === undefined ? 'estimated' : (change.source ?? 'reported'),
          ...(providerJobId !== undefined ? { providerJobId } : {}),
          updatedAt: now,
        },
      };
    }
    case 'release':
      return entry && entry.state !== 'settled' && entry.state !== 'released'
        ? { entry: { ...entry, state: 'released', updatedAt: now } }
        : {};
  }
}
