import * as z from 'zod';
import { lazySchema } from '../lazy-schema.ts';

/** Zod schema of a `Cost`. */
export const costSchema = lazySchema(() =>
  z.object({
    /** The amount in US dollars. */
    usd: z.number().nonnegative(),
    /** `reported` by the provider's own accounting, or `estimated` from its published prices. */
    source: z.enum(['reported', 'estimated']),
  }),
);
