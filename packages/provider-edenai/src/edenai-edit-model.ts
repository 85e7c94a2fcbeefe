import { basename } from 'node:path';
import {
  ApiCallError,
  type ApiCallErrorOptions,
  createGeneratedImage,
  type EditWarning,
  extensionFor,
  GenerationFailedError,
  type HttpClient,
  InvalidRequestError,
  InvalidResponseError,
  imageContentHash,
  imageToBlob,
  imageToDataUrl,
  isLocalImage,
  mediaTypeForFormat,
  type NormalizedEditRequest,
  type NormalizedImage,
  type ProviderEditOutput,
  roundUsd,
  sniffImageMediaType,
  UnsupportedFeatureError,
} from '@retouch/core';
import { EDENAI_PATHS, type EdenAIImageRef, edenaiImageResponseSchema } from './edenai-api.ts';
import {
  type EdenAITransport,
  type EdenAIUploadMode,
  parseEdenAIEditOptions,
} from './edenai-edit-options.ts';
import { convertEdenAIMaskSlot } from './edenai-mask.ts';
import { type EdenAIModelFamily, edenaiModelFamily, fileIdAdvice } from './edenai-models.ts';
import { type EdenAIUploadCache, MAX_UPLOAD_BYTES } from './edenai-upload.ts';

/** In `upload: 'auto'`, smaller inputs are cheaper to send inline than to upload with an extra request. */
export const AUTO_UPLOAD_MIN_BYTES = 256 * 1024;

/** Largest input image downloaded for a model that does not take remote URLs (OpenAI's per-image limit). */
export const MAX_INPUT_DOWNLOAD_BYTES = 50 * 1024 * 1024;

/** The provider id. */
const PROVIDER = 'edenai';

/** How the request's neutral options map to Eden body fields for one model. */
export interface MappedEditOptions {
  /** The model family whose rules applied. */
  family: EdenAIModelFamily;
  /** How many of the request's images are sent (the rest were dropped with a warning). */
  imageCount: number;
  /** Whether the mask is sent. */
  includeMask: boolean;
  /** `n`, when the request set it. */
  n?: number;
  /** Every other body field: `size`, `quality`, `output_format`, ..., and `providerOptions.edenai`. */
  fields: Record<string, unknown>;
  /** Options that were dropped or adjusted. */
  warnings: EditWarning[];
}

/**
 * Maps a request's neutral options to Eden body fields under the rules of the model's family.
 * Pure: no network. With `strict`, an option that would be dropped or adjusted throws
 * `UnsupportedFeatureError` instead of becoming a warning; a bad `providerOptions.edenai` throws
 * `InvalidRequestError`.
 */
export function mapEditOptions(options: {
  request: NormalizedEditRequest;
  strict: boolean;
}): MappedEditOptions {
  const { request } = options;
  const model = request.modelId;
  const family = edenaiModelFamily(model);
  const capabilities = family.capabilities;
  const warnings: EditWarning[] = [];
  const fields: Record<string, unknown> = {};
  const unsupported = (option: string, message: string) =>
    warnings.push({ type: 'unsupported-option', option, message });
  const adjusted = (option: string, from: unknown, to: unknown, message: string) =>
    warnings.push({ type: 'adjusted-option', option, from, to, message });

  let imageCount = request.images.length;
  if (capabilities && imageCount > capabilities.maxInputImages) {
    const dropped = imageCount - capabilities.maxInputImages;
    unsupported(
      'images',
      `${model} takes ${capabilities.maxInputImages} input image${capabilities.maxInputImages === 1 ? '' : 's'}; the last ${dropped} ${dropped === 1 ? 'was' : 'were'} not sent`,
    );
    imageCount = capabilities.maxInputImages;
  }

  let includeMask = request.mask !== undefined;
  if (includeMask && capabilities && !capabilities.mask) {
    unsupported(
      'mask',
      `${model} takes no mask; it was not sent (describe the region to change in the prompt)`,
    );
    includeMask = false;
  }

  let n: number | undefined;
  if (request.nExplicit) {
    n = request.n;
    if (capabilities && n > capabilities.maxOutputs) {
      adjusted(
        'n',
        n,
        capabilities.maxOutputs,
        `${model} makes at most ${capabilities.maxOutputs} images a call; n was lowered`,
      );
      n = capabilities.maxOutputs;
    }
  }

  mapSizeAndAspectRatio({ request, family, fields, unsupported, adjusted });

  if (request.quality !== undefined) {
    if (!capabilities || capabilities.qualities?.includes(request.quality)) fields.quality = request.quality;
    else unsupported('quality', `${model} has no quality option; quality was not sent`);
  }

  if (request.outputFormat !== undefined) {
    const format = request.outputFormat;
    if (!capabilities) fields.output_format = format;
    else if (!capabilities.outputFormats?.includes(format)) {
      unsupported(
        'outputFormat',
        capabilities.outputFormats
          ? `${model} outputs ${capabilities.outputFormats.join(' or ')}, not ${format}; outputFormat was not sent`
          : `${model} has no output format option; outputFormat was not sent`,
      );
    } else if (family.outputFormatField) fields.output_format = format;
  }

  if (request.seed !== undefined) {
    if (!capabilities || capabilities.seed) fields.seed = request.seed;
    else unsupported('seed', `${model} takes no seed; seed was not sent`);
  }

  if (request.negativePrompt !== undefined) {
    if (!capabilities || capabilities.negativePrompt) fields.negative_prompt = request.negativePrompt;
    else unsupported('negativePrompt', `${model} takes no negative prompt; negativePrompt was not sent`);
  }

  // Provider options come last: they are the caller's explicit word on a field.
  const providerOptions = parseEdenAIEditOptions(request.providerOptions);
  for (const [key, value] of Object.entries(providerOptions.fields)) {
    if (value !== undefined) fields[key] = value;
  }

  if (options.strict) {
    const refused = warnings.find((warning) => warning.type !== 'other');
    if (refused) {
      throw new UnsupportedFeatureError({
        message: `${refused.message}. Remove the option, pick a model that takes it, or turn strict mode off to send the edit without it.`,
        provider: PROVIDER,
        model,
        feature: refused.option,
      });
    }
  }

  return { family, imageCount, includeMask, ...(n !== undefined ? { n } : {}), fields, warnings };
}

function mapSizeAndAspectRatio(options: {
  request: NormalizedEditRequest;
  family: EdenAIModelFamily;
  fields: Record<string, unknown>;
  unsupported: (option: string, message: string) => void;
  adjusted: (option: string, from: unknown, to: unknown, message: string) => void;
}): void {
  const { request, family, fields, unsupported, adjusted } = options;
  const model = request.modelId;
  const { size, aspectRatio } = request;
  const carrier = family.aspectRatio;

  if (carrier === 'aspect_ratio') {
    if (size !== undefined) fields.size = size;
    if (aspectRatio !== undefined) fields.aspect_ratio = aspectRatio;
    return;
  }

  if (carrier === 'size') {
    // Aspect-ratio strings travel in `size` (Eden: "Vertex Imagen accepts square or aspect-ratio strings").
    const ratios = family.capabilities?.aspectRatios ?? [];
    if (aspectRatio !== undefined) {
      const chosen = ratios.includes(aspectRatio) ? aspectRatio : closestRatio(aspectRatio, ratios);
      if (chosen !== aspectRatio) {
        adjusted(
          'aspectRatio',
          aspectRatio,
          chosen,
          `${model} takes the aspect ratios ${ratios.join(', ')}; ${chosen}, the closest to ${aspectRatio}, was sent`,
        );
      }
      fields.size = chosen;
      if (size !== undefined && size !== 'auto') {
        unsupported(
          'size',
          `${model} takes an aspect ratio, not pixel dimensions; size was dropped for aspectRatio`,
        );
      }
    } else if (size !== undefined && size !== 'auto') {
      const chosen = closestRatio(size, ratios);
      adjusted(
        'size',
        size,
        chosen,
        `${model} takes an aspect ratio, not pixel dimensions; size "${chosen}" was sent for ${size}`,
      );
      fields.size = chosen;
    }
    return;
  }

  const sizes = family.capabilities?.sizes ?? [];
  if (size !== undefined) {
    // A family that lists no sizes (Gemini) gets the size as given: the upstream model decides.
    const chosen =
      size === 'auto' || sizes.length === 0 || sizes.includes(size) ? size : closestSize(size, sizes);
    if (chosen !== size) {
      adjusted(
        'size',
        size,
        chosen,
        `${model} takes the sizes ${sizes.join(', ')}; ${chosen}, the closest to ${size}, was sent`,
      );
    }
    fields.size = chosen;
    if (aspectRatio !== undefined) {
      unsupported(
        'aspectRatio',
        `${model} takes a size, not an aspect ratio, and size is set; aspectRatio was dropped`,
      );
    }
  } else if (aspectRatio !== undefined) {
    const mapped = carrier.sizes[aspectRatio];
    if (mapped) {
      fields.size = mapped;
    } else {
      const nearest = closestRatio(aspectRatio, Object.keys(carrier.sizes));
      const chosen = carrier.sizes[nearest]!;
      adjusted(
        'aspectRatio',
        aspectRatio,
        nearest,
        `${model} takes the aspect ratios ${Object.keys(carrier.sizes).join(', ')} (as sizes); size ${chosen} (${nearest}), the closest to ${aspectRatio}, was sent`,
      );
      fields.size = chosen;
    }
  }
}

/** `1536x1024` or `3:2` → 1.5. */
function ratioOf(value: string): number {
  const [width, height] = value.split(/[x:]/).map(Number);
  return width! / height!;
}

function closestRatio(target: string, candidates: readonly string[]): string {
  const wanted = Math.log(ratioOf(target));
  let best = candidates[0]!;
  for (const candidate of candidates) {
    if (Math.abs(Math.log(ratioOf(candidate)) - wanted) < Math.abs(Math.log(ratioOf(best)) - wanted))
      best = candidate;
  }
  return best;
}

function closestSize(target: string, candidates: readonly string[]): string {
  const pixels = candidates.filter((candidate) => candidate !== 'auto');
  const [width, height] = target.split('x').map(Number);
  const area = width! * height!;
  const distance = (candidate: string) => {
    const [w, h] = candidate.split('x').map(Number);
    return (
      Math.abs(Math.log(ratioOf(candidate) / ratioOf(target))) * 10 + Math.abs(Math.log((w! * h!) / area))
    );
  };
  return pixels.reduce(
    (best, candidate) => (distance(candidate) < distance(best) ? candidate : best),
    pixels[0]!,
  );
}

/** One input image on its way to Eden: where it sits in the request, and its current form. */
interface InputSlot {
  /** The request field, e.g. `images.0` or `mask`. */
  readonly path: string;
  readonly role: 'image' | 'mask';
  /** Position among the images (0 for the mask). */
  readonly index: number;
  image: NormalizedImage;
  /** SHA-256 of the content, for local inputs that may be uploaded. */
  contentHash?: string;
  /** Set when the input goes by `file_id`. */
  fileId?: string;
  /** True when the cache held this content before the edit (so the content is reused). */
  reused?: boolean;
}

/** What an edit needs besides the request. */
export interface EdenAIEditContext {
  request: NormalizedEditRequest;
  signal?: AbortSignal;
  http: HttpClient;
  uploads: EdenAIUploadCache;
  transport: EdenAITransport;
  upload: EdenAIUploadMode;
  strict: boolean;
  /** Per-attempt timeout of the edit and upload requests. */
  timeoutMs: number | false;
  /** The dispatcher's pacing of requests after a call's first (see `ProviderCall.paceRequest`). */
  paceRequest?: () => Promise<void>;
}

/**
 * Paces the requests one edit sends to Eden: the first is already counted by the lane that started
 * the call, each later one (an upload beside another, the edit after its uploads) waits for room in
 * the rate window. Input downloads go to other hosts and are not paced.
 */
function requestPacer(paceRequest: (() => Promise<void>) | undefined): () => Promise<void> {
  let sent = 0;
  return async () => {
    if (sent++ > 0) await paceRequest?.();
  };
}

/**
 * Runs one edit: maps the options, fetches remote inputs a model cannot take, uploads what the
 * upload mode asks for, picks the transport, sends one `POST /v3/images/edits` and reads the result.
 */
export async function runEdenAIEdit(context: EdenAIEditContext): Promise<ProviderEditOutput> {
  const { request, http, signal } = context;
  const mapped = mapEditOptions({ request, strict: context.strict });
  const warnings = [...mapped.warnings];
  const slots: InputSlot[] = request.images
    .slice(0, mapped.imageCount)
    .map((image, index) => ({ path: `images.${index}`, role: 'image', index, image }));
  if (mapped.includeMask && request.mask)
    slots.push({ path: 'mask', role: 'mask', index: 0, image: request.mask });

  if (context.transport === 'multipart') {
    const fileInput = slots.find((slot) => slot.image.kind === 'file-id');
    if (fileInput) {
      throw new InvalidRequestError({
        issues: [
          {
            path: fileInput.path,
            message:
              'an Eden file id cannot travel in a multipart body, which carries file parts only; use transport "json" or "auto"',
          },
        ],
      });
    }
  }

  // Models that refuse remote URLs get the picture itself, fetched here (no key sent to its host).
  if (!mapped.family.acceptsRemoteUrls) {
    for (const slot of slots) {
      if (slot.image.kind !== 'url') continue;
      const url = slot.image.url;
      slot.image = await downloadInput({
        slot,
        http,
        signal,
        reason: `${request.modelId} does not take remote URLs`,
      });
      warnings.push({
        type: 'other',
        message: `${slot.path}: ${request.modelId} does not take remote image URLs, so ${describeUrl(url)} was downloaded and sent as ${context.transport === 'json' ? 'a data: URL or an upload' : 'a file'}`,
      });
    }
  }

  warnings.push(...fileIdAdvice({ modelId: request.modelId, upload: context.upload, slots }));
  // Eden reads a mask the other way round from Retouch: converted once, for every transport.
  await convertEdenAIMaskSlot({
    slots,
    warnings,
    download: (slot, reason) => downloadInput({ slot, http, signal, reason }),
  });

  const beforeRequest = requestPacer(context.paceRequest);
  const transport = await planInputs({ context, slots, warnings, beforeRequest });

  let response: Awaited<ReturnType<typeof sendEdit>>;
  try {
    response = await sendEdit({ context, mapped, slots, transport, warnings, beforeRequest });
  } catch (error) {
    // A rejected request may name a cached file Eden no longer has: forget the uploads it used.
    if (ApiCallError.isInstance(error) && [400, 404, 422].includes(error.statusCode ?? 0)) {
      for (const slot of slots) if (slot.fileId && slot.contentHash) context.uploads.evict(slot.contentHash);
    }
    throw error;
  }
  return readResponse({ data: response, request, http, warnings, n: mapped.n });
}

/**
 * Decides which local inputs are uploaded and which transport carries the edit, then uploads.
 * Returns the transport.
 */
async function planInputs(options: {
  context: EdenAIEditContext;
  slots: InputSlot[];
  warnings: EditWarning[];
  beforeRequest: () => Promise<void>;
}): Promise<'json' | 'multipart'> {
  const { context, slots, warnings } = options;
  const locals = slots.filter((slot) => isLocalImage(slot.image));
  const mayUpload =
    context.upload !== 'never' &&
    context.transport !== 'multipart' &&
    edenaiModelFamily(context.request.modelId).acceptsFileIds;

  if (mayUpload) {
    for (const slot of locals) {
      const size = localSize(slot.image);
      if (size > MAX_UPLOAD_BYTES || (context.upload === 'auto' && size < AUTO_UPLOAD_MIN_BYTES)) continue;
      slot.contentHash = await imageContentHash(slot.image);
    }
  }
  // From here to the marks below nothing awaits, so concurrent edits of one picture see each other:
  // the first sends it inline, the next ones find it "reused" and share one upload.
  for (const slot of locals) {
    if (slot.contentHash === undefined) continue;
    slot.reused = context.uploads.has(slot.contentHash) || context.uploads.wasSentInline(slot.contentHash);
  }
  const uploadable = (slot: InputSlot) => slot.contentHash !== undefined;
  const heavyInline = (slot: InputSlot) =>
    !uploadable(slot) && localSize(slot.image) >= AUTO_UPLOAD_MIN_BYTES;
  const reasonToUpload = (slot: InputSlot) =>
    uploadable(slot) && (context.upload === 'always' || slot.reused === true);

  let transport: 'json' | 'multipart';
  if (context.transport !== 'auto') transport = context.transport;
  else if (locals.length === 0 || slots.some((slot) => slot.image.kind === 'file-id')) transport = 'json';
  else if (locals.some(reasonToUpload) && !locals.some(heavyInline)) transport = 'json';
  else transport = 'multipart';

  if (transport === 'multipart') {
    for (const slot of locals) if (slot.contentHash) context.uploads.markSentInline(slot.contentHash);
    if (context.upload === 'always') {
      for (const slot of locals.filter((slot) => localSize(slot.image) > MAX_UPLOAD_BYTES)) {
        warnings.push({
          type: 'other',
          message: `${slot.path} (${formatBytes(localSize(slot.image))}) is larger than Eden's ${formatBytes(MAX_UPLOAD_BYTES)} upload limit, so the edit was sent as multipart instead of uploading`,
        });
      }
    }
    return transport;
  }

  const toUpload = locals.filter(uploadable);
  const uploads = await Promise.all(
    toUpload.map(async (slot) => {
      try {
        return await context.uploads.upload({
          contentHash: slot.contentHash!,
          image: slot.image,
          fileName: partFileName(slot),
          http: context.http,
          ...(context.signal ? { signal: context.signal } : {}),
          timeoutMs: context.timeoutMs,
          beforeRequest: options.beforeRequest,
        });
      } catch (error) {
        throw notSent(error, `uploading ${slot.path} failed, so the edit was not sent`);
      }
    }),
  );
  toUpload.forEach((slot, position) => {
    slot.fileId = uploads[position]!.fileId;
  });
  for (const slot of locals) {
    if (slot.fileId || localSize(slot.image) < AUTO_UPLOAD_MIN_BYTES) continue;
    warnings.push({
      type: 'other',
      message: `${slot.path} (${formatBytes(localSize(slot.image))}) was sent base64-encoded in the JSON body, a third larger than the file: transport "multipart" streams it, and upload "auto" or "always" sends it once`,
    });
  }
  return transport;
}

async function sendEdit(options: {
  context: EdenAIEditContext;
  mapped: MappedEditOptions;
  slots: InputSlot[];
  transport: 'json' | 'multipart';
  warnings: EditWarning[];
  beforeRequest: () => Promise<void>;
}) {
  const { context, mapped, slots, transport } = options;
  const { request, http, signal } = context;
  const common = {
    method: 'POST' as const,
    path: EDENAI_PATHS.edits,
    schema: edenaiImageResponseSchema,
    ...(signal ? { signal } : {}),
    timeoutMs: context.timeoutMs,
  };

  if (transport === 'json') {
    const references = await Promise.all(slots.map((slot) => imageReference(slot)));
    const images = references.filter((_, position) => slots[position]!.role === 'image');
    const mask = references.find((_, position) => slots[position]!.role === 'mask');
    const json = {
      model: request.modelId,
      prompt: request.prompt,
      images,
      ...(mask ? { mask } : {}),
      ...(mapped.n !== undefined ? { n: mapped.n } : {}),
      ...mapped.fields,
    };
    await options.beforeRequest();
    return (await http.request({ ...common, json })).data;
  }

  const form = new FormData();
  form.append('model', request.modelId);
  form.append('prompt', request.prompt);
  for (const slot of slots) {
    if (slot.image.kind === 'url') {
      const url = slot.image.url;
      slot.image = await downloadInput({ slot, http, signal, reason: 'a multipart body carries files only' });
      options.warnings.push({
        type: 'other',
        message: `${slot.path}: ${describeUrl(url)} was downloaded and sent as a file part, since a multipart body carries files only`,
      });
    }
    // A file on disk becomes a disk-backed Blob, streamed into the body: never read whole, never base64.
    form.append(slot.role === 'mask' ? 'mask' : 'image[]', await imageToBlob(slot.image), partFileName(slot));
  }
  if (mapped.n !== undefined) form.append('n', String(mapped.n));
  for (const [key, value] of Object.entries(mapped.fields)) {
    if (value === null || value === undefined) continue;
    form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  await options.beforeRequest();
  return (await http.request({ ...common, form })).data;
}

async function imageReference(slot: InputSlot): Promise<EdenAIImageRef> {
  if (slot.fileId) return { file_id: slot.fileId };
  const image = slot.image;
  if (image.kind === 'file-id') return { file_id: image.fileId };
  if (image.kind === 'url') return { image_url: image.url };
  return { image_url: await imageToDataUrl(image) };
}

function localSize(image: NormalizedImage): number {
  switch (image.kind) {
    case 'bytes':
      return image.data.byteLength;
    case 'blob':
    case 'file':
      return image.size;
    default:
      return 0;
  }
}

/** The file name of a part: the file's own name, or `image-<n>.<ext>` / `mask.<ext>`. */
function partFileName(slot: InputSlot): string {
  const image = slot.image;
  if (image.kind === 'file') return basename(image.path);
  const extension = extensionFor(
    image.kind === 'bytes' || image.kind === 'blob' ? image.mediaType : 'image/png',
  );
  return slot.role === 'mask' ? `mask.${extension}` : `image-${slot.index}.${extension}`;
}

async function downloadInput(options: {
  slot: InputSlot;
  http: HttpClient;
  signal: AbortSignal | undefined;
  reason: string;
}): Promise<NormalizedImage> {
  const { slot } = options;
  if (slot.image.kind !== 'url') return slot.image;
  const url = slot.image.url;
  let bytes: Uint8Array;
  try {
    ({ bytes } = await options.http.download(url, {
      maxBytes: MAX_INPUT_DOWNLOAD_BYTES,
      ...(options.signal ? { signal: options.signal } : {}),
    }));
  } catch (error) {
    throw notSent(
      error,
      `${slot.path}: ${options.reason}, and downloading ${describeUrl(url)} failed, so the edit was not sent`,
    );
  }
  const mediaType = sniffImageMediaType(bytes);
  if (!mediaType) {
    throw new InvalidRequestError({
      issues: [
        {
          path: slot.path,
          message: `${describeUrl(url)} did not serve a PNG, JPEG, WebP or GIF image (${options.reason}, so it was downloaded); check the URL`,
        },
      ],
    });
  }
  return { kind: 'bytes', data: bytes, mediaType, origin: 'bytes' };
}

/**
 * Rebuilds an HTTP error from a step before the edit (an upload, an input download) so the
 * dispatcher knows no edit was sent and a retry cannot pay twice.
 */
function notSent(error: unknown, context: string): unknown {
  if (!ApiCallError.isInstance(error) || error.provablyNotProcessed) return error;
  const Constructor = error.constructor as new (options: ApiCallErrorOptions) => ApiCallError;
  return new Constructor({
    message: `${context}: ${error.message}`,
    provider: error.provider,
    url: error.url,
    method: error.method,
    ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
    isRetryable: error.isRetryable,
    provablyNotProcessed: true,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
    ...(error.responseBody !== undefined ? { responseBody: error.responseBody } : {}),
    ...(error.code !== undefined ? { code: error.code } : {}),
    cause: error,
  });
}

function readResponse(options: {
  data: Awaited<ReturnType<typeof sendEdit>>;
  request: NormalizedEditRequest;
  http: HttpClient;
  warnings: EditWarning[];
  n: number | undefined;
}): ProviderEditOutput {
  const { data, request, http, warnings } = options;
  const formatType = mediaTypeForFormat(data.output_format ?? undefined);
  const images = data.data.map((item, position) => {
    if (item.b64_json) {
      return createGeneratedImage({
        provider: PROVIDER,
        base64: item.b64_json,
        ...(formatType ? { mediaType: formatType } : {}),
      });
    }
    if (item.url) {
      const mediaType = formatType ?? mediaTypeForFormat(request.outputFormat);
      return createGeneratedImage({
        provider: PROVIDER,
        url: item.url,
        http,
        ...(mediaType ? { mediaType } : {}),
      });
    }
    throw new InvalidResponseError({
      message: `${PROVIDER}: output image ${position} has neither "url" nor "b64_json"`,
      provider: PROVIDER,
      path: `data.${position}`,
    });
  });
  if (images.length === 0) {
    throw new GenerationFailedError({
      message: `${PROVIDER}: ${request.modelId} returned no image${data.provider ? ` (upstream provider ${data.provider})` : ''}; the prompt or input may have been refused`,
      provider: PROVIDER,
    });
  }
  const asked = options.n ?? 1;
  if (images.length < asked) {
    warnings.push({
      type: 'other',
      message: `${asked} images were asked for; ${request.modelId} returned ${images.length}`,
    });
  }
  return {
    images,
    ...(typeof data.cost === 'number' && data.cost >= 0
      ? { cost: { usd: roundUsd(data.cost), source: 'reported' as const } }
      : {}),
    warnings,
    raw: data,
    ...(data.provider ? { upstreamProvider: data.provider } : {}),
    ...(data.usage ? { usage: data.usage } : {}),
  };
}

/** A URL without its query string, which may carry a signature. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the URL';
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.round(bytes / 1000)} KB`;
}
