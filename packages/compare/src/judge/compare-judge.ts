import type { LanguageModelV4 } from '@ai-sdk/provider';

/**
 * A vision language model that scores how well each output follows the prompt, through the AI SDK.
 * Its cost is counted apart from the edits' and within the comparison's budget.
 *
 * @example
 * import { openai } from '@ai-sdk/openai';
 * const judge: CompareJudge = { model: openai('gpt-4.1-mini'), prices: { inputUsdPerMillionTokens: 0.4, outputUsdPerMillionTokens: 1.6 } };
 */
export interface CompareJudge {
  /**
   * The AI SDK language model to ask (what `openai('gpt-4.1-mini')` and the other AI SDK providers
   * return); it must take images.
   */
  model: LanguageModelV4;
  /**
   * What the model costs, to count each answer from its token usage. Required with a budget: a judge
   * whose cost cannot be counted could spend past it.
   */
  prices?: JudgePrices;
  /**
   * The most one answer may cost, held from the budget before the call and settled at its real cost.
   * @default 6,000 input and 300 output tokens at `prices`
   */
  reserveUsd?: number;
  /**
   * Where answers are kept by output hash, so the same output is judged (and paid for) once.
   * @default `<outDir>/.judge-cache`
   */
  cacheDirectory?: string;
}

/** A language model's prices, in US dollars per million tokens. */
export interface JudgePrices {
  /** Per million input tokens (the prompt and the two pictures). */
  inputUsdPerMillionTokens: number;
  /** Per million output tokens. */
  outputUsdPerMillionTokens: number;
}

/** The judge's answer about one output. */
export interface JudgeVerdict {
  /** How well the output follows the prompt, from 1 (not at all) to 10 (exactly). */
  score: number;
  /** One sentence of reason. */
  reason: string;
  /** The judging model, `provider:model`. */
  model: string;
  /** What the answer cost, when the judge has prices; 0 when it came from the cache. */
  costUsd?: number;
  /** Whether the answer came from the cache rather than a call. */
  cached: boolean;
}

/** The output limit of one answer: a score and a sentence need far less. */
export const JUDGE_MAX_OUTPUT_TOKENS = 300;
/** The input tokens held for one answer when no `reserveUsd` is given: two pictures and the prompt. */
export const JUDGE_RESERVED_INPUT_TOKENS = 6000;
