import { lazySchema } from '@retouch/core';
import { z } from 'zod';

/*
 * The Oxen.ai wire format, limited to the fields the adapter reads. Unknown fields are ignored so a
 * new field on Oxen's side never breaks a call; a missing field the adapter needs is an
 * `InvalidResponseError` naming its path.
 */

/** One output of `POST /api/ai/images/edit`: a hosted URL, or the bytes with `response_format: "b64_json"`. */
export const oxenEditImageSchema = lazySchema(() =>
  z.object({
    url: z.string().optional(),
    b64_json: z.string().optional(),
  }),
);

/** `POST /api/ai/images/edit` → `{ model, created, images: [{ url } | { b64_json }] }`. */
export const oxenEditResponseSchema = lazySchema(() =>
  z.object({
    model: z.string().optional(),
    created: z.number().optional(),
    images: z.array(oxenEditImageSchema).min(1),
  }),
);

/** The parsed body of `POST /api/ai/images/edit`. */
export type OxenEditResponse = z.infer<typeof oxenEditResponseSchema>;

/** A job's status on Oxen's queue. The last three are terminal. */
export const oxenJobStatusSchema = lazySchema(() =>
  z.enum(['queued', 'processing', 'succeeded', 'failed', 'cancelled']),
);

/** A job's status on Oxen's queue. */
export type OxenJobStatus = z.infer<typeof oxenJobStatusSchema>;

/** `POST /api/ai/queue` → `{ generations: [{ generation_id, status }] }`, one entry per `num_generations`. */
export const oxenEnqueueResponseSchema = lazySchema(() =>
  z.object({
    generations: z
      .array(z.object({ generation_id: z.string().min(1), status: z.string().optional() }))
      .min(1),
  }),
);

/** The parsed body of `POST /api/ai/queue`. */
export type OxenEnqueueResponse = z.infer<typeof oxenEnqueueResponseSchema>;

const unixSeconds = lazySchema(() => z.number().nullable().optional());

/**
 * `GET /api/ai/queue/{id}`: one generation. The row also echoes the request's parameters
 * (`output_format`, ...), of which only `output_format` is read, to label the result's media type.
 */
export const oxenGenerationStatusSchema = lazySchema(() =>
  z.object({
    generation_id: z.string(),
    model_name: z.string().nullable().optional(),
    status: oxenJobStatusSchema,
    result_url: z.string().nullable().optional(),
    error_message: z.string().nullable().optional(),
    enqueued_at: unixSeconds,
    started_at: unixSeconds,
    completed_at: unixSeconds,
    output_format: z.unknown().optional(),
  }),
);

/** The parsed body of `GET /api/ai/queue/{id}`. */
export type OxenGenerationStatus = z.infer<typeof oxenGenerationStatusSchema>;

/**
 * An Oxen time (whole Unix seconds) as epoch milliseconds: the middle of that second, which halves
 * the worst error against the moment it stands for (the dispatcher keeps it between the submission
 * and the moment the job was seen running).
 */
export function oxenTimeToEpochMs(seconds: number | null | undefined): number | undefined {
  return typeof seconds === 'number' ? seconds * 1000 + 500 : undefined;
}

/** `GET /api/ai/queue`: the caller's active (queued or processing) generations. */
export const oxenQueueListSchema = lazySchema(() =>
  z.object({
    generations: z.array(z.object({ generation_id: z.string(), status: z.string().optional() })),
  }),
);

/** `DELETE /api/ai/queue/{id}` → `{ status: "success", generation_id }`. */
export const oxenCancelResponseSchema = lazySchema(() =>
  z.object({ status: z.string().optional(), generation_id: z.string().optional() }).optional(),
);

/** `GET /api/ai/generations/{id}` → `{ generation: { cost: "0.04" } }`; `cost` is a decimal string in USD. */
export const oxenGenerationRecordSchema = lazySchema(() =>
  z.object({
    generation: z.object({
      generation_id: z.string().optional(),
      cost: z.union([z.string(), z.number()]).nullable().optional(),
    }),
  }),
);

/** The payload of a `media_generation_completed` event on `GET /api/events`. */
export const oxenCompletedEventSchema = lazySchema(() =>
  z.object({
    generation_id: z.string().min(1),
    status: z.string(),
    media_type: z.string().optional(),
    model: z.string().optional(),
    url: z.string().nullable().optional(),
    error: z.string().nullable().optional(),
  }),
);

/** The payload of a `media_generation_completed` event. */
export type OxenCompletedEvent = z.infer<typeof oxenCompletedEventSchema>;

/** The event name that reports a finished generation; every other event on the stream is unrelated. */
export const OXEN_COMPLETED_EVENT = 'media_generation_completed';

const numeric = lazySchema(() =>
  z.union([
    z.number(),
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*$/)
      .transform(Number),
  ]),
);

/** One parameter of a model's JSON schema. */
export const oxenParameterSchema = lazySchema(() =>
  z.object({
    type: z.union([z.string(), z.array(z.string())]).optional(),
    enum: z.array(z.unknown()).optional(),
    default: z.unknown().optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    format: z.string().optional(),
    description: z.string().optional(),
    items: z.object({ type: z.union([z.string(), z.array(z.string())]).optional() }).optional(),
    maxItems: z.number().optional(),
  }),
);

/** One parameter of a model's JSON schema. */
export type OxenParameter = z.infer<typeof oxenParameterSchema>;

/** A model's parameter schema (`request_schema` or `json_request_schema`). */
export const oxenRequestSchemaSchema = lazySchema(() =>
  z.object({
    properties: z.record(z.string(), oxenParameterSchema).default({}),
    required: z.array(z.string()).optional(),
  }),
);

/** A model's price list. Prices are USD (Oxen does not name the currency). */
export const oxenPricingSchema = lazySchema(() =>
  z.object({
    method: z.string().nullable().optional(),
    cost_per_image: numeric.nullable().optional(),
    cost_per_image_grid: z.record(z.string(), z.record(z.string(), numeric)).nullable().optional(),
  }),
);

/** A model's price list. */
export type OxenPricing = z.infer<typeof oxenPricingSchema>;

/** A model from `GET /api/ai/models` or `GET /api/ai/models/{name}`. */
export const oxenModelSchema = lazySchema(() =>
  z.object({
    id: z.string().optional(),
    name: z.string().optional(),
    display_name: z.string().nullable().optional(),
    description: z.string().nullable().optional(),
    capabilities: z
      .object({
        input: z.array(z.string()).optional(),
        output: z.array(z.string()).optional(),
      })
      .nullable()
      .optional(),
    pricing: oxenPricingSchema.nullable().optional(),
    request_schema: oxenRequestSchemaSchema.nullable().optional(),
    json_request_schema: oxenRequestSchemaSchema.nullable().optional(),
  }),
);

/** A model as Oxen describes it. */
export type OxenModel = z.infer<typeof oxenModelSchema>;

/** `GET /api/ai/models` → `{ object: "list", data: [Model] }`; each model is validated on its own. */
export const oxenModelListSchema = lazySchema(() => z.object({ data: z.array(z.unknown()) }));
