import { ApiCallError, AuthenticationError, InvalidRequestError } from '@retouch/core';
import { abortable, type HttpClient } from '@retouch/core/provider-utils';
import { loadOxenWire, OXEN_PATHS } from './oxen-api.ts';
import { builtInSpec, type OxenModelSpec, specFromModel, unknownSpec } from './oxen-models.ts';

/** Unwraps `GET /api/ai/models/{name}`, which may answer the model itself or `{ data: model }`. */
function unwrapModel(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  for (const key of ['data', 'model']) {
    const inner = record[key];
    if (typeof inner === 'object' && inner !== null && !Array.isArray(inner)) return inner;
  }
  return body;
}

// A lookup that failed (after its retries) is tried again by the next edit a few seconds on: one
// refused read must not leave every edit of the next minute on the built-in table.
const FAILED_LOOKUP_TTL_MS = 5_000;
// A schema lookup is a small read; waiting a minute for it would delay every edit behind it.
const LOOKUP_TIMEOUT_MS = 15_000;

/**
 * Looks models up once and keeps them: a schema changes rarely, and 200 concurrent edits must not
 * make 200 lookups (a lookup in flight is shared). A lookup is a free read, sent again through the
 * lane after a 429 or 5xx; one that still fails falls back to the built-in table (with its dated
 * prices) and is tried again a few seconds later.
 */
export class OxenModelCatalog {
  readonly #specs = new Map<string, { spec: Promise<OxenModelSpec>; expiresAt: number }>();

  /**
   * The model's facts. Throws `InvalidRequestError` when Oxen says the model does not exist and the
   * built-in table does not know it either; `AuthenticationError` when the key is refused. A lookup
   * goes through the `http` of the call that starts it.
   */
  spec(
    modelId: string,
    options: { http: HttpClient; signal?: AbortSignal | undefined },
  ): Promise<OxenModelSpec> {
    const cached = this.#specs.get(modelId);
    if (cached && cached.expiresAt > Date.now())
      return options.signal ? abortable(cached.spec, options.signal) : cached.spec;
    // The lookup is shared, so one caller's abort must not fail the others: only its wait is abortable.
    const entry = { spec: this.#lookup(modelId, options.http), expiresAt: Number.POSITIVE_INFINITY };
    this.#specs.set(modelId, entry);
    entry.spec.then(
      (spec) => {
        if (spec.source !== 'schema') entry.expiresAt = Date.now() + FAILED_LOOKUP_TTL_MS;
      },
      () => {
        if (this.#specs.get(modelId) === entry) this.#specs.delete(modelId);
      },
    );
    return options.signal ? abortable(entry.spec, options.signal) : entry.spec;
  }

  /** Records models read from the catalogue listing, sparing later lookups. */
  remember(spec: OxenModelSpec): void {
    if (spec.source === 'schema') {
      this.#specs.set(spec.modelId, { spec: Promise.resolve(spec), expiresAt: Number.POSITIVE_INFINITY });
    }
  }

  /** `GET /api/ai/models`, filtered to the models that edit images. */
  async list(options: { http: HttpClient; signal?: AbortSignal | undefined }): Promise<OxenModelSpec[]> {
    const { oxenModelListSchema, parseOxenModel } = await loadOxenWire();
    const response = await options.http.request({
      method: 'GET',
      path: OXEN_PATHS.models,
      schema: oxenModelListSchema,
      // A free read: a 429 or 5xx is waited out and sent again rather than failing the listing.
      retry: 2,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const specs: OxenModelSpec[] = [];
    for (const item of response.data.data) {
      // One malformed entry must not hide every other model.
      const model = parseOxenModel(item);
      if (!model) continue;
      const spec = specFromModel({ model });
      if (!spec?.editCapable || spec.inputImage === undefined) continue;
      this.remember(spec);
      specs.push(spec);
    }
    return specs;
  }

  async #lookup(modelId: string, http: HttpClient): Promise<OxenModelSpec> {
    const builtIn = builtInSpec(modelId);
    const { parseOxenModel } = await loadOxenWire();
    try {
      const response = await http.request({
        method: 'GET',
        path: OXEN_PATHS.model(modelId),
        timeoutMs: LOOKUP_TIMEOUT_MS,
        // A free read: a 429 or 5xx is waited out and sent again before the built-in table stands in.
        retry: 2,
      });
      const model = parseOxenModel(unwrapModel(response.data));
      const spec = model ? specFromModel({ model, modelId }) : undefined;
      if (spec) return { ...spec, modelId };
    } catch (error) {
      if (AuthenticationError.isInstance(error)) throw error;
      const notFound =
        ApiCallError.isInstance(error) && (error.statusCode === 404 || error.code === 'model_not_found');
      if (notFound && !builtIn) {
        throw new InvalidRequestError({
          issues: [
            {
              path: 'model',
              message: `Oxen has no model "${modelId}"; call listModels() on the Oxen provider for the edit models it serves (e.g. "oxen:qwen-image-edit")`,
            },
          ],
          cause: error,
        });
      }
    }
    return builtIn ?? unknownSpec(modelId);
  }
}
