import type { BudgetStore } from '@retouch/core';

/**
 * The one purse of a comparison: the client's edits and the judge's answers reserve from it, so the
 * budget holds for both together.
 */
export function createCompareBudget(): BudgetStore {
  let spent = 0;
  let reserved = 0;
  return {
    async reserve({ usd, maxUsd }) {
      const committedUsd = spent + reserved;
      if (committedUsd + usd > maxUsd + 1e-9 || (usd === 0 && committedUsd >= maxUsd)) {
        return { ok: false, committedUsd };
      }
      reserved += usd;
      return { ok: true, committedUsd };
    },
    async settle({ reservedUsd, spentUsd }) {
      reserved -= reservedUsd;
      spent += spentUsd;
    },
  };
}
