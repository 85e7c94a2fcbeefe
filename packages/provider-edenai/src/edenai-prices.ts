/**
 * Published per-image prices of well-known Eden AI image models, for estimates and budget caps when
 * Eden's catalogue (`GET /v3/images/models`) lists a model without a per-image price: Eden's
 * `pricing` object is open and its image keys are not documented, and OpenAI-family models are
 * listed with token prices. An edit's real cost is the `cost` Eden reports with the result; these
 * only decide what an edit is expected to cost before it is sent.
 *
 * Each entry names where its price was read and when. Refresh the table when Eden's prices change.
 */
export interface EdenAIPublishedPrice {
  /** USD per output image. */
  readonly perImageUsd: number;
  /** Where the price is published. */
  readonly source: string;
  /** When the source was read (the page's last change), `YYYY-MM-DD`. */
  readonly checked: string;
}

/** Eden AI's table of image-generation providers and prices ("Available Providers"). */
const IMAGE_GENERATION_PAGE =
  'Eden AI docs, v3/expert-models/features/image/generation, "Available Providers"';
const PAGE_DATE = '2026-07-27';

const published = (perImageUsd: number): EdenAIPublishedPrice => ({
  perImageUsd,
  source: IMAGE_GENERATION_PAGE,
  checked: PAGE_DATE,
});

/** Per-image prices by Eden model id (`provider/model`). */
export const EDENAI_PUBLISHED_PRICES: Readonly<Record<string, EdenAIPublishedPrice>> = {
  'openai/gpt-image-2': published(0.053),
  'openai/gpt-image-1.5': published(0.034),
  'openai/gpt-image-1': published(0.042),
  'openai/gpt-image-1-mini': published(0.011),
  'google/gemini-2.5-flash-image': published(0.039),
  'google/gemini-3-pro-image-preview': published(0.039),
  'google/imagen-3.0-capability-001': published(0.04),
};

/**
 * The published price of a model, or `undefined` for a model the table does not hold.
 *
 * @example
 * edenaiPublishedPrice('google/gemini-2.5-flash-image')?.perImageUsd; // 0.039
 */
export function edenaiPublishedPrice(modelId: string): EdenAIPublishedPrice | undefined {
  return Object.hasOwn(EDENAI_PUBLISHED_PRICES, modelId) ? EDENAI_PUBLISHED_PRICES[modelId] : undefined;
}
