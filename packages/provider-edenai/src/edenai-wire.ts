// Loaded by the first call that reads an answer from Eden (see `loadWire`), not at import: zod costs
// about 50 ms and 15 MiB to load, which a program's cold start should not pay before it calls Eden.
import { lazySchema } from '@retouch/core/provider-utils';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini has no messages of its own: zod's English ones, as the full zod sets them when it loads,
// word an answer of the wrong shape.
z.config(en());

/**
 * Eden AI v3 answers: minimal schemas of what this package reads. Fields it does not read are let
 * through (`looseObject`) so a new field on Eden's side never breaks an edit.
 */

/** One output item: `url` (most upstream providers) or `b64_json` (gpt-image-*). */
export const edenaiImageDataItemSchema = lazySchema(() =>
  z.looseObject({
    url: z.nullish(z.string()),
    b64_json: z.nullish(z.string()),
    revised_prompt: z.nullish(z.string()),
  }),
);

/** `ImageResponse` of `POST /v3/images/edits`: OpenAI's image response plus Eden's `cost` and `provider`. */
export const edenaiImageResponseSchema = lazySchema(() =>
  z.looseObject({
    created: z.nullish(z.number()),
    data: z.array(edenaiImageDataItemSchema),
    output_format: z.nullish(z.string()),
    usage: z.nullish(z.record(z.string(), z.unknown())),
    cost: z.nullish(z.number()),
    provider: z.nullish(z.string()),
  }),
);

/** A parsed `ImageResponse`. */
export type EdenAIImageResponse = z.infer<typeof edenaiImageResponseSchema>;

/** The answer of `POST /v3/upload`. */
export const edenaiUploadResponseSchema = lazySchema(() =>
  z.looseObject({
    file_id: z.string().check(z.minLength(1)),
    file_name: z.nullish(z.string()),
    file_size: z.nullish(z.number()),
    file_mimetype: z.nullish(z.string()),
    created_at: z.nullish(z.string()),
    expires_at: z.nullish(z.string()),
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
    input_modalities: z.catch(z.optional(z.array(z.string())), undefined),
    output_modalities: z.catch(z.optional(z.array(z.string())), undefined),
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
    id: z.string().check(z.minLength(1)),
    model_name: z.nullish(z.string()),
    description: z.nullish(z.string()),
    capabilities: z.catch(z.optional(edenaiCapabilitiesSchema), undefined),
    pricing: z.optional(z.unknown()),
    list_pricing: z.optional(z.unknown()),
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
