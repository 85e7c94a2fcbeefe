import type { CreditBalance } from '../shared/credit-balance.ts';
import type { FileStore } from '../shared/file-store.ts';
import {
  ImageDownloadError,
  imageSourceFromFile,
  loadImageReference,
  type RemoteImagePolicy,
} from '../shared/image-source.ts';
import { type ImageSource, parseSize, renderVariants } from '../shared/image-transform.ts';
import { acceptPaidWork } from '../shared/paid-work.ts';
import type { PendingTimers } from '../shared/pending-timers.ts';
import type { RouteContext, RouteResult } from '../shared/route.ts';
import type { RouteDefinitions } from '../shared/route-table.ts';
import { isRecord, roundUsd } from '../shared/values.ts';
import {
  edenAIError,
  edenAIInsufficientCredits,
  edenAIJsonDecodeError,
  edenAIValidationError,
} from './edenai-errors.ts';
import { edenAIMaskProblem, edenAIMultipartFileIdProblem } from './edenai-mask-rules.ts';
import { type EdenAIModel, findEdenAIModel, isEdenAIEditModel } from './edenai-models.ts';
import type { EdenAIUploadStore } from './edenai-upload-store.ts';
import {
  type EdenAIEditFields,
  validateEdenAIJsonEdit,
  validateEdenAIMultipartEdit,
} from './edenai-validation.ts';

/** What the edit route reads, charges and counts. */
export interface EdenAIEditRoutesOptions {
  /** Where result URLs point, and which input URLs may point back at. */
  fileStore: FileStore;
  /** The files an edit may name by `file_id`. */
  uploads: EdenAIUploadStore;
  timers: PendingTimers;
  balance: CreditBalance;
  /** Counts the images produced. */
  counters: { imagesGenerated: number };
  /** The host simulated: `eu` refuses models not served in the EU. */
  region: 'global' | 'eu';
  /** What to do with `image_url`s on other hosts. */
  remoteImages: RemoteImagePolicy;
  /** Models this account may not use. */
  forbiddenModels: string[] | undefined;
  /** Which documented 402 body a lack of credits gets. */
  insufficientCreditsShape: 'simple' | 'detailed';
  /** How long an edit takes before it answers. */
  editDelayMs: number;
}

/**
 * `POST /v3/images/edits`, in JSON (images by URL or `file_id`) or multipart (image files): checked as Eden
 * checks it, priced, rendered, and answered with base64 images or result URLs as the model gives them.
 */
export function edenAIEditRoutes(options: EdenAIEditRoutesOptions): RouteDefinitions {
  const { fileStore, uploads, balance, counters } = options;

  const resolveReference = async (reference: Record<string, unknown>): Promise<ImageSource> => {
    if (typeof reference.file_id === 'string') return uploads.imageSource(reference.file_id);
    return loadImageReference({
      reference: String(reference.image_url),
      fileStore,
      remoteImages: options.remoteImages,
    });
  };

  const edit = async (editOptions: {
    context: RouteContext;
    fields: EdenAIEditFields;
    images: () => Promise<ImageSource[]>;
    mask: () => Promise<ImageSource | undefined>;
  }): Promise<RouteResult> => {
    const { context, fields } = editOptions;
    const model: EdenAIModel | undefined = findEdenAIModel(fields.model);
    if (model !== undefined && options.region === 'eu' && !model.regions.includes('eu')) {
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
    if (!balance.covers(cost)) {
      return edenAIInsufficientCredits({
        shape: options.insufficientCreditsShape,
        required: cost,
        available: balance.remaining,
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
    const refusal = await acceptPaidWork({
      context,
      timers: options.timers,
      delayMs: options.editDelayMs,
      failure: (message) =>
        edenAIError({ status: 502, type: 'provider_error', message: message ?? 'Upstream provider error' }),
    });
    if (refusal !== undefined) return refusal;
    balance.charge(cost);
    const [canvas, ...references] = sources;
    const size = parseSize(fields.size);
    const rendered = renderVariants({
      canvas: canvas!,
      references,
      ...(mask === undefined ? {} : { mask }),
      maskConvention: 'transparent-edits',
      model: model.id,
      prompt: fields.prompt,
      ...(size === undefined ? {} : { size }),
      count: fields.n,
    });
    counters.imagesGenerated += rendered.pngs.length;
    const data = rendered.pngs.map((png) =>
      model.output === 'b64_json'
        ? { b64_json: png.toString('base64'), url: null, revised_prompt: null }
        : {
            url: fileStore.put({ bytes: png, missing: context.fault?.kind === 'result-404' }),
            b64_json: null,
            revised_prompt: null,
          },
    );
    const inputTokens = Math.ceil(fields.prompt.length / 4) + 65 * sources.length;
    const outputTokens = 272 * fields.n;
    return {
      status: 200,
      json: {
        created: Math.floor(Date.now() / 1000),
        data,
        output_format: 'png',
        size: `${rendered.width}x${rendered.height}`,
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

  return {
    'POST /v3/images/edits': {
      accepts: 'json-or-multipart',
      handle: async (context) => {
        const { body } = context;
        const malformed = edenAIJsonDecodeError(body);
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
            images: () => Promise.all((json.images as Record<string, unknown>[]).map(resolveReference)),
            mask: async () => (isRecord(json.mask) ? resolveReference(json.mask) : undefined),
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
            images: async () => images.map(imageSourceFromFile),
            mask: async () => (maskFile === undefined ? undefined : imageSourceFromFile(maskFile)),
          });
        }
        return edenAIError({
          status: 400,
          type: 'validation_error',
          message: `Unsupported Content-Type '${body.type === 'other' ? body.contentType : ''}': send application/json or multipart/form-data`,
        });
      },
    },
  };
}
