import { InvalidRequestError, type NormalizedEditRequest, type RequestIssue } from '@retouch/core';
import { loadOxenWire, type OxenWire, type ParsedOxenOptions } from './oxen-api.ts';

/**
 * How the adapter runs an edit on Oxen.
 * - `sse` (the default): the async queue, with completion announced on one shared `GET /api/events`
 *   stream (the dispatcher still reads the job's status now and then, as a safety net);
 * - `queue`: the async queue, with completion learned by the dispatcher reading `GET /api/ai/queue/{id}`;
 * - `sync`: one blocking `POST /api/ai/images/edit` per output image.
 */
export type OxenMode = 'sync' | 'queue' | 'sse';

/**
 * Options of one request for Oxen, under `providerOptions.oxen`.
 *
 * @example
 * await retouch.edit({
 *   model: 'oxen:flux-kontext-dev',
 *   prompt: 'Add a funny hat',
 *   images: ['https://example.com/ox.png'],
 *   providerOptions: { oxen: { guidance: 3.5, num_inference_steps: 28, reportCost: true } },
 * });
 */
export interface OxenProviderOptions {
  /**
   * How this request runs, overriding `createOxen({ mode })`: `sync` sends the blocking
   * `POST /api/ai/images/edit`, `queue` enqueues and is polled, `sse` enqueues and is followed on the
   * event stream. With `retouch.submit()` a provider job is always made, so `sync` is followed by
   * polling there. A job resumed from a snapshot is followed in the provider's own mode.
   */
  mode?: OxenMode;
  /** The Oxen namespace (user or organization) billed and storing the result; overrides the provider's. */
  targetNamespace?: string;
  /**
   * `url` (default) returns Oxen's temporary URLs; `b64_json` returns the bytes inline: sent as
   * `response_format` in sync mode, and downloaded at completion in the queue modes.
   */
  responseFormat?: 'url' | 'b64_json';
  /** After a queued job, read its billed `cost` from `GET /api/ai/generations/{id}` (one extra read per image). */
  reportCost?: boolean;
  /** Any other key is a model parameter in the model's own spelling, e.g. `guidance` or `safety_tolerance`. */
  [parameter: string]: unknown;
}

/** Body fields the adapter owns; setting them through provider options would bypass its checks. */
const RESERVED: Record<string, string> = {
  model: 'set the model in "model", e.g. "oxen:qwen-image-edit"',
  prompt: 'set the prompt in "prompt"',
  input_image: 'pass input images in "images"',
  num_generations: 'set "n"; the adapter splits it into enqueues of at most 4',
  response_format: 'use providerOptions.oxen.responseFormat',
  target_namespace: 'use providerOptions.oxen.targetNamespace or createOxen({ targetNamespace })',
  mask_url: 'pass the mask in "mask"',
};

/** Model parameters the neutral request fills; setting both would be ambiguous. */
const NEUTRAL_PARAMETERS: Record<string, keyof NormalizedEditRequest> = {
  aspect_ratio: 'aspectRatio',
  resolution: 'size',
  quality: 'quality',
  output_format: 'outputFormat',
  seed: 'seed',
  negative_prompt: 'negativePrompt',
};

/**
 * Checks what can be checked without the model's schema: the types of `providerOptions.oxen`, fields the
 * adapter owns, options set twice, and inputs Oxen cannot take. Run before the schema is read, so a bad
 * request is refused without any call. Rejects with `InvalidRequestError` listing every problem;
 * resolves with the parsed options, so they are parsed once per request.
 */
export async function checkOxenRequest(request: NormalizedEditRequest): Promise<ParsedOxenOptions> {
  const issues: RequestIssue[] = [];
  const parsed = await parseProviderOptions(request.providerOptions);
  if (!parsed.success) issues.push(...parsed.issues);
  for (const key of Object.keys(request.providerOptions)) {
    const path = `providerOptions.oxen.${key}`;
    const reserved = RESERVED[key];
    const neutral = NEUTRAL_PARAMETERS[key];
    if (reserved) issues.push({ path, message: `"${key}" is set by the adapter; ${reserved}` });
    else if (neutral && request[neutral] !== undefined) {
      issues.push({
        path,
        message: `both ${neutral} and providerOptions.oxen.${key} are set; keep one (${neutral} is checked the same way)`,
      });
    }
  }
  for (const [index, image] of request.images.entries()) {
    if (image.kind === 'file-id') {
      issues.push({
        path: `images.${index}`,
        message:
          'Oxen has no file uploads; pass a public URL, the bytes, or { path } (sent inline as a data: URI)',
      });
    }
  }
  if (request.mask?.kind === 'file-id') {
    issues.push({
      path: 'mask',
      message: 'Oxen has no file uploads; pass a public URL, the bytes, or { path }',
    });
  }
  if (issues.length > 0 || !parsed.success) throw new InvalidRequestError({ issues });
  return parsed.options;
}

/**
 * The mode a request runs in: its `providerOptions.oxen.mode`, else the provider's. A value that is
 * not a mode counts as absent here; `checkOxenRequest` refuses it before anything is sent.
 */
export function oxenModeOf(options: {
  request: NormalizedEditRequest | undefined;
  fallback: OxenMode;
}): OxenMode {
  const requested = options.request?.providerOptions.mode;
  return requested === 'sync' || requested === 'queue' || requested === 'sse' ? requested : options.fallback;
}

/** Most requests carry no Oxen options, and `{}` is valid as it is: no parse for them, and no wait for zod. */
async function parseProviderOptions(
  raw: Readonly<Record<string, unknown>>,
): Promise<ReturnType<OxenWire['parseOxenProviderOptions']>> {
  if (Object.keys(raw).length === 0) {
    return {
      success: true,
      options: {
        mode: undefined,
        targetNamespace: undefined,
        responseFormat: undefined,
        reportCost: undefined,
        parameters: {},
      },
    };
  }
  const { parseOxenProviderOptions } = await loadOxenWire();
  return parseOxenProviderOptions(raw);
}
