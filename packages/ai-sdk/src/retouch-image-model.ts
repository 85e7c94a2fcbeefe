import {
  APICallError,
  type ImageModelV4,
  type ImageModelV4CallOptions,
  type ImageModelV4File,
  type ImageModelV4Result,
  InvalidArgumentError,
  type JSONObject,
  type SharedV4Warning,
} from '@ai-sdk/provider';
import {
  ApiCallError,
  type EditRequest,
  type EditResult,
  InvalidRequestError,
  MAX_OUTPUTS,
  type Retouch,
} from '@retouch/core';
import { toAISDKWarnings } from './ai-sdk-warnings.ts';
import { convertMask, type MaskConvention, MaskConversionError } from './mask-convention.ts';

/**
 * Retouch's own options, which the AI SDK's call options lack, given as
 * `providerOptions: { retouch: { ... } }` of `generateImage`.
 *
 * @example
 * await generateImage({ model, prompt, providerOptions: { retouch: { quality: 'high', timeoutMs: 120_000 }, oxen: { guidance: 3 } } });
 */
export interface RetouchCallOptions {
  /** Rendering quality, for models that offer a choice. */
  quality?: 'auto' | 'low' | 'medium' | 'high';
  /** The output format: `png`, `jpeg` or `webp`. */
  outputFormat?: 'png' | 'jpeg' | 'webp';
  /** What the edit should avoid, for models that take a negative prompt. */
  negativePrompt?: string;
  /** A deadline for the whole edit in milliseconds, waiting in lanes and queues and retries included. */
  timeoutMs?: number;
  /** The priority in the provider's lane; higher goes first. @default 0 */
  priority?: number;
}

const retouchOptionKeys = ['quality', 'outputFormat', 'negativePrompt', 'timeoutMs', 'priority'] as const;

/** Options of {@link createRetouchImageModel}. */
export interface RetouchImageModelOptions {
  retouch: Retouch;
  modelId: string;
  maskConvention: MaskConvention;
}

function toImageInput(file: ImageModelV4File): string | Uint8Array {
  if (file.type === 'url') return file.url;
  return typeof file.data === 'string' ? new Uint8Array(Buffer.from(file.data, 'base64')) : file.data;
}

function toMask(options: { file: ImageModelV4File; convention: MaskConvention }): string | Uint8Array {
  const { file, convention } = options;
  if (convention === 'white-edits') return toImageInput(file);
  if (file.type === 'url') {
    throw new InvalidArgumentError({
      argument: 'prompt.mask',
      message:
        'the mask is a URL, but a transparent-is-edit mask must be redrawn as white-is-edit for Retouch: pass its bytes',
    });
  }
  try {
    return convertMask({
      png: toImageInput(file) as Uint8Array,
      from: 'transparent-edits',
      to: 'white-edits',
    });
  } catch (error) {
    if (!(error instanceof MaskConversionError)) throw error;
    throw new InvalidArgumentError({ argument: 'prompt.mask', message: `${error.message}; pass a PNG mask` });
  }
}

/** Splits `providerOptions` into Retouch's own options (`retouch`) and the providers' (`oxen`, `edenai`, ...). */
function splitProviderOptions(providerOptions: ImageModelV4CallOptions['providerOptions']): {
  own: RetouchCallOptions;
  providers: Record<string, Record<string, unknown>>;
} {
  const { retouch, ...providers } = providerOptions ?? {};
  const own = (retouch ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(own).filter((key) => !(retouchOptionKeys as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new InvalidArgumentError({
      argument: `providerOptions.retouch.${unknown[0]}`,
      message: `"${unknown[0]}" is not a Retouch option; providerOptions.retouch takes ${retouchOptionKeys.join(', ')}, and a provider's own options go under its id (e.g. providerOptions.oxen)`,
    });
  }
  return { own: own as RetouchCallOptions, providers };
}

/**
 * An AI SDK error for a Retouch error: a provider's HTTP failure becomes `APICallError`, always with
 * `isRetryable: false` so that `generateImage` never sends it again (the dispatcher already retried what
 * was safe to retry), and the Retouch error as `cause`; an invalid request becomes
 * `InvalidArgumentError`. Every other error (budget, timeout, credits, a failed generation, an abort)
 * passes through as it is.
 */
function toAISDKError(error: unknown, request: EditRequest): unknown {
  if (ApiCallError.isInstance(error)) {
    return new APICallError({
      message: error.message,
      url: error.url,
      requestBodyValues: { model: request.model, prompt: request.prompt },
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
      isRetryable: false,
      data: error.toJSON(),
      cause: error,
    });
  }
  if (InvalidRequestError.isInstance(error)) {
    const [first] = error.issues;
    return new InvalidArgumentError({
      argument: first?.path ?? 'prompt',
      message: error.message,
      cause: error,
    });
  }
  return error;
}

/** Token counts from a result's `usage`, in either spelling (`input_tokens` or `inputTokens`). */
function tokenUsage(usage: Record<string, unknown> | undefined): ImageModelV4Result['usage'] {
  if (usage === undefined) return undefined;
  const read = (...names: string[]): number | undefined => {
    for (const name of names) if (typeof usage[name] === 'number') return usage[name] as number;
    return undefined;
  };
  const inputTokens = read('inputTokens', 'input_tokens');
  const outputTokens = read('outputTokens', 'output_tokens');
  const totalTokens = read('totalTokens', 'total_tokens');
  if (inputTokens === undefined && outputTokens === undefined && totalTokens === undefined) return undefined;
  return { inputTokens, outputTokens, totalTokens };
}

/** What the edit was, for `providerMetadata.retouch`: plain JSON, `undefined`s dropped. */
function metadataOf(result: EditResult): JSONObject & { images: JSONObject[] } {
  const json = JSON.parse(
    JSON.stringify({
      provider: result.provider,
      model: result.model,
      cost: result.cost ?? null,
      jobId: result.jobId ?? null,
      warnings: result.warnings,
      timings: result.timings,
      upstreamProvider: result.upstreamProvider,
      attempts: result.attempts,
    }),
  ) as JSONObject;
  const images = result.images.map((image) =>
    JSON.parse(
      JSON.stringify({
        model: result.model,
        jobId: result.jobId ?? null,
        mediaType: image.mediaType,
        url: image.url,
      }),
    ),
  ) as JSONObject[];
  return { ...json, images };
}

/**
 * An AI SDK image model (spec v4) that runs each `doGenerate` as one `retouch.edit()`: the dispatcher's
 * lanes, retries, budget, fallbacks and deadlines apply, and `providerMetadata.retouch` carries the cost,
 * the job id and the warnings.
 */
export function createRetouchImageModel(options: RetouchImageModelOptions): ImageModelV4 {
  const { retouch, modelId, maskConvention } = options;
  return {
    specificationVersion: 'v4',
    provider: 'retouch',
    modelId,
    maxImagesPerCall: MAX_OUTPUTS,
    supportsFileInputs: true,

    async doGenerate(call: ImageModelV4CallOptions): Promise<ImageModelV4Result> {
      const started = new Date();
      if (call.prompt === undefined || call.prompt.trim() === '') {
        throw new InvalidArgumentError({
          argument: 'prompt.text',
          message: 'a Retouch edit needs a text instruction: generateImage({ prompt: { text, images } })',
        });
      }
      if (call.files === undefined || call.files.length === 0) {
        throw new InvalidArgumentError({
          argument: 'prompt.images',
          message: `Retouch edits pictures and generates none from text alone: pass generateImage({ prompt: { text, images: [picture] } }) to ${modelId}`,
        });
      }
      const { own, providers } = splitProviderOptions(call.providerOptions);
      const { priority, ...neutral } = own;
      const request: EditRequest = {
        model: modelId,
        prompt: call.prompt,
        images: call.files.map(toImageInput),
        ...(call.mask === undefined ? {} : { mask: toMask({ file: call.mask, convention: maskConvention }) }),
        n: call.n,
        ...(call.size === undefined ? {} : { size: call.size }),
        ...(call.aspectRatio === undefined ? {} : { aspectRatio: call.aspectRatio }),
        ...(call.seed === undefined ? {} : { seed: call.seed }),
        ...neutral,
        ...(Object.keys(providers).length === 0 ? {} : { providerOptions: providers }),
        ...(call.abortSignal === undefined ? {} : { signal: call.abortSignal }),
      };
      let result: EditResult;
      try {
        result = await retouch.edit(request, priority === undefined ? {} : { priority });
      } catch (error) {
        throw toAISDKError(error, request);
      }
      const images = await Promise.all(
        result.images.map((image) =>
          image.bytes(call.abortSignal === undefined ? {} : { signal: call.abortSignal }),
        ),
      );
      const warnings: SharedV4Warning[] = toAISDKWarnings(result.warnings);
      const extraHeaders = Object.keys(call.headers ?? {}).filter(
        (name) => name.toLowerCase() !== 'user-agent' && call.headers?.[name] !== undefined,
      );
      if (extraHeaders.length > 0) {
        warnings.push({
          type: 'unsupported',
          feature: 'headers',
          details: `Retouch's adapters send their own requests; the headers ${extraHeaders.join(', ')} were not sent`,
        });
      }
      const usage = tokenUsage(result.usage);
      return {
        images,
        // The dispatcher has already retried what was safe: an empty answer is not sent again.
        isRetryable: false,
        warnings,
        providerMetadata: { retouch: metadataOf(result) },
        response: { timestamp: started, modelId: result.model, headers: undefined },
        ...(usage === undefined ? {} : { usage }),
      };
    },
  };
}
