import {
  CONNECTION_FLAG_SPECS,
  type ConnectionFlags,
  parseConnectionFlags,
} from '../args/connection-flags.ts';
import { EDIT_FLAG_SPECS, type EditFlags, parseEditFlags } from '../args/edit-flags.ts';
import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';
import { checkModelId } from '../args/model-id.ts';
import { parseSpendingFlags, SPENDING_FLAG_SPECS, type SpendingFlags } from '../args/spending-flags.ts';
import { JUDGE_PROVIDERS } from '../judge-model.ts';
import { BUDGET_RULE, concurrencyRule, REPEAT_RULE } from '../number-rules.ts';

/** One model of a comparison. */
export interface CompareModelSpec {
  /** `provider:model`. */
  model: string;
  /** The name shown in the table and report; the model id when omitted. */
  label?: string;
  /** Options for this model's provider, e.g. `{ oxen: { guidance: 3 } }`. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

/** `retouch compare` options, before `--config` is merged in. */
export interface CompareCommandOptions extends ConnectionFlags, EditFlags, SpendingFlags {
  models?: CompareModelSpec[];
  config?: string;
  repeat?: number;
  budgetUsd?: number;
  /** Most edits in flight per provider. */
  concurrency?: number;
  out?: string;
  /** `--judge <provider>:<model>`: the AI SDK model that scores each output. */
  judge?: string;
  /** `--judge-prices <input>,<output>`: the judge's US dollars per million tokens. */
  judgePrices?: { inputUsdPerMillionTokens: number; outputUsdPerMillionTokens: number };
}

/** The flags of `retouch compare`. */
export const COMPARE_COMMAND_FLAGS: FlagSpecs = {
  ...CONNECTION_FLAG_SPECS,
  ...EDIT_FLAG_SPECS,
  ...SPENDING_FLAG_SPECS,
  models: { type: 'string', short: 'm' },
  config: { type: 'string', short: 'c' },
  repeat: { type: 'string', short: 'r' },
  'budget-usd': { type: 'string' },
  concurrency: { type: 'string' },
  out: { type: 'string' },
  judge: { type: 'string' },
  'judge-prices': { type: 'string' },
};

/**
 * Reads `retouch compare`'s flags: `--models` or `--config` is required; the prompt and images may
 * come from the config, so the command checks them once it is read.
 */
export function parseCompareArgs(flag: FlagReader): CompareCommandOptions {
  const options: CompareCommandOptions = {
    ...parseConnectionFlags(flag),
    ...parseEditFlags(flag),
    ...parseSpendingFlags(flag),
  };
  const models = flag.string('models');
  const config = flag.string('config');
  if (models !== undefined) {
    const list = models
      .split(',')
      .map((model) => model.trim())
      .filter((model) => model !== '');
    if (list.length === 0) flag.fail('--models is empty; list models separated by commas');
    // With --config, a model may name a provider that the file's providers modules give.
    options.models = list.map((model) => ({
      model: checkModelId({ model, command: 'compare', otherProviders: config !== undefined }),
    }));
  }
  if (config !== undefined) options.config = config;
  if (options.models === undefined && config === undefined) {
    flag.fail(
      '--models or --config is required, e.g. --models oxen:qwen-image-edit,edenai:openai/gpt-image-2',
    );
  }
  const repeat = flag.number('repeat', REPEAT_RULE);
  if (repeat !== undefined) options.repeat = repeat;
  const budget = flag.number('budget-usd', BUDGET_RULE);
  if (budget !== undefined) options.budgetUsd = budget;
  const concurrency = flag.number('concurrency', concurrencyRule(64));
  if (concurrency !== undefined) options.concurrency = concurrency;
  const out = flag.string('out');
  if (out !== undefined) options.out = out;
  const judge = flag.string('judge');
  if (judge !== undefined) {
    const provider = judge.slice(0, Math.max(0, judge.indexOf(':')));
    if (!(provider in JUDGE_PROVIDERS) || judge.endsWith(':')) {
      flag.fail(
        `--judge must be <provider>:<model> with a provider of ${Object.keys(JUDGE_PROVIDERS).join(', ')}, e.g. --judge openai:gpt-4.1-mini`,
      );
    }
    options.judge = judge;
  }
  const prices = flag.string('judge-prices');
  if (prices !== undefined) {
    const [input, output, ...rest] = prices.split(',').map((part) => Number(part.trim()));
    if (
      rest.length > 0 ||
      !(input! >= 0) ||
      !(output! >= 0) ||
      !Number.isFinite(input) ||
      !Number.isFinite(output)
    ) {
      flag.fail(
        '--judge-prices must be <input>,<output> US dollars per million tokens, e.g. --judge-prices 0.4,1.6',
      );
    }
    options.judgePrices = { inputUsdPerMillionTokens: input!, outputUsdPerMillionTokens: output! };
  }
  return options;
}
