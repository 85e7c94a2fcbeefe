// Loaded by the first call that needs it, not at import: zod costs about 50 ms and 15 MiB on a cold start.
import type { RequestIssue } from '@retouch/core';
import { lazySchema } from '@retouch/core/provider-utils';
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini has no messages of its own: zod's English ones, as the full zod sets them when it loads,
// word an answer of the wrong shape.
z.config(en());

/*
 * The Oxen.ai wire format, limited to the fields the adapter reads, and the checks that run on it.
 * Unknown fields are ignored so a new field on Oxen's side never breaks a call; a missing field the
 * adapter needs is an `InvalidResponseError` naming its path. Only `oxen-api.ts` loads this module
 * (`loadOxenWire`); the other modules import its types alone.
 */

/** One output of `POST /api/ai/images/edit`: a hosted URL, or the bytes with `response_format: "b64_json"`. */
export const oxenEditImageSchema = lazySchema(() =>
  z.object({
    url: z.optional(z.string()),
    b64_json: z.optional(z.string()),
  }),
);

/** `POST /api/ai/images/edit` → `{ model, created, images: [{ url } | { b64_json }] }`. */
export const oxenEditResponseSchema = lazySchema(() =>
  z.object({
    model: z.optional(z.string()),
    created: z.optional(z.number()),
    images: z.array(oxenEditImageSchema).check(z.minLength(1)),
  }),
);

/** The parsed body of `POST /api/ai/images/edit`. */
export type OxenEditResponse = z.infer<typeof oxenEditResponseSchema>;

/** A job's status on Oxen's queue. The last three are terminal. */
export const oxenJobStatusSchema = lazySchema(() =>
  z.enum(['queued', 'processing', 'succeeded', 'failed', 'cancelled']),
);

/** A job's status on Oxen's queue. */
export type OxenJobStatus = 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';

/** `POST /api/ai/queue` → `{ generations: [{ generation_id, status }] }`, one entry per `num_generations`. */
export const oxenEnqueueResponseSchema = lazySchema(() =>
  z.object({
    generations: z
      .array(z.object({ generation_id: z.string().check(z.minLength(1)), status: z.optional(z.string()) }))
      .check(z.minLength(1)),
  }),
);

/** The parsed body of `POST /api/ai/queue`. */
export type OxenEnqueueResponse = z.infer<typeof oxenEnqueueResponseSchema>;

const unixSeconds = lazySchema(() => z.optional(z.nullable(z.number())));

/**
 * `GET /api/ai/queue/{id}`: one generation. The row also echoes the request's parameters
 * (`output_format`, ...), of which only `output_format` is read, to label the result's media type.
 */
export const oxenGenerationStatusSchema = lazySchema(() =>
  z.object({
    generation_id: z.string(),
    model_name: z.optional(z.nullable(z.string())),
    status: oxenJobStatusSchema,
    result_url: z.optional(z.nullable(z.string())),
    error_message: z.optional(z.nullable(z.string())),
    enqueued_at: unixSeconds,
    started_at: unixSeconds,
    completed_at: unixSeconds,
    output_format: z.optional(z.unknown()),
  }),
);

/** The parsed body of `GET /api/ai/queue/{id}`. */
export type OxenGenerationStatus = z.infer<typeof oxenGenerationStatusSchema>;

/**
 * A row of Oxen's own records, as both listings show it: the generation's identity and state, and
 * the request's parameters merged in at the top level (`prompt`, `input_image`, ...), kept as they
 * come (a lost answer is matched on them).
 */
export const oxenListedGenerationSchema = lazySchema(() =>
  z.looseObject({
    generation_id: z.string().check(z.minLength(1)),
    model_name: z.optional(z.nullable(z.string())),
    status: oxenJobStatusSchema,
    enqueued_at: z.number(),
    completed_at: unixSeconds,
    result_url: z.optional(z.nullable(z.string())),
    error_message: z.optional(z.nullable(z.string())),
    prompt: z.optional(z.nullable(z.string())),
    cost: z.optional(z.nullable(z.union([z.string(), z.number()]))),
    output_format: z.optional(z.unknown()),
  }),
);

/** A row of `GET /api/ai/queue` or `GET /api/ai/generations`. */
export type OxenListedGeneration = z.infer<typeof oxenListedGenerationSchema>;

/** `GET /api/ai/queue`: the active (queued or processing) generations, or those of an explicit `status`. */
export const oxenQueueListSchema = lazySchema(() =>
  z.object({ generations: z.array(oxenListedGenerationSchema) }),
);

/** `GET /api/ai/generations`: one page of the generation history, newest first, with `cost` per row. */
export const oxenGenerationListSchema = lazySchema(() =>
  z.object({
    generations: z.array(oxenListedGenerationSchema),
    total_pages: z.int().check(z.nonnegative()),
  }),
);

/** `DELETE /api/ai/queue/{id}` → `{ status: "success", generation_id }`. */
export const oxenCancelResponseSchema = lazySchema(() =>
  z.optional(z.object({ status: z.optional(z.string()), generation_id: z.optional(z.string()) })),
);

/** `GET /api/ai/generations/{id}` → `{ generation: { cost: "0.04" } }`; `cost` is a decimal string in USD. */
export const oxenGenerationRecordSchema = lazySchema(() =>
  z.object({
    generation: z.object({
      generation_id: z.optional(z.string()),
      cost: z.optional(z.nullable(z.union([z.string(), z.number()]))),
    }),
  }),
);

/** The payload of a `media_generation_completed` event on `GET /api/events`. */
export const oxenCompletedEventSchema = lazySchema(() =>
  z.object({
    generation_id: z.string().check(z.minLength(1)),
    status: z.string(),
    media_type: z.optional(z.string()),
    model: z.optional(z.string()),
    url: z.optional(z.nullable(z.string())),
    error: z.optional(z.nullable(z.string())),
  }),
);

/** The payload of a `media_generation_completed` event. */
export type OxenCompletedEvent = z.infer<typeof oxenCompletedEventSchema>;

const numeric = lazySchema(() =>
  z.union([z.number(), z.pipe(z.string().check(z.regex(/^\s*\d+(\.\d+)?\s*$/)), z.transform(Number))]),
);

/** One parameter of a model's JSON schema. */
export const oxenParameterSchema = lazySchema(() =>
  z.object({
    type: z.optional(z.union([z.string(), z.array(z.string())])),
    enum: z.optional(z.array(z.unknown())),
    default: z.optional(z.unknown()),
    minimum: z.optional(z.number()),
    maximum: z.optional(z.number()),
    format: z.optional(z.string()),
    description: z.optional(z.string()),
    items: z.optional(z.object({ type: z.optional(z.union([z.string(), z.array(z.string())])) })),
    maxItems: z.optional(z.number()),
  }),
);

/** One parameter of a model's JSON schema. */
export type OxenParameter = z.infer<typeof oxenParameterSchema>;

/** A model's parameter schema (`request_schema` or `json_request_schema`). */
export const oxenRequestSchemaSchema = lazySchema(() =>
  z.object({
    properties: z._default(z.record(z.string(), oxenParameterSchema), {}),
    required: z.optional(z.array(z.string())),
  }),
);

/** A model's price list. Prices are USD (Oxen does not name the currency). */
export const oxenPricingSchema = lazySchema(() =>
  z.object({
    method: z.optional(z.nullable(z.string())),
    cost_per_image: z.optional(z.nullable(numeric)),
    cost_per_image_grid: z.optional(z.nullable(z.record(z.string(), z.record(z.string(), numeric)))),
  }),
);

/** A model's price list. */
export type OxenPricing = z.infer<typeof oxenPricingSchema>;

/** A model from `GET /api/ai/models` or `GET /api/ai/models/{name}`. */
export const oxenModelSchema = lazySchema(() =>
  z.object({
    id: z.optional(z.string()),
    name: z.optional(z.string()),
    display_name: z.optional(z.nullable(z.string())),
    description: z.optional(z.nullable(z.string())),
    capabilities: z.optional(
      z.nullable(
        z.object({
          input: z.optional(z.array(z.string())),
          output: z.optional(z.array(z.string())),
        }),
      ),
    ),
    pricing: z.optional(z.nullable(oxenPricingSchema)),
    request_schema: z.optional(z.nullable(oxenRequestSchemaSchema)),
    json_request_schema: z.optional(z.nullable(oxenRequestSchemaSchema)),
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
    mode: z.optional(
      z.enum(['sync', 'queue', 'sse'], {
        error:
          'mode must be "sync", "queue" or "sse"; omit it to use the mode the provider was created with (createOxen({ mode }))',
      }),
    ),
    targetNamespace: z.optional(
      z
        .string({ error: 'targetNamespace must be the name of an Oxen user or organization' })
        .check(
          z.trim(),
          z.minLength(1, { error: 'targetNamespace is empty; omit it to bill the key owner' }),
        ),
    ),
    responseFormat: z.optional(
      z.enum(['url', 'b64_json'], { error: 'responseFormat must be "url" or "b64_json"' }),
    ),
    reportCost: z.optional(z.boolean({ error: 'reportCost must be true or false' })),
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

function optionIssues(error: z.core.$ZodError): RequestIssue[] {
  return error.issues.map((issue) => ({
    path: ['providerOptions', 'oxen', ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}
