/**
 * The rules `createRetouch` checks its options by, written as plain checks rather than a zod schema:
 * creating a client must not load zod (about 50 ms and 15 MiB at a cold start), and the options are
 * Retouch's own settings, not the request contract. Each rule returns the first problem with its path;
 * `@retouch/core/schemas` offers the lane-limits rule as a zod schema built on the same check.
 */
import { parseModelId } from '../edit-request.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { LaneLimits, ProviderAdapter } from '../provider.ts';
import type { BudgetOptions } from './budget.ts';
import type { ProgressListener } from './events.ts';
import type { RetouchOptions } from './retouch.ts';
import { defaultRetryOptions, type ResolvedRetryOptions } from './retry.ts';
import type { SharedLimits } from './shared-limits.ts';

/** A broken option: where (`['limits', 'oxen', 'concurrency']`) and what to do about it. */
export interface OptionProblem {
  /** The option's path, from the object checked. */
  path: (string | number)[];
  /** What the value must be, e.g. `must be a whole number ≥ 1`. */
  message: string;
  /** Set when the problem is a key the object does not know. */
  unknownKey?: string;
  /** The keys the object knows, when the problem is an unknown key. */
  known?: readonly string[];
}

type Check = (value: unknown, path: (string | number)[]) => OptionProblem | undefined;

const problem = (path: (string | number)[], message: string): OptionProblem => ({ path, message });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const hasMethods = (value: unknown, ...names: string[]): boolean =>
  typeof value === 'object' &&
  value !== null &&
  names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

/** A check that passes when the predicate holds, else names the fix. */
const rule =
  (holds: (value: unknown) => boolean, message: string): Check =>
  (value, path) =>
    holds(value) ? undefined : problem(path, message);

const wholeAtLeast = (minimum: number): Check =>
  rule(
    (value) => Number.isSafeInteger(value) && (value as number) >= minimum,
    `must be a whole number ≥ ${minimum}`,
  );

const finiteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

const milliseconds = rule(
  (value) => finiteNumber(value) && value >= 0,
  'must be a number of milliseconds ≥ 0',
);

const boolean = rule((value) => typeof value === 'boolean', 'must be true or false');

/**
 * An object of known keys: each field present is checked in order (a missing one only when
 * `required`), then the first unknown key is reported with the keys there are.
 */
function strictObject(
  fields: Record<string, Check>,
  message: string,
  required: readonly string[] = [],
): Check {
  const known = Object.keys(fields);
  return (value, path) => {
    if (!isRecord(value)) return problem(path, message);
    for (const key of known) {
      const field = value[key];
      if (field === undefined && !required.includes(key)) continue;
      const found = fields[key]!(field, [...path, key]);
      if (found) return found;
    }
    const unknownKey = Object.keys(value).find((key) => !Object.hasOwn(fields, key));
    return unknownKey === undefined
      ? undefined
      : { path, message: `${unknownKey} is not an option`, unknownKey, known };
  };
}

const laneLimitsCheck = strictObject(
  {
    concurrency: wholeAtLeast(1),
    requestsPerSecond: rule(
      (value) => finiteNumber(value) && value > 0,
      'must be a number > 0; omit it to let the lane adapt',
    ),
  },
  'must be an object { concurrency?, requestsPerSecond? }',
);

/**
 * Checks one provider's {@link LaneLimits}: the rule `createRetouch` and the CLI's config files apply.
 * Returns the first problem (its path is relative to the limits object), or `undefined` when they hold.
 *
 * @example
 * checkLaneLimits({ concurrency: 0 }); // { path: ['concurrency'], message: 'must be a whole number ≥ 1' }
 */
export function checkLaneLimits(value: unknown): OptionProblem | undefined {
  return laneLimitsCheck(value, []);
}

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

const retryCheck: Check = (value, path) => {
  const found = retryShape(value, path);
  if (found) return found;
  const resolved = resolveRetry(value as RetouchOptions['retry']);
  return resolved.maxDelayMs >= resolved.initialDelayMs
    ? undefined
    : problem([...path, 'maxDelayMs'], 'must be a number of milliseconds ≥ initialDelayMs');
};

const dollars = rule((value) => finiteNumber(value) && value >= 0, 'must be a number of US dollars ≥ 0');

const budgetCheck = strictObject(
  {
    maxUsd: dollars,
    unknownCost: rule((value) => value === 'refuse' || value === 'allow', 'must be "refuse" or "allow"'),
    store: rule(
      (value) => hasMethods(value, 'reserve', 'settle'),
      'must have reserve() and settle() methods (see BudgetStore)',
    ),
  },
  'must be an object such as { maxUsd: 5 }',
  ['maxUsd'],
);

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

/**
 * A problem as one line: `limits.oxen.concurrency must be …`, or for an unknown key
 * `retry.max_retries is not an option; did you mean "maxRetries"?`.
 */
export function describeProblem(found: OptionProblem): string {
  const path = describePath(found.path);
  if (found.unknownKey === undefined) return `${path ? `${path} ` : ''}${found.message}`;
  const known = found.known ?? [];
  const close = known.find((candidate) => similar(candidate, found.unknownKey!));
  const hint = close
    ? `; did you mean "${close}"?`
    : known.length > 0
      ? ` (options: ${known.join(', ')})`
      : '';
  return `${path ? `${path}.` : ''}${found.unknownKey} is not an option${hint}`;
}

/** An option's path as code spells it: `limits.oxen.concurrency`, `fallback[0]`. */
function describePath(path: readonly (string | number)[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${segment}`,
    )
    .join('');
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
