/**
 * The rules `createRetouch` checks its options by, written as plain checks rather than a zod schema:
 * creating a client must not load zod (about 50 ms and 15 MiB at a cold start), and the options are
 * Retouch's own settings, not the request contract. Each rule returns the first problem with its path
 * (see `option-rules.ts`); `@retouch/core/schemas` offers the lane-limits rule as a zod schema built on
 * the same check.
 */
import { laneLimitsCheck } from '../check-lane-limits.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { parseModelId } from '../model-id.ts';
import {
  boolean,
  describeProblem,
  finiteNumber,
  hasMethods,
  isRecord,
  milliseconds,
  type OptionCheck,
  problem,
  rule,
  strictObject,
  wholeAtLeast,
} from '../option-rules.ts';
import type { LaneLimits, ProviderAdapter } from '../provider.ts';
import type { RetouchLogger } from '../telemetry/retouch-logger.ts';
import type { BudgetOptions } from './budget.ts';
import type { ProgressListener } from './events.ts';
import type { RetouchOptions } from './retouch.ts';
import { defaultRetryOptions, type ResolvedRetryOptions } from './retry.ts';
import type { SharedLimits } from './shared-limits.ts';

const retryShape = strictObject(
  {
    maxRetries: wholeAtLeast(0),
    maxRateLimitRetries: wholeAtLeast(0),
    initialDelayMs: milliseconds,
    maxDelayMs: milliseconds,
    retryUnsafeSubmissions: boolean,
  },
  'must be an object such as { maxRetries: 3 }',
);

const retryCheck: OptionCheck = (value, path) => {
  const found = retryShape(value, path);
  if (found) return found;
  const resolved = resolveRetry(value as RetouchOptions['retry']);
  return resolved.maxDelayMs >= resolved.initialDelayMs
    ? undefined
    : problem([...path, 'maxDelayMs'], 'must be a number of milliseconds ≥ initialDelayMs');
};

const dollars = rule((value) => finiteNumber(value) && value >= 0, 'must be a number of US dollars ≥ 0');

const budgetFields = strictObject(
  {
    maxUsd: dollars,
    unknownCost: rule((value) => value === 'refuse' || value === 'allow', 'must be "refuse" or "allow"'),
    store: rule(
      (value) => hasMethods(value, 'reserve', 'markPossiblyBilled', 'settle', 'release', 'totals', 'entries'),
      'must be a SpendStore, with reserve(), markPossiblyBilled(), settle(), release(), totals() and entries() (e.g. createMemorySpendStore())',
    ),
  },
  'must be an object such as { maxUsd: 5 }',
);

/** A budget without a cap keeps its account in the store it names: without a store it would do nothing. */
const budgetCheck: OptionCheck = (value, path) =>
  isRecord(value) && value.maxUsd === undefined && value.store === undefined
    ? dollars(undefined, [...path, 'maxUsd'])
    : budgetFields(value, path);

const MODEL_MESSAGE = 'must be "provider:model", e.g. "edenai:openai/gpt-image-2"';
const PROVIDERS_MESSAGE = 'must be a non-empty array of provider adapters, e.g. [oxen, edenai]';

const optionsCheck = strictObject(
  {
    providers: (value, path) => {
      if (!Array.isArray(value) || value.length === 0) return problem(path, PROVIDERS_MESSAGE);
      const index = value.findIndex((adapter) => typeof adapter !== 'object' || adapter === null);
      return index === -1
        ? undefined
        : problem([...path, index], 'must be a provider adapter, e.g. oxen() or edenai()');
    },
    limits: (value, path) => {
      if (!isRecord(value)) {
        return problem(
          path,
          'must be an object keyed by provider id, e.g. { edenai: { requestsPerSecond: 10 } }',
        );
      }
      for (const [provider, limits] of Object.entries(value)) {
        const found = laneLimitsCheck(limits, [...path, provider]);
        if (found) return found;
      }
      return undefined;
    },
    retry: retryCheck,
    budget: budgetCheck,
    fallback: (value, path) => {
      if (!Array.isArray(value)) return problem(path, 'must be an array of "provider:model" strings');
      const index = value.findIndex(
        (model) => typeof model !== 'string' || parseModelId(model) === undefined,
      );
      return index === -1 ? undefined : problem([...path, index], MODEL_MESSAGE);
    },
    strict: boolean,
    sharedLimits: rule(
      (value) => hasMethods(value, 'lane'),
      'must have a lane() method (see SharedLimits), e.g. from @retouch/queue',
    ),
    onProgress: rule((value) => typeof value === 'function', 'must be a function (event) => void'),
    logger: rule(
      (value) => hasMethods(value, 'info', 'warn'),
      'must have info() and warn() methods, e.g. console or a pino logger',
    ),
  },
  'pass an options object { providers: [...] }',
  ['providers'],
);

/** {@link RetouchOptions} after validation, with the retry defaults applied. */
export interface ParsedRetouchOptions {
  providers: ProviderAdapter[];
  limits?: Record<string, LaneLimits>;
  retry: ResolvedRetryOptions;
  budget?: BudgetOptions;
  fallback?: string[];
  strict?: boolean;
  sharedLimits?: SharedLimits;
  onProgress?: ProgressListener;
  logger?: RetouchLogger;
}

/** The retry options with the defaults under the keys given (`{ maxRetries: undefined }` keeps it). */
function resolveRetry(given: RetouchOptions['retry']): ResolvedRetryOptions {
  const set = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined));
  return { ...defaultRetryOptions, ...set };
}

/**
 * Validates `createRetouch`'s options; the first problem is thrown as a `RetouchError` that names the
 * option and the fix (an unknown option gets the closest known one).
 */
export function parseRetouchOptions(options: unknown): ParsedRetouchOptions {
  const found = optionsCheck(options, []);
  if (found) throw new RetouchError({ message: `createRetouch: ${describeProblem(found)}` });
  const given = options as RetouchOptions;
  return { ...given, retry: resolveRetry(given.retry) } as ParsedRetouchOptions;
}
