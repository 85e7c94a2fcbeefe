import * as z from 'zod/mini';
import { checkLaneLimits } from '../check-lane-limits.ts';
import { describeProblem } from '../option-rules.ts';
import type { LaneLimits } from '../provider.ts';
import { lazyZodSchema } from './lazy-zod-schema.ts';

/**
 * Zod schema of one provider's `LaneLimits`, for configuration read with zod: the rule
 * `createRetouch` applies (`checkLaneLimits`), with the same messages and paths.
 *
 * @example
 * laneLimitsSchema.parse({ concurrency: 4, requestsPerSecond: 10 });
 */
export const laneLimitsSchema: z.ZodMiniType<LaneLimits> = lazyZodSchema(() =>
  z.custom<LaneLimits>().check((context: z.core.ParsePayload<LaneLimits>) => {
    const found = checkLaneLimits(context.value);
    if (!found) return;
    context.issues.push({
      code: 'custom',
      input: context.value,
      path: found.path,
      // An unknown key is named with the keys there are, as createRetouch names it.
      message: found.unknownKey === undefined ? found.message : describeProblem(found),
    });
  }),
);
