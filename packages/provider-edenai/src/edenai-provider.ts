import { type ModelInfo, type ProviderAdapter, RetouchError } from '@retouch/core';
import {
  createHttpClient,
  type HttpClient,
  loadApiKey,
  type ProviderContext,
} from '@retouch/core/provider-utils';
import { EDENAI_BASE_URL } from './edenai-api.ts';
import { EdenAIEditModel } from './edenai-edit-model.ts';
import {
  type EdenAITransport,
  type EdenAIUploadMode,
  TRANSPORTS,
  UPLOAD_MODES,
} from './edenai-edit-options.ts';
import { parseEdenAIErrorBody } from './edenai-error.ts';

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
   * Per-request timeout of edits and uploads, in milliseconds; `false` for none (an edit's own
   * `timeoutMs` still applies). Image models can take more than a minute.
   * @default 300000
   */
  timeoutMs?: number | false;
}

/**
 * The Eden AI provider: a Retouch `ProviderAdapter` (adapter spec 2) for `edenai:provider/model`
 * models. Hand it to `createRetouch({ providers })`; the dispatcher then paces, retries and (with
 * `strict: true`) refuses for it.
 */
export interface EdenAIProvider extends ProviderAdapter {
  readonly id: 'edenai';
  /** The provider's own client; the dispatcher hands each call a copy bound to the provider's lane. */
  readonly http: HttpClient;
  /**
   * Eden's image-edit models from `GET /v3/images/models`, with per-image prices (the catalogue's, else
   * Eden's published price for well-known models), read
   * through the given `http`. From an application, call `retouch.listModels({ provider: 'edenai' })`.
   */
  listModels(context: ProviderContext): Promise<ModelInfo[]>;
}

const DEFAULT_TIMEOUT_MS = 300_000;

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
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if ((settings as { strict?: unknown }).strict !== undefined) {
    throw new RetouchError({
      message:
        'createEdenAI: strict is no longer a provider setting; pass it to the client instead, createRetouch({ providers, strict: true }), which refuses a dropped or adjusted option the same way for every provider',
    });
  }
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

  let key: string | undefined;
  // Read at the first request (or edit), not here: creating a provider never throws for a missing key.
  const apiKey = (): string => {
    key ??= loadApiKey({
      apiKey: settings.apiKey,
      environmentVariable: 'EDENAI_API_KEY',
      description: 'Eden AI',
      factory: 'createEdenAI',
    });
    return key;
  };
  const http = createHttpClient({
    provider: 'edenai',
    baseURL,
    apiKey,
    apiKeyEnvVar: 'EDENAI_API_KEY',
    ...(settings.headers ? { headers: settings.headers } : {}),
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
    parseErrorBody: parseEdenAIErrorBody,
  });
  return new EdenAIEditModel({ http, baseURL, apiKey, transport, upload, timeoutMs });
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
