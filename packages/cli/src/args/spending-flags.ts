import { checkNumber } from '../number-rules.ts';
import type { FlagReader, FlagSpecs } from './flag-reader.ts';

/** How edits whose cost cannot be estimated are treated under a budget. */
export type UnknownCost = 'refuse' | 'allow';

/** The flags that decide what a budget lets through and how often a failed edit is tried again. */
export interface SpendingFlags {
  /** Under `--budget-usd`, `allow` sends edits of models without a published price and counts what they cost. */
  unknownCost?: UnknownCost;
  /** A price per output image in US dollars for a model, by `provider:model`, for budgets and estimates. */
  prices?: Record<string, number>;
  /** Retries of a failed request (not 429s) before an edit fails. */
  maxRetries?: number;
}

/** The flags of {@link SpendingFlags}. */
export const SPENDING_FLAG_SPECS: FlagSpecs = {
  'unknown-cost': { type: 'string' },
  price: { type: 'string', multiple: true },
  'max-retries': { type: 'string' },
};

/** The same flags without the budget's, for a command that keeps no budget (`edit`). */
export const RETRY_FLAG_SPECS: FlagSpecs = { 'max-retries': SPENDING_FLAG_SPECS['max-retries']! };

/** Reads the {@link SpendingFlags} a command takes (those of its specs). */
export function parseSpendingFlags(flag: FlagReader): SpendingFlags {
  const flags: SpendingFlags = {};
  const unknownCost = flag.oneOf<UnknownCost>('unknown-cost', ['refuse', 'allow']);
  if (unknownCost) flags.unknownCost = unknownCost;
  for (const entry of flag.strings('price')) {
    const separator = entry.lastIndexOf('=');
    const model = entry.slice(0, separator).trim();
    const text = entry.slice(separator + 1).trim();
    const usd = Number(text.replace(/^\$/, ''));
    if (separator <= 0 || !/^[a-z][a-z0-9-]*:\S+$/i.test(model)) {
      flag.fail(
        `--price must be <provider:model>=<US dollars per image>, e.g. --price edenai:bfl/flux-kontext-max=0.08; not "${entry}"`,
      );
    }
    const problem =
      text === '' ? 'needs an amount' : checkNumber({ value: usd, rule: { min: 0, unit: 'US dollars' } });
    if (problem) flag.fail(`--price ${model} ${problem}, not "${text}"`);
    flags.prices = { ...flags.prices, [model]: usd };
  }
  const maxRetries = flag.number('max-retries', { whole: true, min: 0, max: 20 });
  if (maxRetries !== undefined) flags.maxRetries = maxRetries;
  return flags;
}
