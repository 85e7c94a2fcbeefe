import { z } from 'zod';
import { parseModelId } from '../edit-request.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { LaneLimits, ProviderAdapter } from '../provider.ts';
import type { BudgetOptions } from './budget.ts';
import type { ProgressListener } from './events.ts';
import type { RetouchOptions } from './retouch.ts';
import { defaultRetryOptions, type ResolvedRetryOptions } from './retry.ts';
import type { SharedLimits } from './shared-limits.ts';

const wholeAtLeast = (minimum: number) =>
  z
    .number({ error: `must be a whole number ≥ ${minimum}` })
    .int({ error: `must be a whole number ≥ ${minimum}` })
    .min(minimum, { error: `must be a whole number ≥ ${minimum}` });

const milliseconds = z
  .number({ error: 'must be a number of milliseconds ≥ 0' })
  .min(0, { error: 'must be a number of milliseconds ≥ 0' })
  .refine(Number.isFinite, { error: 'must be a number of milliseconds ≥ 0' });

/**
 * Zod schema of one provider's {@link LaneLimits}: the rule `createRetouch` and the CLI's config
 * files check limits by.
 */
export const laneLimitsSchema: z.ZodType<LaneLimits> = z.strictObject(
  {
    concurrency: wholeAtLeast(1).optional(),
    requestsPerSecond: z
      .number({ error: 'must be a number > 0; omit it to let the lane adapt' })
      .positive({ error: 'must be a number > 0; omit it to let the lane adapt' })
      .refine(Number.isFinite, { error: 'must be a number > 0; omit it to let the lane adapt' })
      .optional(),
  },
  { error: 'must be an object { concurrency?, requestsPerSecond? }' },
);

const retryOptionsSchema = z
  .strictObject(
    {
      maxRetries: wholeAtLeast(0).optional(),
      maxRateLimitRetries: wholeAtLeast(0).optional(),
      initialDelayMs: milliseconds.optional(),
      maxDelayMs: milliseconds.optional(),
      retryUnsafeSubmissions: z.boolean({ error: 'must be true or false' }).optional(),
    },
    { error: 'must be an object such as { maxRetries: 3 }' },
  )
  .transform((given): ResolvedRetryOptions => {
    // Only the keys given replace the defaults: `{ maxRetries: undefined }` keeps the default.
    const set = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
    return { ...defaultRetryOptions, ...set };
  })
  .refine((resolved) => resolved.maxDelayMs >= resolved.initialDelayMs, {
    error: 'must be a number of milliseconds ≥ initialDelayMs',
    path: ['maxDelayMs'],
  });

const budgetOptionsSchema = z.strictObject(
  {
    maxUsd: z
      .number({ error: 'must be a number of US dollars ≥ 0' })
      .min(0, { error: 'must be a number of US dollars ≥ 0' })
      .refine(Number.isFinite, { error: 'must be a number of US dollars ≥ 0' }),
    unknownCost: z.enum(['refuse', 'allow'], { error: 'must be "refuse" or "allow"' }).optional(),
    store: z
      .custom<NonNullable<BudgetOptions['store']>>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as { reserve?: unknown }).reserve === 'function' &&
          typeof (value as { settle?: unknown }).settle === 'function',
        { error: 'must have reserve() and settle() methods (see BudgetStore)' },
      )
      .optional(),
  },
  { error: 'must be an object such as { maxUsd: 5 }' },
);

const modelString = z
  .string({ error: 'must be "provider:model", e.g. "edenai:openai/gpt-image-2"' })
  .refine((value) => parseModelId(value) !== undefined, {
    error: 'must be "provider:model", e.g. "edenai:openai/gpt-image-2"',
  });

/** Zod schema of {@link RetouchOptions}, checked by `createRetouch`. */
export const retouchOptionsSchema = z.strictObject(
  {
    providers: z
      .array(
        z.custom<ProviderAdapter>((value) => typeof value === 'object' && value !== null),
        {
          error: 'must be a non-empty array of provider adapters, e.g. [oxen, edenai]',
        },
      )
      .min(1, { error: 'must be a non-empty array of provider adapters, e.g. [oxen, edenai]' }),
    limits: z
      .record(z.string(), laneLimitsSchema, {
        error: 'must be an object keyed by provider id, e.g. { edenai: { requestsPerSecond: 10 } }',
      })
      .optional(),
    retry: retryOptionsSchema.optional(),
    budget: budgetOptionsSchema.optional(),
    fallback: z.array(modelString, { error: 'must be an array of "provider:model" strings' }).optional(),
    strict: z.boolean({ error: 'must be true or false' }).optional(),
    sharedLimits: z
      .custom<SharedLimits>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as { lane?: unknown }).lane === 'function',
        { error: 'must have a lane() method (see SharedLimits), e.g. from @retouch/queue' },
      )
      .optional(),
    onProgress: z
      .custom<ProgressListener>((value) => typeof value === 'function', {
        error: 'must be a function (event) => void',
      })
      .optional(),
  },
  { error: 'pass an options object { providers: [...] }' },
);

/** {@link RetouchOptions} after validation, with the retry defaults applied. */
export type ParsedRetouchOptions = Omit<z.output<typeof retouchOptionsSchema>, 'retry'> & {
  retry: ResolvedRetryOptions;
};

/**
 * Validates `createRetouch`'s options with {@link retouchOptionsSchema}; the first problem is thrown
 * as a `RetouchError` that names the option and the fix (an unknown option gets the closest known one).
 */
export function parseRetouchOptions(options: unknown): ParsedRetouchOptions {
  const parsed = retouchOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      const where = issue.path.length > 0 ? `${describePath(issue.path)}.` : '';
      const known = knownKeys(issue.path);
      const close = known.find((candidate) => similar(candidate, key));
      throw new RetouchError({
        message: `createRetouch: ${where}${key} is not an option${close ? `; did you mean "${close}"?` : known.length > 0 ? ` (options: ${known.join(', ')})` : ''}`,
      });
    }
    const path = describePath(issue.path);
    throw new RetouchError({ message: `createRetouch: ${path ? `${path} ` : ''}${issue.message}` });
  }
  return { ...parsed.data, retry: parsed.data.retry ?? { ...defaultRetryOptions } };
}

/** An option's path as code spells it: `limits.oxen.concurrency`, `fallback[0]`. */
function describePath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  const top = ['providers', 'limits', 'retry', 'budget', 'fallback', 'strict', 'sharedLimits', 'onProgress'];
  if (path.length === 0) return top;
  if (path[0] === 'retry') return Object.keys(defaultRetryOptions);
  if (path[0] === 'budget') return ['maxUsd', 'unknownCost', 'store'];
  if (path[0] === 'limits') return ['concurrency', 'requestsPerSecond'];
  return [];
}

/** Whether two option names are a typo apart: the same letters ignoring case, `_` and `-`, or one edit. */
function similar(a: string, b: string): boolean {
  const normal = (value: string) => value.toLowerCase().replace(/[_-]/g, '');
  const [x, y] = [normal(a), normal(b)];
  if (x === y || x.startsWith(y) || y.startsWith(x)) return true;
  if (Math.abs(x.length - y.length) > 1) return false;
  let edits = 0;
  for (let i = 0, j = 0; i < x.length || j < y.length; ) {
    if (x[i] === y[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (x.length > y.length) i++;
    else if (y.length > x.length) j++;
    else {
      i++;
      j++;
    }
  }
  return true;
}
