// Loaded by the first call that reads an answer from Eden (see `loadWire`), not at import: zod costs
// about 50 ms and 15 MiB to load, which a program's cold start should not pay before it calls Eden.
import { lazySchema } from '@retouch/core/provider-utils';
import * as z from 'zod';

/**
 * Eden AI v3 answers: minimal schemas of what this package reads. Fields it does not read are let
 * through (`looseObject`) so a new field on Eden's side never breaks an edit.
 */

/** One output item: `url` (most upstream providers) or `b64_json` (gpt-image-*). */
export const edenaiImageDataItemSchema = lazySchema(() =>
  z.looseObject({
    url: z.string().nullish(),
    b64_json: z.string().nullish(),
    revised_prompt: z.string().nullish(),
  }),
);

/** `ImageResponse` of `POST /v3/images/edits`: OpenAI's image response plus Eden's `cost` and `provider`. */
export const edenaiImageResponseSchema = lazySchema(() =>
  z.looseObject({
    created: z.number().nullish(),
    data: z.array(edenaiImageDataItemSchema),
    output_format: z.string().nullish(),
    usage: z.record(z.string(), z.unknown()).nullish(),
    cost: z.number().nullish(),
    provider: z.string().nullish(),
  }),
);

/** A parsed `ImageResponse`. */
export type EdenAIImageResponse = z.infer<typeof edenaiImageResponseSchema>;

/** The answer of `POST /v3/upload`. */
export const edenaiUploadResponseSchema = lazySchema(() =>
  z.looseObject({
    file_id: z.string().min(1),
    file_name: z.string().nullish(),
    file_size: z.number().nullish(),
    file_mimetype: z.string().nullish(),
    created_at: z.string().nullish(),
    expires_at: z.string().nullish(),
  }),
);

/** A parsed upload answer. */
export type EdenAIUploadResponse = z.infer<typeof edenaiUploadResponseSchema>;

/**
 * `ModelObject.capabilities`, an open object in Eden's OpenAPI whose docs show
 * `{ input_modalities, output_modalities }`. A key of another shape reads as missing, which the
 * catalogue reader treats as unknown (see `imageEditSupport`), never as a failed entry.
 */
export const edenaiCapabilitiesSchema = lazySchema(() =>
  z.looseObject({
    input_modalities: z.array(z.string()).optional().catch(undefined),
    output_modalities: z.array(z.string()).optional().catch(undefined),
  }),
);

/**
 * One `ModelObject` of `GET /v3/images/models` or `GET /v3/models`. `pricing` and `list_pricing`
 * are open objects in Eden's OpenAPI whose image price keys are not documented, so they are read
 * leniently in `edenai-models.ts`. `regions` (`{ code, name }` objects) is not read, so a change of
 * its shape hides no model.
 */
export const edenaiModelSchema = lazySchema(() =>
  z.looseObject({
    id: z.string().min(1),
    model_name: z.string().nullish(),
    description: z.string().nullish(),
    capabilities: edenaiCapabilitiesSchema.optional().catch(undefined),
    pricing: z.unknown().optional(),
    list_pricing: z.unknown().optional(),
  }),
);

/** A parsed model entry. */
export type EdenAIModel = z.infer<typeof edenaiModelSchema>;

/**
 * `ListModelsResponse`: `{ object: "list", data: [ModelObject] }`. Entries are checked one by one,
 * so one malformed entry does not hide the others.
 */
export const edenaiModelListSchema = lazySchema(() =>
  z.looseObject({
    data: z.array(z.unknown()),
  }),
);
