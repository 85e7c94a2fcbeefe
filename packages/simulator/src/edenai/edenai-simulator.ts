/**
 * Eden AI's routes, as one simulator: past the guide's 400 lines because it is a table of routes
 * (edits in JSON and multipart, uploads, models, result files), each a few lines over the shared
 * server and validation modules beside it.
 */
import { randomUUID } from 'node:crypto';
import { FileStore } from '../shared/file-store.ts';
import { ImageDownloadError, loadImageReference, type RemoteImagePolicy } from '../shared/image-source.ts';
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
import type { RouteContext, RouteResult } from '../shared/route.ts';
import type { RouteDefinitions } from '../shared/route-table.ts';
import { isRecord, roundUsd } from '../shared/values.ts';
import {
  type EdenAIValidationDetail,
  edenAIError,
  edenAIInsufficientCredits,
  edenAIValidationError,
} from './edenai-errors.ts';
import { edenAIMaskProblem, edenAIMultipartFileIdProblem } from './edenai-mask-rules.ts';
import {
  type EdenAIModel,
  edenAIModels,
  findEdenAIModel,
  isEdenAIEditModel,
  serializeEdenAIModel,
} from './edenai-models.ts';
import {
  type EdenAIEditFields,
  validateEdenAIJsonEdit,
  validateEdenAIMultipartEdit,
} from './edenai-validation.ts';

/**
 * Options of {@link startEdenAISimulator}.
 *
 * @example
 * const eden = await startEdenAISimulator({ rateLimit: { requestsPerSecond: 3 } });
 */
export interface EdenAISimulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The only bearer token accepted. @default 'sim-edenai-key' */
  apiKey?: string;
  /**
   * The per-account sliding-window limit on authenticated routes, answered with 429 and `retry_after` in
   * the body; `false` turns it off. @default { requestsPerSecond: 10, windowMs: 1000 }
   */
  rateLimit?: RateLimitOptions | false;
  /** USD balance; when set, an edit costing more is refused with 402. */
  credits?: number;
  /** Which documented 402 body a lack of credits gets. @default 'detailed' */
  insufficientCreditsShape?: 'simple' | 'detailed';
  /** Models this account may not use: edits with them get 403 `permission_error`. @default [] */
  forbiddenModels?: string[];
  /** How long an edit takes before it answers. @default 0 */
  editDelayMs?: number;
  /** Lifetime of result URLs. @default 600000 (10 minutes) */
  resultTtlMs?: number;
  /** What to do with `image_url`s on other hosts (see {@link RemoteImagePolicy}). @default 'generate' */
  remoteImages?: RemoteImagePolicy;
  /** Largest JSON body, in bytes (413 above). @default 64 MiB */
  maxJsonBodyBytes?: number;
  /** Largest multipart body, in bytes (413 above). @default 1 GiB */
  maxMultipartBodyBytes?: number;
  /** Largest file accepted by `POST /v3/upload`. @default 100 MB */
  maxUploadBytes?: number;
  /**
   * Which Eden host this stands for: `eu` (`api.eu.edenai.run`) lists only the models served in the
   * EU and answers 451 for the others, as Eden's EU endpoint does. @default 'global'
   */
  region?: 'global' | 'eu';
}

/** Counters for tests and benchmarks. */
export interface EdenAISimulatorCounters {
  /** Requests refused by the rate limit (not by a fault). */
  rateLimited: number;
  /** Images produced by accepted edits. */
  imagesGenerated: number;
  /** Files accepted by `POST /v3/upload`. */
  uploads: number;
}

/** A running Eden AI simulator. */
export interface EdenAISimulator extends Simulator {
  /** Edit requests accepted for paid work. */
  readonly billableCount: number;
  /** Sum of `cost` over accepted edits, USD. */
  readonly spentUsd: number;
  /** Live counters for tests and benchmarks. */
  readonly counters: EdenAISimulatorCounters;
  /** Forgets recorded requests and zeroes `billableCount`, `spentUsd` and the counters. */
  clearRequests(): void;
}

interface StoredUpload {
  id: string;
  fileName: string;
  size: number;
  mimeType: string;
  purpose: string;
  createdAt: Date;
  expiresAt: Date;
  source: ImageSource;
}

function sourceFromFile(file: MultipartFile): ImageSource {
  return file.bytes === undefined ? { sha256: file.sha256 } : { bytes: file.bytes, sha256: file.sha256 };
}

function invalidJson(context: RouteContext): RouteResult | undefined {
  if (context.body.type !== 'invalid-json') return undefined;
  return edenAIValidationError([
    {
      type: 'json_invalid',
      loc: ['body', context.body.position],
      msg: 'JSON decode error',
      input: {},
      ctx: { error: context.body.message },
    },
  ]);
}

const edenAIProfile: ProviderProfile = {
  unauthorized: () => ({
    status: 401,
    json: { detail: 'Invalid or missing authentication token', error_code: 'UNAUTHORIZED' },
  }),
  notFound: () => ({ status: 404, json: { details: 'Not Found' } }),
  rateLimited: ({ retryAfterSeconds, retryAfterIn }) => {
    const json: Record<string, unknown> = { detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED' };
    const headers: Record<string, string> = {};
    if (retryAfterSeconds !== undefined && retryAfterIn !== 'header') json.retry_after = retryAfterSeconds;
    if (retryAfterSeconds !== undefined && retryAfterIn !== 'body')
      headers['retry-after'] = String(Math.ceil(retryAfterSeconds));
    return { status: 429, json, headers };
  },
  retryAfterIn: 'body',
  serverError: (status) => {
    if (status === 502)
      return edenAIError({ status, type: 'provider_error', message: 'Upstream provider error' });
    if (status === 503) return { status, json: { detail: 'Service Unavailable' } };
    return { status, json: { detail: 'Internal Server Error' } };
  },
  tooLarge: (message) => ({ status: 413, json: { detail: `Payload too large: ${message}` } }),
  insufficientCredits: (shape) => edenAIInsufficientCredits({ shape }),
  malformedBody: (message) =>
    edenAIValidationError([{ type: 'value_error', loc: ['body'], msg: `Value error, ${message}` }]),
  violateSchema: (json, routeKey) => {
    if (routeKey === 'POST /v3/images/edits' && isRecord(json))
      return { ...json, data: { b64_json: 7 }, cost: 'free' };
    if (routeKey === 'POST /v3/upload' && isRecord(json))
      return { ...json, file_id: 12345, file_size: 'big' };
    return defaultSchemaViolation(json);
  },
};

/**
 * Starts a local server speaking Eden AI's v3 image-edit API (JSON and multipart), uploads and models, with
 * its per-account rate limit, recording and fault injection.
 *
 * @example
 * const eden = await startEdenAISimulator();
 * const provider = createEdenAI({ apiKey: eden.apiKey, baseURL: eden.url });
 * // ... run the code under test ...
 * expect(eden.requests.filter((request) => request.billable)).toHaveLength(1);
 * await eden.close();
 */
export async function startEdenAISimulator(options: EdenAISimulatorOptions = {}): Promise<EdenAISimulator> {
  const apiKey = options.apiKey ?? 'sim-edenai-key';
  const remoteImages = options.remoteImages ?? 'generate';
  const fileStore = new FileStore({ ttlMs: options.resultTtlMs ?? 10 * 60 * 1000 });
  const uploads = new Map<string, StoredUpload>();
  const rateLimiter =
    options.rateLimit === false
      ? undefined
      : new SlidingWindowRateLimiter(options.rateLimit ?? { requestsPerSecond: 10 });
  const counters = { rateLimited: 0, imagesGenerated: 0, uploads: 0 };
  let credits = options.credits;
  let spentUsd = 0;
  const timers = new PendingTimers();
  const region = options.region ?? 'global';
  const inRegion = (model: EdenAIModel) => region === 'global' || model.regions.includes(region);

  const resolveRef = async (ref: Record<string, unknown>): Promise<ImageSource> => {
    if (typeof ref.file_id === 'string') {
      const upload = uploads.get(ref.file_id);
      if (upload === undefined || upload.expiresAt.getTime() <= Date.now()) {
        throw new ImageDownloadError({ message: `File not found: ${ref.file_id}`, url: ref.file_id });
      }
      return upload.source;
    }
    return loadImageReference({ reference: String(ref.image_url), fileStore, remoteImages });
  };

  const edit = async (editOptions: {
    context: RouteContext;
    fields: EdenAIEditFields;
    images: () => Promise<ImageSource[]>;
    mask: () => Promise<ImageSource | undefined>;
  }): Promise<RouteResult> => {
    const { context, fields } = editOptions;
    const model: EdenAIModel | undefined = findEdenAIModel(fields.model);
    if (model !== undefined && region === 'eu' && !model.regions.includes('eu')) {
      // Eden's EU host refuses a model not cleared for the EU before anything else (HTTP 451).
      return {
        status: 451,
        json: {
          error: {
            message: `Provider(s)/model(s) ${model.id} are not available on the EU endpoint.`,
            type: 'request_forbidden',
            param: null,
            code: 'region_not_allowed',
          },
        },
      };
    }
    if (model === undefined || !isEdenAIEditModel(model)) {
      return edenAIError({
        status: 400,
        type: 'validation_error',
        message: `Model '${fields.model}' is not available for image edits. See GET /v3/images/models.`,
      });
    }
    if (options.forbiddenModels?.includes(model.id)) {
      return edenAIError({
        status: 403,
        type: 'permission_error',
        message: `Your account does not have access to model '${model.id}'`,
      });
    }
    const cost = roundUsd((model.pricePerImage ?? 0) * fields.n);
    if (credits !== undefined && credits < cost) {
      return edenAIInsufficientCredits({
        shape: options.insufficientCreditsShape ?? 'detailed',
        required: cost,
        available: credits,
      });
    }
    let sources: ImageSource[];
    let mask: ImageSource | undefined;
    try {
      sources = await editOptions.images();
      mask = await editOptions.mask();
    } catch (error) {
      if (!(error instanceof ImageDownloadError)) throw error;
      return edenAIError({
        status: 400,
        type: 'validation_error',
        message: `Could not load input image: ${error.message}`,
      });
    }
    const maskProblem = edenAIMaskProblem({ model: model.id, mask, canvas: sources[0] });
    if (maskProblem !== undefined) return maskProblem;
    context.markBillable();
    if (context.fault?.kind === 'job-never-finishes') return { hang: true };
    await timers.delay(options.editDelayMs ?? 0);
    if (context.fault?.kind === 'job-fails') {
      return edenAIError({
        status: 502,
        type: 'provider_error',
        message: context.fault.message ?? 'Upstream provider error',
      });
    }
    if (credits !== undefined) credits = roundUsd(credits - cost);
    spentUsd = roundUsd(spentUsd + cost);
    const [canvas, ...references] = sources;
    const size = parseSize(fields.size);
    const data = [];
    let width = 0;
    let height = 0;
    for (let variant = 0; variant < fields.n; variant++) {
      const rendered = renderEdit({
        canvas: canvas!,
        references,
        ...(mask === undefined ? {} : { mask }),
        maskConvention: 'transparent-edits',
        model: model.id,
        prompt: fields.prompt,
        variant,
        ...(size === undefined ? {} : { size }),
      });
      width = rendered.width;
      height = rendered.height;
      counters.imagesGenerated += 1;
      if (model.output === 'b64_json') {
        data.push({ b64_json: rendered.png.toString('base64'), url: null, revised_prompt: null });
      } else {
        const url = fileStore.put({ bytes: rendered.png, missing: context.fault?.kind === 'result-404' });
        data.push({ url, b64_json: null, revised_prompt: null });
      }
    }
    const inputTokens = Math.ceil(fields.prompt.length / 4) + 65 * sources.length;
    const outputTokens = 272 * fields.n;
    return {
      status: 200,
      json: {
        created: Math.floor(Date.now() / 1000),
        data,
        output_format: 'png',
        size: `${width}x${height}`,
        usage: model.reportsUsage
          ? {
              total_tokens: inputTokens + outputTokens,
              input_tokens: inputTokens,
              output_tokens: outputTokens,
            }
          : null,
        cost,
        provider: model.provider,
      },
    };
  };

  const uploadView = (upload: StoredUpload) => ({
    file_id: upload.id,
    file_name: upload.fileName,
    file_size: upload.size,
    file_mimetype: upload.mimeType,
    purpose: upload.purpose,
    metadata: {},
    created_at: upload.createdAt.toISOString(),
    expires_at: upload.expiresAt.toISOString(),
  });

  const routes: RouteDefinitions = {
    'POST /v3/images/edits': {
      accepts: 'json-or-multipart',
      handle: async (context) => {
        const { body } = context;
        const malformed = invalidJson(context);
        if (malformed !== undefined) return malformed;
        if (body.type === 'json' || body.type === 'none') {
          const validation = validateEdenAIJsonEdit({
            body: body.type === 'json' ? body.value : undefined,
            loopbackAllowed: true,
          });
          if (!validation.ok) return edenAIValidationError(validation.detail);
          const json = (body as { value: Record<string, unknown> }).value;
          return edit({
            context,
            fields: validation.fields,
            images: () => Promise.all((json.images as Record<string, unknown>[]).map(resolveRef)),
            mask: async () => (isRecord(json.mask) ? resolveRef(json.mask) : undefined),
          });
        }
        if (body.type === 'multipart') {
          const { files } = body.value;
          const images = files.filter((file) => file.name === 'image[]' || file.name === 'image');
          const maskFile = files.find((file) => file.name === 'mask');
          const fileIdProblem = edenAIMultipartFileIdProblem(body.value.fields);
          if (fileIdProblem !== undefined) return fileIdProblem;
          const validation = validateEdenAIMultipartEdit({
            fields: body.value.fields,
            imageCount: images.length,
          });
          if (!validation.ok) return edenAIValidationError(validation.detail);
          return edit({
            context,
            fields: validation.fields,
            images: async () => images.map(sourceFromFile),
            mask: async () => (maskFile === undefined ? undefined : sourceFromFile(maskFile)),
          });
        }
        return edenAIError({
          status: 400,
          type: 'validation_error',
          message: `Unsupported Content-Type '${body.type === 'other' ? body.contentType : ''}': send application/json or multipart/form-data`,
        });
      },
    },
    'POST /v3/upload': {
      accepts: 'multipart',
      maxFileBytes: options.maxUploadBytes ?? 100 * 1000 * 1000,
      handle: (context) => {
        const { body } = context;
        if (body.type !== 'multipart') {
          return edenAIValidationError([
            { type: 'missing', loc: ['body', 'file'], msg: 'Field required', input: null },
          ]);
        }
        const file = body.value.files.find((part) => part.name === 'file');
        const problems: EdenAIValidationDetail[] = [];
        if (file === undefined)
          problems.push({ type: 'missing', loc: ['body', 'file'], msg: 'Field required', input: null });
        const rawDays = body.value.fields.expires_in_days;
        const daysText = Array.isArray(rawDays) ? rawDays.at(-1) : rawDays;
        const days = daysText === undefined ? 30 : Number(daysText);
        if (!Number.isInteger(days)) {
          problems.push({
            type: 'int_parsing',
            loc: ['body', 'expires_in_days'],
            msg: 'Input should be a valid integer',
            input: daysText,
          });
        } else if (days < 1 || days > 30) {
          problems.push({
            type: days < 1 ? 'greater_than_equal' : 'less_than_equal',
            loc: ['body', 'expires_in_days'],
            msg:
              days < 1
                ? 'Input should be greater than or equal to 1'
                : 'Input should be less than or equal to 30',
            input: daysText,
            ctx: days < 1 ? { ge: 1 } : { le: 30 },
          });
        }
        if (problems.length > 0 || file === undefined) return edenAIValidationError(problems);
        const rawPurpose = body.value.fields.purpose;
        const purpose = (Array.isArray(rawPurpose) ? rawPurpose.at(-1) : rawPurpose) ?? 'general';
        const createdAt = new Date();
        const upload: StoredUpload = {
          id: randomUUID(),
          fileName: file.filename,
          size: file.size,
          mimeType: file.contentType,
          purpose,
          createdAt,
          expiresAt: new Date(createdAt.getTime() + days * 24 * 60 * 60 * 1000),
          source: sourceFromFile(file),
        };
        uploads.set(upload.id, upload);
        counters.uploads += 1;
        return { status: 200, json: uploadView(upload) };
      },
    },
    'GET /v3/upload': {
      handle: (context) => {
        const query = context.url.searchParams;
        const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
        const limit = Math.min(100, Math.max(1, Number(query.get('limit') ?? '20') || 20));
        const all = [...uploads.values()].filter(
          (upload) => !query.has('purpose') || upload.purpose === query.get('purpose'),
        );
        return {
          status: 200,
          json: {
            items: all.slice((page - 1) * limit, page * limit).map(uploadView),
            total: all.length,
            page,
            limit,
            total_pages: Math.ceil(all.length / limit),
          },
        };
      },
    },
    'POST /v3/upload/delete': {
      handle: (context) => {
        const malformed = invalidJson(context);
        if (malformed !== undefined) return malformed;
        const body = context.body.type === 'json' && isRecord(context.body.value) ? context.body.value : {};
        // DeleteFilesRequest: { file_ids: [1..100 ids] }; unknown or foreign ids are silently ignored.
        const ids = Array.isArray(body.file_ids) ? body.file_ids : undefined;
        if (ids === undefined) {
          return edenAIValidationError([
            { type: 'missing', loc: ['body', 'file_ids'], msg: 'Field required', input: null },
          ]);
        }
        if (ids.length < 1 || ids.length > 100) {
          return edenAIValidationError([
            {
              type: ids.length < 1 ? 'too_short' : 'too_long',
              loc: ['body', 'file_ids'],
              msg: `List should have ${ids.length < 1 ? 'at least 1 item' : 'at most 100 items'} after validation, not ${ids.length}`,
            },
          ]);
        }
        const deleted = ids.filter((id): id is string => typeof id === 'string' && uploads.delete(id));
        return { status: 200, json: { deleted_count: deleted.length } };
      },
    },
    'GET /v3/models': {
      public: true,
      handle: () => ({
        status: 200,
        json: { object: 'list', data: edenAIModels.filter(inRegion).map(serializeEdenAIModel) },
      }),
    },
    'GET /v3/images/models': {
      handle: () => ({
        status: 200,
        json: {
          object: 'list',
          data: edenAIModels
            .filter((model) => inRegion(model) && model.outputModalities.includes('image'))
            .map(serializeEdenAIModel),
        },
      }),
    },
  };

  const server = await startProviderServer({
    port: options.port,
    host: options.host,
    apiKey,
    routes: [routes],
    profile: edenAIProfile,
    fileStore,
    timers,
    rateLimiter,
    maxJsonBodyBytes: options.maxJsonBodyBytes,
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
      counters.uploads = 0;
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
        get uploads() {
          return counters.uploads;
        },
      },
    },
  });
}
