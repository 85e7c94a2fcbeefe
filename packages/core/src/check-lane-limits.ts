import {
  finiteNumber,
  type OptionCheck,
  type OptionProblem,
  rule,
  strictObject,
  wholeAtLeast,
} from './option-rules.ts';
import type { LaneLimits } from './provider.ts';

/** The rule of one provider's lane limits, for checking them inside a larger options object. */
export const laneLimitsCheck: OptionCheck = strictObject(
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
