import type * as z from 'zod/mini';
import type { costSchema } from './schemas/cost-schema.ts';

/**
 * What an edit cost, in US dollars. `reported` comes from the provider's own accounting (Eden AI's
 * `cost`, Oxen's generation `cost`); `estimated` from published prices before or instead of that.
 */
export type Cost = z.infer<typeof costSchema>;

/** Adds costs; the sum is `reported` only when every part is. */
export function sumCosts(costs: readonly (Cost | undefined)[]): Cost | undefined {
  const present = costs.filter((cost): cost is Cost => cost !== undefined);
  if (present.length === 0) return undefined;
  return {
    usd: roundUsd(present.reduce((total, cost) => total + cost.usd, 0)),
    source:
      present.every((cost) => cost.source === 'reported') && present.length === costs.length
        ? 'reported'
        : 'estimated',
  };
}

/** Rounds to a tenth of a micro-dollar, removing floating-point noise from sums. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e7) / 1e7;
}
