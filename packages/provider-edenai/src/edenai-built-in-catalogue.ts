import type { ModelInfo } from '@retouch/core';
import { toModelInfo } from './edenai-models.ts';
import { EDENAI_PUBLISHED_PRICES } from './edenai-prices.ts';

/** The Eden AI image models the adapter knows without asking Eden, and when their prices were read. */
export interface EdenAIBuiltInCatalogue {
  /** When the published prices were read, `YYYY-MM-DD`. */
  readonly checked: string;
  /** The models of the published price table, with their prices, as `retouch.listModels()` lists them. */
  readonly models: readonly ModelInfo[];
}

/**
 * The models of the adapter's published price table, for when Eden's live catalogue cannot be read
 * (no key, no network). Eden serves many more models than the table holds, so a model missing from
 * it is not known to be missing from Eden; the live catalogue (`retouch.listModels()`) is the
 * authority.
 *
 * @example
 * const { checked, models } = edenaiBuiltInCatalogue();
 */
export function edenaiBuiltInCatalogue(): EdenAIBuiltInCatalogue {
  const entries = Object.entries(EDENAI_PUBLISHED_PRICES);
  return {
    checked:
      entries
        .map(([, price]) => price.checked)
        .sort()
        .at(-1) ?? '',
    models: entries.map(([id]) => toModelInfo({ id })),
  };
}
