// Loaded by the first call that needs it, not at import: zod costs about 50 ms and 15 MiB on a cold start.
import type { RequestIssue } from '@retouch/core';
import { lazySchema } from '@retouch/core/provider-utils';
import * as z from 'zod';

/*
 * The Oxen.ai wire format, limited to the fields the adapter reads, and the checks that run on it.
 * Unknown fields are ignored so a new field on Oxen's side never breaks a call; a missing field the
 * adapter needs is an `InvalidResponseError` naming its path. Only `oxen-api.ts` loads this module
 * (`loadOxenWire`); the other modules import its types alone.
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

/** A model as Oxen describes it, or `undefined` for a malformed one. */
export function parseOxenModel(value: unknown): OxenModel | undefined {
  const parsed = oxenModelSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The payload of a `media_generation_completed` event, or `undefined` for a malformed one. */
export function parseOxenCompletedEvent(payload: unknown): OxenCompletedEvent | undefined {
  const parsed = oxenCompletedEventSchema.safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Zod schema of `providerOptions.oxen`. The four named options steer the adapter and are never sent
 * to Oxen; every other key is a parameter of the model (`guidance`, `num_inference_steps`,
 * `enable_web_search`, `safety_tolerance`, ...), checked against the model's schema and sent as is.
 */
export const oxenProviderOptionsSchema = lazySchema(() =>
  z.looseObject({
    mode: z
      .enum(['sync', 'queue', 'sse'], {
        error:
          'mode must be "sync", "queue" or "sse"; omit it to use the mode the provider was created with (createOxen({ mode }))',
      })
      .optional(),
    targetNamespace: z
      .string({ error: 'targetNamespace must be the name of an Oxen user or organization' })
      .trim()
      .min(1, { error: 'targetNamespace is empty; omit it to bill the key owner' })
      .optional(),
    responseFormat: z
      .enum(['url', 'b64_json'], { error: 'responseFormat must be "url" or "b64_json"' })
      .optional(),
    reportCost: z.boolean({ error: 'reportCost must be true or false' }).optional(),
  }),
);

/** The adapter's own options of `providerOptions.oxen`, as the schema reads them. */
type NamedOxenOptions = z.infer<typeof oxenProviderOptionsSchema>;

/** `providerOptions.oxen`, parsed: the adapter's own options, and the model parameters. */
export interface ParsedOxenOptions {
  mode?: NamedOxenOptions['mode'] | undefined;
  targetNamespace?: string | undefined;
  responseFormat?: NamedOxenOptions['responseFormat'] | undefined;
  reportCost?: boolean | undefined;
  /** Every other key: a model parameter in the model's own spelling. */
  parameters: Record<string, unknown>;
}

/** `providerOptions.oxen` parsed into the adapter's options and the model parameters, or its issues. */
export function parseOxenProviderOptions(
  raw: Readonly<Record<string, unknown>>,
): { success: true; options: ParsedOxenOptions } | { success: false; issues: RequestIssue[] } {
  const parsed = oxenProviderOptionsSchema.safeParse(raw);
  if (!parsed.success) return { success: false, issues: optionIssues(parsed.error) };
  const { mode, targetNamespace, responseFormat, reportCost, ...parameters } = parsed.data;
  return { success: true, options: { mode, targetNamespace, responseFormat, reportCost, parameters } };
}

function optionIssues(error: z.ZodError): RequestIssue[] {
  return error.issues.map((issue) => ({
    path: ['providerOptions', 'oxen', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}
