/**
 * The rules the CLI's numeric options follow, whether they come from a flag, a config file or an
 * API call, and the one way their messages are worded: `must be a whole number from 1 to 100`,
 * `must be a positive number of US dollars`, `must be a whole number ≥ 1`. Where core has the rule
 * (output count, seed, lane concurrency), the value must also pass core's own check, so the CLI never
 * accepts what a request or a lane would refuse.
 */
import { checkLaneLimits, MAX_OUTPUTS, MAX_SEED } from '@retouch/core';
import { checkEditOption } from '@retouch/core/schemas';

/** What a number must be. */
export interface NumberRule {
  /** Whole numbers only. */
  whole?: boolean;
  /** Above zero: for amounts and durations where zero would mean nothing. */
  positive?: boolean;
  /** The smallest value allowed. */
  min?: number;
  /** The largest value allowed. */
  max?: number;
  /** What the number counts, named in the message: `US dollars`, `seconds`. */
  unit?: string;
  /** Core's own check of the value, where core has the rule. */
  core?: (value: number) => boolean;
}

/**
 * Checks a value against a rule: `undefined` when it holds, else what it must be, e.g.
 * `must be a whole number from 1 to 100`, for the caller to put after the option's name.
 *
 * @example
 * checkNumber({ value: 0, rule: { whole: true, min: 1, max: 100 } }); // 'must be a whole number from 1 to 100'
 */
export function checkNumber(options: { value: unknown; rule: NumberRule }): string | undefined {
  const { value, rule } = options;
  const holds =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.whole || Number.isSafeInteger(value)) &&
    (!rule.positive || value > 0) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.core === undefined || rule.core(value));
  return holds ? undefined : `must be ${describeNumberRule(rule)}`;
}

/** The rule in words: `a whole number from 1 to 100`, `a positive number of seconds`, `a number of US dollars ≥ 0`. */
function describeNumberRule(rule: NumberRule): string {
  const kind = `${rule.positive ? 'positive ' : ''}${rule.whole ? 'whole ' : ''}number${rule.unit ? ` of ${rule.unit}` : ''}`;
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` from ${rule.min} to ${rule.max}`
      : rule.min !== undefined
        ? ` ≥ ${rule.min}`
        : rule.max !== undefined
          ? ` ≤ ${rule.max}`
          : '';
  return `a ${kind}${range}`;
}

/** Output images per edit (`--n`), by the request's rule. */
export const OUTPUTS_RULE: NumberRule = {
  whole: true,
  min: 1,
  max: MAX_OUTPUTS,
  core: (value) => checkEditOption('n', value).ok,
};

/** A seed (`--seed`), by the request's rule. */
export const SEED_RULE: NumberRule = {
  whole: true,
  min: 0,
  max: MAX_SEED,
  core: (value) => checkEditOption('seed', value).ok,
};

/** Edits or jobs in flight at once, by the lane's concurrency rule, up to `max` when given. */
export function concurrencyRule(max?: number): NumberRule {
  return {
    whole: true,
    min: 1,
    ...(max !== undefined ? { max } : {}),
    core: (value) => checkLaneLimits({ concurrency: value }) === undefined,
  };
}

/** Runs per model of a comparison (`--repeat`, a compare config's `repeat`). */
export const REPEAT_RULE: NumberRule = { whole: true, min: 1, max: 100 };

/** The demo's runs per model: it is a demonstration, not a benchmark. */
export const DEMO_REPEAT_RULE: NumberRule = { whole: true, min: 1, max: 10 };

/** A spending cap for a command's own edits (`--budget-usd`, a compare config's `budgetUsd`). */
export const BUDGET_RULE: NumberRule = { positive: true, unit: 'US dollars' };

/** A deadline of each edit (`--timeout`, a compare config's `timeoutSeconds`). */
export const TIMEOUT_RULE: NumberRule = { positive: true, unit: 'seconds' };
