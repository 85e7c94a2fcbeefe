/**
 * OpenAI's image edit endpoint, written from OpenAI's published API reference: "Create image edit"
 * (https://platform.openai.com/docs/api-reference/images/createEdit), whose request (`ImageEditParams`),
 * response (`ImagesResponse`, `Image`, `Usage`) and error (`{ error: { message, type, param, code } }`)
 * types openai-node carries in `src/resources/images.ts` and `src/core/error.ts`, generated from OpenAI's
 * OpenAPI spec. Rate-limit headers follow the reference's rate-limit guide (`retry-after`, and the
 * `retry-after-ms` its SDKs read first).
 */
import { FileStore } from '../shared/file-store.ts';
import { type ImageSource, parseSize, renderEdit } from '../shared/image-transform.ts';
import type { MultipartFile } from '../shared/multipart.ts';
import { PendingTimers } from '../shared/pending-timers.ts';
import { defaultSchemaViolation, type ProviderProfile } from '../shared/provider-profile.ts';
import {
  providerSimulatorHandle,
  type Simulator,
  startProviderServer,
} from '../shared/provider-simulator.ts';
import { type RateLimitOptions, SlidingWindowRateLimiter } from '../shared/rate-limiter.ts';
import type { RouteResult } from '../shared/route.ts';
import type { RouteDefinitions } from '../shared/route-table.ts';
import { isRecord, roundUsd } from '../shared/values.ts';
import { insufficientQuota, openAIError } from './openai-errors.ts';
import { type OpenAIImageModel, outputTokensPerImage } from './openai-models.ts';
import { type OpenAIEditFields, validateOpenAIEdit } from './openai-validation.ts';

/**
 * Options of {@link startOpenAISimulator}.
 *
 * @example
 * const openai = await startOpenAISimulator({ rateLimit: { requestsPerSecond: 2 } });
 */
export interface OpenAISimulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The only bearer token accepted. @default 'sim-openai-key' */
  apiKey?: string;
  /**
   * A per-account sliding-window limit, answered with 429 `rate_limit_exceeded` and `retry-after`
   * headers. OpenAI's limits depend on the account's tier, so there is none by default.
   * @default false
   */
  rateLimit?: RateLimitOptions | false;
  /** USD balance; an edit costing more is refused with 429 `insufficient_quota`, as OpenAI does. */
  credits?: number;
  /** How long an edit takes before it answers. @default 0 */
  editDelayMs?: number;
  /** Lifetime of `dall-e-2` result URLs. @default 3600000 (60 minutes, as the reference says) */
  resultTtlMs?: number;
  /** Largest multipart body, in bytes (413 above). @default 1 GiB */
  maxMultipartBodyBytes?: number;
}

/** Counters for tests and benchmarks. */
export interface OpenAISimulatorCounters {
  /** Requests refused by the rate limit (not by a fault). */
  rateLimited: number;
  /** Images produced by accepted edits. */
  imagesGenerated: number;
}

/** A running OpenAI simulator. */
export interface OpenAISimulator extends Simulator {
  /** Edits accepted for paid work. */
  readonly billableCount: number;
  /** What the accepted edits would have cost, USD, from the simulator's illustrative prices. */
  readonly spentUsd: number;
  /** Live counters for tests and benchmarks. */
  readonly counters: OpenAISimulatorCounters;
  /** Forgets recorded requests and zeroes `billableCount`, `spentUsd` and the counters. */
  clearRequests(): void;
}

const openAIProfile: ProviderProfile = {
  unauthorized: () =>
    openAIError({
      status: 401,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
      message:
        'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
    }),
  notFound: (path) =>
    openAIError({ status: 404, type: 'invalid_request_error', message: `Invalid URL (${path})` }),
  // OpenAI states the delay in headers only; `retryAfterIn` has no body place to choose here.
  rateLimited: ({ retryAfterSeconds }) => {
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(retryAfterSeconds)));
      headers['retry-after-ms'] = String(Math.round(retryAfterSeconds * 1000));
    }
    return openAIError({
      status: 429,
      type: 'requests',
      code: 'rate_limit_exceeded',
      message: `Rate limit reached for images per min.${retryAfterSeconds === undefined ? '' : ` Please try again in ${retryAfterSeconds}s.`}`,
      headers,
    });
  },
  retryAfterIn: 'header',
  serverError: (status) =>
    openAIError({
      status,
      type: 'server_error',
      message:
        status === 503
          ? 'The server is overloaded or not ready yet.'
          : 'The server had an error while processing your request. Sorry about that!',
    }),
  tooLarge: (message) =>
    openAIError({ status: 413, type: 'invalid_request_error', message: `Request too large: ${message}` }),
  insufficientCredits: () => insufficientQuota(),
  malformedBody: (message) =>
    openAIError({
      status: 400,
      type: 'invalid_request_error',
      message: `Could not parse multipart form: ${message}`,
    }),
  violateSchema: (json, routeKey) => {
    if (routeKey === 'POST /v1/images/edits' && isRecord(json)) return { ...json, data: [{ b64_json: 7 }] };
    return defaultSchemaViolation(json);
  },
};

function sourceFromFile(file: MultipartFile): ImageSource {
  return file.bytes === undefined ? { sha256: file.sha256 } : { bytes: file.bytes, sha256: file.sha256 };
}

/** Deterministic token counts shaped like OpenAI's `usage`, for the GPT image models. */
function tokenUsage(fields: OpenAIEditFields): {
  text: number;
  image: number;
  output: number;
} {
  return {
    text: Math.ceil(fields.prompt.length / 4),
    image: 194 * (fields.images.length + (fields.mask === undefined ? 0 : 1)),
    output: outputTokensPerImage({ quality: fields.quality, size: fields.size }) * fields.n,
  };
}

function costOf(options: { model: OpenAIImageModel; fields: OpenAIEditFields }): number {
  const { pricing } = options.model;
  if (pricing.kind === 'per-image')
    return roundUsd((pricing.bySize[options.fields.size] ?? 0) * options.fields.n);
  const tokens = tokenUsage(options.fields);
  return roundUsd(
    (tokens.text * pricing.textInputPerMillion +
      tokens.image * pricing.imageInputPerMillion +
      tokens.output * pricing.imageOutputPerMillion) /
      1_000_000,
  );
}

/**
 * Starts a local server speaking OpenAI's `POST /v1/images/edits` (multipart: `image` or `image[]` files,
 * `mask`, `prompt`, `model`, `n`, `size`, `quality`, `response_format`, ...), with an optional per-account
 * rate limit, recording and fault injection. Point `@ai-sdk/openai` (`createOpenAI({ baseURL: `${url}/v1` })`)
 * or any OpenAI client at it.
 *
 * @example
 * const openaiSim = await startOpenAISimulator();
 * const openai = createOpenAI({ apiKey: openaiSim.apiKey, baseURL: `${openaiSim.url}/v1` });
 * // ... run the code under test with openai.image('gpt-image-1') ...
 * expect(openaiSim.billableCount).toBe(1);
 * await openaiSim.close();
 */
export async function startOpenAISimulator(options: OpenAISimulatorOptions = {}): Promise<OpenAISimulator> {
  const apiKey = options.apiKey ?? 'sim-openai-key';
  const fileStore = new FileStore({ ttlMs: options.resultTtlMs ?? 60 * 60 * 1000 });
  const rateLimiter =
    options.rateLimit === undefined || options.rateLimit === false
      ? undefined
      : new SlidingWindowRateLimiter(options.rateLimit);
  const counters = { rateLimited: 0, imagesGenerated: 0 };
  let credits = options.credits;
  let spentUsd = 0;
  const timers = new PendingTimers();

  const routes: RouteDefinitions = {
    'POST /v1/images/edits': {
      accepts: 'multipart',
      maxFileBytes: 50 * 1024 * 1024,
      handle: async (context): Promise<RouteResult> => {
        const { body } = context;
        if (body.type !== 'multipart') {
          const contentType =
            body.type === 'other' ? body.contentType : body.type === 'none' ? 'none' : 'application/json';
          return openAIError({
            status: 400,
            type: 'invalid_request_error',
            message: `Invalid Content-Type header (${contentType}), expected multipart/form-data.`,
          });
        }
        const validation = validateOpenAIEdit(body.value);
        if (!validation.ok) return validation.error;
        const { fields } = validation;
        const cost = costOf({ model: fields.model, fields });
        if (credits !== undefined && credits < cost) return insufficientQuota();
        context.markBillable();
        if (context.fault?.kind === 'job-never-finishes') return { hang: true };
        await timers.delay(options.editDelayMs ?? 0);
        if (context.fault?.kind === 'job-fails') {
          return openAIError({
            status: 500,
            type: 'server_error',
            message:
              context.fault.message ??
              'The server had an error while processing your request. Sorry about that!',
          });
        }
        if (credits !== undefined) credits = roundUsd(credits - cost);
        spentUsd = roundUsd(spentUsd + cost);
        const [canvas, ...references] = fields.images.map(sourceFromFile);
        const size = parseSize(fields.size);
        const data: Record<string, unknown>[] = [];
        let width = 0;
        let height = 0;
        for (let variant = 0; variant < fields.n; variant++) {
          const rendered = renderEdit({
            canvas: canvas!,
            references,
            ...(fields.mask === undefined ? {} : { mask: sourceFromFile(fields.mask) }),
            // "An additional image whose fully transparent areas (e.g. where alpha is zero) indicate where
            // `image` should be edited" (the reference, `mask`).
            maskConvention: 'transparent-edits',
            model: fields.model.id,
            prompt: fields.prompt,
            variant,
            ...(size === undefined ? {} : { size }),
          });
          width = rendered.width;
          height = rendered.height;
          counters.imagesGenerated += 1;
          if (fields.responseFormat === 'url') {
            data.push({
              url: fileStore.put({ bytes: rendered.png, missing: context.fault?.kind === 'result-404' }),
            });
          } else {
            data.push({ b64_json: rendered.png.toString('base64') });
          }
        }
        const created = Math.floor(Date.now() / 1000);
        if (fields.model.family === 'dall-e') return { status: 200, json: { created, data } };
        const tokens = tokenUsage(fields);
        return {
          status: 200,
          json: {
            created,
            data,
            background: fields.background === 'transparent' ? 'transparent' : 'opaque',
            // The simulator always renders PNG, and says so, whatever output_format asked for.
            output_format: 'png',
            quality: fields.quality === 'auto' ? 'medium' : fields.quality,
            size: `${width}x${height}`,
            usage: {
              input_tokens: tokens.text + tokens.image,
              input_tokens_details: { image_tokens: tokens.image, text_tokens: tokens.text },
              output_tokens: tokens.output,
              output_tokens_details: { image_tokens: tokens.output, text_tokens: 0 },
              total_tokens: tokens.text + tokens.image + tokens.output,
            },
          },
        };
      },
    },
  };

  const server = await startProviderServer({
    port: options.port,
    host: options.host,
    apiKey,
    routes: [routes],
    profile: openAIProfile,
    fileStore,
    timers,
    rateLimiter,
    maxMultipartBodyBytes: options.maxMultipartBodyBytes ?? 1024 * 1024 * 1024,
    onRateLimited: () => {
      counters.rateLimited += 1;
    },
  });

  return providerSimulatorHandle({
    server,
    apiKey,
    credits: () => credits,
    onClearRequests: () => {
      spentUsd = 0;
      counters.rateLimited = 0;
      counters.imagesGenerated = 0;
      rateLimiter?.reset();
    },
    extra: {
      get spentUsd() {
        return spentUsd;
      },
      counters: {
        get rateLimited() {
          return counters.rateLimited;
        },
        get imagesGenerated() {
          return counters.imagesGenerated;
        },
      },
    },
  });
}
