import * as z from 'zod/mini';
import type { EditJobSnapshot } from '../edit-job-snapshot.ts';
import { costSchema } from './cost-schema.ts';
import { editResultSchema, editWarningSchema } from './edit-result-schema.ts';
import { lazyZodSchema } from './lazy-zod-schema.ts';

const failedAttemptSchema = lazyZodSchema(() =>
  z.object({ model: z.string(), errorName: z.string(), message: z.string() }),
);

/**
 * Zod schema of an `EditJobSnapshot`, what `job.toJSON()` writes and `retouch.resume()` reads.
 *
 * @example
 * const snapshot = editJobSnapshotSchema.parse(JSON.parse(text));
 */
export const editJobSnapshotSchema: z.ZodMiniType<EditJobSnapshot> = lazyZodSchema(() =>
  z.object({
    type: z.literal('retouch.edit-job'),
    version: z.literal(1),
    id: z.string().check(z.minLength(1)),
    billingKey: z.optional(z.string().check(z.minLength(1))),
    status: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    requestedModel: z.string(),
    model: z.string(),
    provider: z.string(),
    providerJobId: z.optional(z.string()),
    createdAt: z.number(),
    updatedAt: z.number(),
    settledAt: z.optional(z.number()),
    estimatedCost: z.optional(costSchema),
    warnings: z.array(editWarningSchema),
    attempts: z.array(failedAttemptSchema),
    result: z.optional(editResultSchema),
    error: z.optional(z.object({ name: z.string(), message: z.string() })),
  }),
);
