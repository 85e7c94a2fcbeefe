import { ApiCallError, type Cost, type ModelInfo, roundUsd } from '@retouch/core';
import type { HttpClient } from '@retouch/core/provider-utils';
import { EDENAI_PATHS, loadWire } from './edenai-api.ts';
import { imageEditSupport, toModelInfo } from './edenai-models.ts';
import { edenaiPublishedPrice } from './edenai-prices.ts';

/**
 * Reads Eden's image-edit models: `GET /v3/images/models` (the image models of the caller's
 * region), or `GET /v3/models` where the image listing is not served (404). Entries that do not
 * parse, and models whose capabilities say they do not both take and output images (chat,
 * generation-only), are left out. An entry whose capabilities lack Eden's documented keys is listed
 * when the built-in price table holds it: the table names edit models only, and a model missing
 * from the list would be refused under every budget.
 */
export async function fetchEdenAIModels(options: {
  http: HttpClient;
  signal?: AbortSignal | undefined;
}): Promise<ModelInfo[]> {
  const { edenaiModelListSchema, edenaiModelSchema } = await loadWire();
  const read = (path: string) =>
    options.http.request({
      method: 'GET',
      path,
      schema: edenaiModelListSchema,
      // A free read: a 429 or 5xx is waited out and sent again rather than failing the listing.
      retry: 2,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  let response: Awaited<ReturnType<typeof read>>;
  try {
    response = await read(EDENAI_PATHS.imageModels);
  } catch (error) {
    if (!ApiCallError.isInstance(error) || error.statusCode !== 404) throw error;
    response = await read(EDENAI_PATHS.models);
  }
  const models: ModelInfo[] = [];
  for (const item of response.data.data) {
    const parsed = edenaiModelSchema.safeParse(item);
    if (!parsed.success) continue;
    const support = imageEditSupport(parsed.data);
    if (support === 'yes' || (support === 'unknown' && edenaiPublishedPrice(parsed.data.id))) {
      models.push(toModelInfo(parsed.data));
    }
  }
  return models;
}

/**
 * What an edit of `n` images on `modelId` is expected to cost, from the listed models' prices (the
 * catalogue's, else Eden's published price for the model), or from the published price alone for a
 * model the catalogue does not list; `undefined` for a model with neither, which a budget cap then
 * refuses.
 */
export function estimateEdenAICost(options: {
  models: readonly ModelInfo[];
  modelId: string;
  n: number;
}): Cost | undefined {
  const price =
    options.models.find((model) => model.modelId === options.modelId)?.pricing?.perImageUsd ??
    edenaiPublishedPrice(options.modelId)?.perImageUsd;
  return price === undefined ? undefined : { usd: roundUsd(price * options.n), source: 'estimated' };
}
