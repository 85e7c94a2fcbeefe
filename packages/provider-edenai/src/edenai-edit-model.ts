import {
  ApiCallError,
  type Cost,
  type EditWarning,
  GenerationFailedError,
  InvalidResponseError,
  type LaneLimits,
  type ModelCapabilities,
  type ModelInfo,
  type NormalizedEditRequest,
  type ProviderAdapter,
  RetouchError,
  roundUsd,
} from '@retouch/core';
import {
  abortable,
  createGeneratedImage,
  type HttpClient,
  imageToBlob,
  imageToDataUrl,
  mediaTypeForFormat,
  type PreparedEdit,
  type ProviderCall,
  type ProviderContext,
  type ProviderEditOutput,
} from '@retouch/core/provider-utils';
import { EDENAI_PATHS, type EdenAIImageRef, loadWire } from './edenai-api.ts';
import { estimateEdenAICost, fetchEdenAIModels } from './edenai-catalog.ts';
import type { EdenAITransport, EdenAIUploadMode } from './edenai-edit-options.ts';
import { type EdenAIEditPlan, editFormFields, editJsonBody, planEdenAIEdit } from './edenai-edit-plan.ts';
import { convertEdenAIMaskSlot } from './edenai-mask.ts';
import { edenaiModelFamily, fileIdAdvice } from './edenai-models.ts';
import { describeUrl, downloadInput, fetchRemoteInputs } from './edenai-remote-inputs.ts';
import {
  type EdenAIUploadCache,
  type InputSlot,
  partFileName,
  routeInputs,
  uploadCacheFor,
} from './edenai-upload.ts';
import type { EdenAIImageResponse } from './edenai-wire.ts';

/** The provider id. */
const PROVIDER = 'edenai';

/** The model list changes rarely; estimates read it at most this often. */
const MODEL_LIST_TTL_MS = 10 * 60 * 1000;

/**
 * Eden AI's documented limit: 10 requests a second per account, shared by its keys.
 * Concurrency follows it, since an edit is one request.
 */
const DEFAULT_LIMITS: LaneLimits = { requestsPerSecond: 10, concurrency: 10 };

/** What {@link EdenAIEditModel} is built from: the provider's settings, checked by `createEdenAI`. */
export interface EdenAIEditModelSettings {
  /** The provider's client (keyed, not yet bound to a lane). */
  http: HttpClient;
  /** Eden's host, normalized: the upload cache is kept per host. */
  baseURL: string;
  /** Loads the API key (once), throwing the missing-key error when there is none. */
  apiKey: () => string;
  transport: EdenAITransport;
  upload: EdenAIUploadMode;
  /** Per-attempt timeout of edits and uploads. */
  timeoutMs: number | false;
}

/**
 * The Eden AI adapter: one-shot edits (Eden has no jobs). `prepare` plans the request once; `edit`
 * sends its uploads and the edit through the call's `http`, so the lane paces every one of them;
 * catalogue reads go through the `http` they are given as well.
 */
export class EdenAIEditModel implements ProviderAdapter<EdenAIEditPlan> {
  readonly id = PROVIDER;
  readonly specificationVersion = 2;
  readonly defaultLimits: LaneLimits = DEFAULT_LIMITS;
  readonly http: HttpClient;
  readonly #settings: EdenAIEditModelSettings;
  #models: { list: Promise<ModelInfo[]>; at: number } | undefined;
  /** This provider's upload cache: finding it hashes the key (which never changes), so once, not per edit. */
  #uploads: Promise<EdenAIUploadCache> | undefined;

  constructor(settings: EdenAIEditModelSettings) {
    this.http = settings.http;
    this.#settings = settings;
  }

  async prepare(request: NormalizedEditRequest): Promise<PreparedEdit<EdenAIEditPlan>> {
    const { transport, upload } = this.#settings;
    return planEdenAIEdit({ request, defaults: { transport, upload } });
  }

  async edit(call: ProviderCall<EdenAIEditPlan>): Promise<ProviderEditOutput> {
    if (call.plan === undefined) {
      throw new RetouchError({
        message: 'edenai: edit() needs the plan prepare() returned for the request, as call.plan',
      });
    }
    // The upload cache is per account: the same picture is uploaded once per key.
    this.#uploads ??= uploadCacheFor({ baseURL: this.#settings.baseURL, apiKey: this.#settings.apiKey() });
    return runEdenAIEdit({
      request: call.request,
      plan: call.plan,
      http: call.http,
      signal: call.signal,
      uploads: await this.#uploads,
      timeoutMs: this.#settings.timeoutMs,
    });
  }

  async estimateCost(
    edit: { request: NormalizedEditRequest; plan: EdenAIEditPlan },
    context: ProviderContext,
  ): Promise<Cost | undefined> {
    let models: readonly ModelInfo[];
    try {
      models = await this.#catalogue(context);
    } catch (error) {
      // A catalogue that cannot be read (after its retries) leaves Eden's published prices: a listed
      // model must not become "cannot be estimated", and refused under every budget, over one read.
      if (context.signal.aborted) throw error;
      models = [];
    }
    return estimateEdenAICost({ models, modelId: edit.request.modelId, n: edit.plan.n ?? 1 });
  }

  /** Known families are described from Retouch's own rules: no request is sent. */
  async capabilities(modelId: string): Promise<ModelCapabilities | undefined> {
    return edenaiModelFamily(modelId).capabilities;
  }

  /**
   * Eden's image-edit models from `GET /v3/images/models`, with per-image prices: the catalogue's, else
   * Eden's published price for well-known models (see the package README).
   */
  async listModels(context: ProviderContext): Promise<ModelInfo[]> {
    return this.#catalogue(context);
  }

  async close(): Promise<void> {
    this.#models = undefined;
  }

  /**
   * The model list, read through the caller's `http` and kept for a while: it is data every estimate
   * reads. The read is shared by every caller waiting for it, so it carries no caller's signal (one
   * caller giving up must not fail the others); each caller stops waiting on its own signal.
   */
  #catalogue(context: ProviderContext): Promise<ModelInfo[]> {
    context.signal.throwIfAborted();
    const now = Date.now();
    if (!this.#models || now - this.#models.at >= MODEL_LIST_TTL_MS) {
      const entry = {
        at: now,
        list: fetchEdenAIModels({ http: context.http }),
      };
      this.#models = entry;
      entry.list.catch(() => {
        if (this.#models === entry) this.#models = undefined;
      });
    }
    return abortable(this.#models.list, context.signal);
  }
}

/** What one edit needs: the request, its plan, and the call's client. */
interface EdenAIEditContext {
  request: NormalizedEditRequest;
  plan: EdenAIEditPlan;
  /** The call's client, bound to the provider's lane: uploads and the edit go through it. */
  http: HttpClient;
  signal: AbortSignal;
  uploads: EdenAIUploadCache;
  /** Per-attempt timeout of the edit and upload requests. */
  timeoutMs: number | false;
}

/**
 * Runs one planned edit: fetches remote inputs a model cannot take, uploads what the upload mode
 * asks for, picks the transport, sends one `POST /v3/images/edits` and reads the result. Returns the
 * warnings learned on the way (the plan's own were returned by `prepare`).
 */
async function runEdenAIEdit(context: EdenAIEditContext): Promise<ProviderEditOutput> {
  const { request, plan, http, signal } = context;
  const warnings: EditWarning[] = [];
  const slots: InputSlot[] = plan.inputs.map((input) => ({ ...input }));

  // Eden takes https and data: URLs, and some models no remote URL at all: those get the picture itself.
  await fetchRemoteInputs({
    slots,
    modelId: request.modelId,
    acceptsRemoteUrls: plan.family.acceptsRemoteUrls,
    transport: plan.transport,
    http,
    signal,
    warnings,
  });

  warnings.push(...fileIdAdvice({ modelId: request.modelId, upload: plan.upload, slots }));
  // Eden reads a mask the other way round from Retouch: converted once, for every transport.
  await convertEdenAIMaskSlot({
    slots,
    warnings,
    download: (slot, reason) => downloadInput({ slot, http, signal, reason }),
  });

  const transport = await routeInputs({
    context: {
      transport: plan.transport,
      upload: plan.upload,
      acceptsFileIds: plan.family.acceptsFileIds,
      uploads: context.uploads,
      http,
      signal,
      timeoutMs: context.timeoutMs,
    },
    slots,
    warnings,
  });

  let response: EdenAIImageResponse;
  try {
    response = await sendEdit({ context, slots, transport, warnings });
  } catch (error) {
    // A rejected request may name a cached file Eden no longer has: forget the uploads it used.
    if (ApiCallError.isInstance(error) && [400, 404, 422].includes(error.statusCode ?? 0)) {
      for (const slot of slots) if (slot.fileId && slot.contentHash) context.uploads.evict(slot.contentHash);
    }
    throw error;
  }
  return readResponse({ data: response, request, http, warnings, n: plan.n });
}

async function sendEdit(options: {
  context: EdenAIEditContext;
  slots: InputSlot[];
  transport: 'json' | 'multipart';
  warnings: EditWarning[];
}): Promise<EdenAIImageResponse> {
  const { context, slots, transport } = options;
  const { request, plan, http, signal } = context;
  const { edenaiImageResponseSchema } = await loadWire();
  const common = {
    method: 'POST' as const,
    path: EDENAI_PATHS.edits,
    schema: edenaiImageResponseSchema,
    signal,
    timeoutMs: context.timeoutMs,
  };

  if (transport === 'json') {
    const references = await Promise.all(slots.map((slot) => imageReference(slot)));
    const json = editJsonBody({ request, plan, references });
    return (await http.request({ ...common, json })).data;
  }

  const form = new FormData();
  for (const [name, value] of editFormFields({ request, plan })) form.append(name, value);
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
  return (await http.request({ ...common, form })).data;
}

async function imageReference(slot: InputSlot): Promise<EdenAIImageRef> {
  if (slot.fileId) return { file_id: slot.fileId };
  const image = slot.image;
  if (image.kind === 'file-id') return { file_id: image.fileId };
  if (image.kind === 'url') return { image_url: image.url };
  return { image_url: await imageToDataUrl(image) };
}

function readResponse(options: {
  data: EdenAIImageResponse;
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
      // The call's client: a later download of a result on Eden's host is paced by the lane too.
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
