import * as z from 'zod/mini';
import type { EditResult, EditWarningOption } from '../edit-result.ts';
import { costSchema } from './cost-schema.ts';
import { lazyZodSchema } from './lazy-zod-schema.ts';

/** Zod schema of an `EditWarning`. */
export const editWarningSchema = lazyZodSchema(() =>
  z.discriminatedUnion('type', [
    z.object({
      /** The model lacks the option, so it was not sent. */
      type: z.literal('unsupported-option'),
      /** The request field, e.g. `seed`. */
      option: z.custom<EditWarningOption>((value) => typeof value === 'string', 'expected a string'),
      /** What happened, in words. */
      message: z.string(),
    }),
    z.object({
      /** The model does not take the value as given, so a close one was sent instead. */
      type: z.literal('adjusted-option'),
      /** The request field, e.g. `outputFormat`. */
      option: z.custom<EditWarningOption>((value) => typeof value === 'string', 'expected a string'),
      /** The value the request asked for. */
      from: z.unknown(),
      /** The value sent to the provider. */
      to: z.unknown(),
      /** What happened, in words. */
      message: z.string(),
    }),
    z.object({
      /** Advice that concerns no single option. */
      type: z.literal('other'),
      /** What happened, in words. */
      message: z.string(),
    }),
  ]),
);

/** Zod schema of an `EditResult` as serialized with `JSON.stringify` (`bytes()` is not serialized). */
export const editResultSchema = lazyZodSchema(() =>
  z.object({
    /** The output images, without their `bytes()` method. */
    images: z.array(
      z.object({
        /** Where the provider serves the image; provider URLs expire. */
        url: z.optional(z.string()),
        /** The image bytes, base64-encoded, when the provider returned them inline. */
        base64: z.optional(z.string()),
        /** `image/png`, `image/jpeg`, `image/webp` or `image/gif`. */
        mediaType: z.string(),
      }),
    ),
    /** The provider id that served the edit. */
    provider: z.string(),
    /** The `provider:model` that served the edit. */
    model: z.string(),
    /** What the edit cost, when known. */
    cost: z.optional(costSchema),
    /** Options that were dropped or adjusted, and other advice. */
    warnings: z.array(editWarningSchema),
    /** Queue, run and total time, in milliseconds. */
    timings: z.object({
      /** Time spent waiting in the client's lane and, when the provider says so, in its queue. */
      queuedMs: z.number(),
      /** Time from the provider starting the work (else from its accepting the job) to the result. */
      runningMs: z.number(),
      /** Time from the call to the settled result. */
      totalMs: z.number(),
    }),
    /** The provider's job id, when the edit ran as a job. */
    jobId: z.optional(z.string()),
    /** For aggregators: the upstream provider that ran the model. */
    upstreamProvider: z.optional(z.string()),
    /** Token or other usage the provider reported. */
    usage: z.optional(z.record(z.string(), z.unknown())),
    /** Earlier models that failed when a fallback served this edit. */
    attempts: z.optional(
      z.array(
        z.object({
          /** The `provider:model` that was tried. */
          model: z.string(),
          /** The error's name, e.g. `ApiCallError`. */
          errorName: z.string(),
          /** The error's message, secrets redacted. */
          message: z.string(),
        }),
      ),
    ),
    /** The provider's parsed response, with secrets and long base64 strings elided. */
    raw: z.unknown(),
  }),
);

/** An {@link EditResult} after `JSON.stringify` and `JSON.parse`. */
export type SerializedEditResult = z.infer<typeof editResultSchema>;
