import {
  type Cost,
  createHttpClient,
  type HttpClient,
  type LaneLimits,
  loadApiKey,
  type ModelCapabilities,
  type ModelInfo,
  type NormalizedEditRequest,
  type PreparedEdit,
  type ProviderAdapter,
  type ProviderCall,
  type ProviderEditOutput,
  RetouchError,
} from '@retouch/core';
import { EDENAI_BASE_URL } from './edenai-api.ts';
import { estimateEdenAICost, fetchEdenAIModels } from './edenai-catalog.ts';
import { mapEditOptions, runEdenAIEdit } from './edenai-edit-model.ts';
import {
  type EdenAITransport,
  type EdenAIUploadMode,
  resolveEdenAIDelivery,
  TRANSPORTS,
  UPLOAD_MODES,
} from './edenai-edit-options.ts';
import { parseEdenAIErrorBody } from './edenai-error.ts';
import { edenaiModelFamily } from './edenai-models.ts';
import { uploadCacheFor } from './edenai-upload.ts';

/** Options of {@link createEdenAI}. */
export interface EdenAIProviderSettings {
  /**
   * The Eden AI API key. Read from `EDENAI_API_KEY` at first use when omitted, so creating the
   * provider never throws for a missing key.
   * @default process.env.EDENAI_API_KEY
   */
  apiKey?: string;
  /**
   * The API host. Use `https://api.eu.edenai.run` to keep data in the EU. A trailing `/v3` is accepted.
   * @default 'https://api.edenai.run'
   */
  baseURL?: string;
  /**
   * How an edit's body is encoded: `auto` picks multipart when an input is local bytes or a file
   * (streamed, never base64-encoded) and JSON when every input is a URL or an Eden file.
   * One request may choose another with `providerOptions.edenai.transport`.
   * @default 'auto'
   */
  transport?: EdenAITransport;
  /**
   * When local inputs are uploaded with `POST /v3/upload` and sent by `file_id`: `auto` uploads a
   * picture of 256 KiB or more once it is used a second time (a comparison across models, a retry)
   * or when the body is JSON; `always` uploads every local input; `never` sends them inline.
   * Uploads are cached by content hash per key and host, and kept by Eden for one day.
   * One request may choose another with `providerOptions.edenai.upload`.
   * @default 'auto'
   */
  upload?: EdenAIUploadMode;
  /** A `fetch` implementation, for proxies or instrumentation. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Extra headers for every request to Eden AI (never an `Authorization` header: use `apiKey`). */
  headers?: Record<string, string>;
  /**
   * Throw `UnsupportedFeatureError` for an option the model would not get as asked (dropped or
   * adjusted), instead of sending the edit with a warning.
   * @default false
   */
  strict?: boolean;
  /**
   * Per-request timeout of edits and uploads, in milliseconds; `false` for none (an edit's own
   * `timeoutMs` still applies). Image models can take more than a minute.
   * @default 300000
   */
  timeoutMs?: number | false;
}

/**
 * The Eden AI provider: a Retouch `ProviderAdapter` for `edenai:provider/model` models, plus
 * `listModels()`.
 */
export interface EdenAIProvider extends ProviderAdapter {
  readonly id: 'edenai';
  /**
   * Eden's image-edit models from `GET /v3/images/models`, with per-image prices: the catalogue's,
   * else Eden's published price for well-known models (see the package README).
   */
  listModels(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;
}

const DEFAULT_TIMEOUT_MS = 300_000;
/** The model list changes rarely; estimates read it at most this often. */
const MODEL_LIST_TTL_MS = 10 * 60 * 1000;

/**
 * Eden AI's documented limit: 10 requests a second per account, shared by its keys.
 * Concurrency follows it, since an edit is one request.
 */
const DEFAULT_LIMITS: LaneLimits = { requestsPerSecond: 10, concurrency: 10 };

/**
 * Creates an Eden AI provider. Nothing is checked against the network and the key is read only at
 * first use.
 *
 * @example
 * import { createRetouch } from '@retouch/core';
 * import { createEdenAI } from '@retouch/provider-edenai';
 *
 * const edenai = createEdenAI({ baseURL: 'https://api.eu.edenai.run', upload: 'always' });
 * const retouch = createRetouch({ providers: [edenai] });
 * const result = await retouch.edit({
 *   model: 'edenai:openai/gpt-image-2',
 *   prompt: 'Replace the sky with a sunset',
 *   images: [{ path: 'beach.jpg' }],
 * });
 * console.log(result.cost); // { usd: 0.042, source: 'reported' }
 */
export function createEdenAI(settings: EdenAIProviderSettings = {}): EdenAIProvider {
  const transport = settings.transport ?? 'auto';
  const upload = settings.upload ?? 'auto';
  const strict = settings.strict ?? false;
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!TRANSPORTS.includes(transport)) {
    throw new RetouchError({
      message: `createEdenAI: transport must be "auto", "json" or "multipart", not ${JSON.stringify(transport)}`,
    });
  }
  if (!UPLOAD_MODES.includes(upload)) {
    throw new RetouchError({
      message: `createEdenAI: upload must be "never", "auto" or "always", not ${JSON.stringify(upload)}`,
    });
  }
  if (upload === 'always' && transport === 'multipart') {
    throw new RetouchError({
      message:
        'createEdenAI: upload "always" sends inputs by file_id, which only a JSON body carries; use transport "auto" or "json", or upload "never"',
    });
  }
  if (timeoutMs !== false && (!Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
    throw new RetouchError({
      message: 'createEdenAI: timeoutMs must be a positive number of milliseconds, or false for none',
    });
  }
  for (const name of Object.keys(settings.headers ?? {})) {
    if (name.toLowerCase() === 'authorization') {
      throw new RetouchError({
        message:
          'createEdenAI: pass the API key as { apiKey } (or EDENAI_API_KEY), not as an Authorization header',
      });
    }
  }
  const baseURL = normalizeBaseURL(settings.baseURL ?? EDENAI_BASE_URL);

  let client: { http: HttpClient; apiKey: string } | undefined;
  const connect = () => {
    if (client) return client;
    const apiKey = loadApiKey({
      apiKey: settings.apiKey,
      environmentVariable: 'EDENAI_API_KEY',
      description: 'Eden AI',
      factory: 'createEdenAI',
    });
    const http = createHttpClient({
      provider: 'edenai',
      baseURL,
      apiKey,
      apiKeyEnvVar: 'EDENAI_API_KEY',
      ...(settings.headers ? { headers: settings.headers } : {}),
      ...(settings.fetch ? { fetch: settings.fetch } : {}),
      parseErrorBody: parseEdenAIErrorBody,
    });
    client = { http, apiKey };
    return client;
  };

  let modelList: { models: Promise<ModelInfo[]>; at: number } | undefined;
  const listModels = async (options: { signal?: AbortSignal } = {}): Promise<ModelInfo[]> => {
    const now = Date.now();
    if (modelList && now - modelList.at < MODEL_LIST_TTL_MS) return modelList.models;
    const { http } = connect();
    const models = fetchEdenAIModels({ http, signal: options.signal });
    const entry = { models, at: now };
    modelList = entry;
    models.catch(() => {
      if (modelList === entry) modelList = undefined;
    });
    return models;
  };

  return {
    id: 'edenai',
    specificationVersion: 1,
    defaultLimits: DEFAULT_LIMITS,

    async prepare(request: NormalizedEditRequest): Promise<PreparedEdit> {
      resolveEdenAIDelivery({ request, defaults: { transport, upload } });
      return { warnings: mapEditOptions({ request, strict }).warnings };
    },

    async edit(call: ProviderCall): Promise<ProviderEditOutput> {
      // Checked before the key is read: a bad request fails the same way with or without one.
      const delivery = resolveEdenAIDelivery({ request: call.request, defaults: { transport, upload } });
      const { http, apiKey } = connect();
      return runEdenAIEdit({
        request: call.request,
        signal: call.signal,
        http,
        uploads: uploadCacheFor({ baseURL, apiKey }),
        transport: delivery.transport,
        upload: delivery.upload,
        strict,
        timeoutMs,
        ...(call.paceRequest ? { paceRequest: call.paceRequest } : {}),
      });
    },

    async estimateCost(request, options): Promise<Cost | undefined> {
      const models = await listModels(options);
      const n = mapEditOptions({ request, strict: false }).n ?? 1;
      return estimateEdenAICost({ models, modelId: request.modelId, n });
    },

    async capabilities(modelId: string): Promise<ModelCapabilities | undefined> {
      return edenaiModelFamily(modelId).capabilities;
    },

    listModels,

    async close(): Promise<void> {
      modelList = undefined;
    },
  };
}

/** Accepts the host with or without the `/v3` prefix Eden's docs show in their base URL. */
function normalizeBaseURL(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RetouchError({
      message: `createEdenAI: baseURL ${JSON.stringify(value)} is not a URL; use e.g. "https://api.edenai.run" or "https://api.eu.edenai.run"`,
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RetouchError({ message: 'createEdenAI: baseURL must be an http(s) URL' });
  }
  return url.href.replace(/\/+$/, '').replace(/\/v3$/, '');
}

/**
 * The default Eden AI provider, keyed by `EDENAI_API_KEY` (read at its first request, so importing
 * it never throws).
 *
 * @example
 * import { createRetouch } from '@retouch/core';
 * import { edenai } from '@retouch/provider-edenai';
 *
 * const retouch = createRetouch({ providers: [edenai] });
 */
export const edenai: EdenAIProvider = createEdenAI();
