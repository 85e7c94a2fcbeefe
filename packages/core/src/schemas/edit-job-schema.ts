import * as z from 'zod/mini';
import './zod-english.ts';
import type { EditJobSnapshot } from '../edit-job-snapshot.ts';
import { lazySchema } from '../lazy-schema.ts';
import { costSchema } from './cost-schema.ts';
import { editResultSchema, editWarningSchema } from './edit-result-schema.ts';

const failedAttemptSchema = lazySchema(() =>
  z.object({ model: z.string(), errorName: z.string(), message: z.string() }),
);

/**
 * Zod schema of an `EditJobSnapshot`, what `job.toJSON()` writes and `retouch.resume()` reads.
 *
 * @example
 * const snapshot = editJobSnapshotSchema.parse(JSON.parse(text));
 */
export const editJobSnapshotSchema: z.ZodMiniType<EditJobSnapshot> = lazySchema(() =>
  z.object({
    type: z.literal('retouch.edit-job'),
    version: z.literal(1),
    id: z.string().check(z.minLength(1)),
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
