import type { CreditBalance } from '../shared/credit-balance.ts';
import type { FileStore } from '../shared/file-store.ts';
import { imageSourceFromFile } from '../shared/image-source.ts';
import { parseSize, renderVariants } from '../shared/image-transform.ts';
import { acceptPaidWork } from '../shared/paid-work.ts';
import type { PendingTimers } from '../shared/pending-timers.ts';
import type { RouteDefinitions } from '../shared/route-table.ts';
import { roundUsd } from '../shared/values.ts';
import { insufficientQuota, openAIError } from './openai-errors.ts';
import { type OpenAIImageModel, outputTokensPerImage } from './openai-models.ts';
import { type OpenAIEditFields, validateOpenAIEdit } from './openai-validation.ts';

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

/** What the edit route reads and counts. */
export interface OpenAIEditRoutesOptions {
  fileStore: FileStore;
  timers: PendingTimers;
  balance: CreditBalance;
  /** Counts the images produced. */
  counters: { imagesGenerated: number };
  /** How long an edit takes before it answers. */
  editDelayMs: number;
}

/**
 * `POST /v1/images/edits`: a multipart edit, checked as OpenAI checks it, priced, rendered, and answered
 * with URLs (`dall-e-2`) or base64 images, plus `usage` for the GPT image models.
 */
export function openAIEditRoutes(options: OpenAIEditRoutesOptions): RouteDefinitions {
  const { fileStore, balance, counters } = options;
  return {
    'POST /v1/images/edits': {
      accepts: 'multipart',
      maxFileBytes: 50 * 1024 * 1024,
      handle: async (context) => {
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
        if (!balance.covers(cost)) return insufficientQuota();
        const refusal = await acceptPaidWork({
          context,
          timers: options.timers,
          delayMs: options.editDelayMs,
          failure: (message) =>
            openAIError({
              status: 500,
              type: 'server_error',
              message: message ?? 'The server had an error while processing your request. Sorry about that!',
            }),
        });
        if (refusal !== undefined) return refusal;
        balance.charge(cost);
        const [canvas, ...references] = fields.images.map(imageSourceFromFile);
        const size = parseSize(fields.size);
        const rendered = renderVariants({
          canvas: canvas!,
          references,
          ...(fields.mask === undefined ? {} : { mask: imageSourceFromFile(fields.mask) }),
          // "An additional image whose fully transparent areas (e.g. where alpha is zero) indicate where
          // `image` should be edited" (the reference, `mask`).
          maskConvention: 'transparent-edits',
          model: fields.model.id,
          prompt: fields.prompt,
          ...(size === undefined ? {} : { size }),
          count: fields.n,
        });
        counters.imagesGenerated += rendered.pngs.length;
        const data = rendered.pngs.map((png) =>
          fields.responseFormat === 'url'
            ? { url: fileStore.put({ bytes: png, missing: context.fault?.kind === 'result-404' }) }
            : { b64_json: png.toString('base64') },
        );
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
            size: `${rendered.width}x${rendered.height}`,
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
}
