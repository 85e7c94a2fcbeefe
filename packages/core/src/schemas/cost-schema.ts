import * as z from 'zod/mini';
import { lazyZodSchema } from './lazy-zod-schema.ts';

/** Zod schema of a `Cost`. */
export const costSchema = lazyZodSchema(() =>
  z.object({
    /** The amount in US dollars. */
    usd: z.number().check(z.nonnegative()),
    /** `reported` by the provider's own accounting, or `estimated` from its published prices. */
    source: z.enum(['reported', 'estimated']),
  }),
);
