import {
  CONNECTION_FLAG_SPECS,
  type ConnectionFlags,
  parseConnectionFlags,
} from '../args/connection-flags.ts';
import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';
import { parseRedisFlag } from '../args/redis-flag.ts';
import { parseSpendingFlags, SPENDING_FLAG_SPECS, type SpendingFlags } from '../args/spending-flags.ts';
import { BUDGET_RULE, concurrencyRule } from '../number-rules.ts';

/** `retouch batch` options. */
export interface BatchCommandOptions extends ConnectionFlags, SpendingFlags {
  /** The JSONL manifest: one edit request a line. */
  manifest: string;
  /** Output directory, which also holds the journal. */
  out?: string;
  /** Most edits in flight at once. */
  concurrency?: number;
  /** Refuse edits that could take the batch's total past this many US dollars. */
  budgetUsd?: number;
  /** Enqueue into a Redis queue served by `retouch worker` instead of running here. */
  redis?: string;
  /** The queue's name with `redis`. */
  queue?: string;
  /** Run again the lines that failed in an earlier run (with `redis`: add new jobs for them). */
  retryFailed: boolean;
  /**
   * Send again lines that may have been billed: an earlier run (or worker) stopped after sending them
   * and before recording the answer.
   */
  resendPossiblyBilled: boolean;
  /** Run the lines that pass the checks and report the others as failed, instead of sending nothing. */
  skipInvalid: boolean;
}

/** The flags of `retouch batch`. */
export const BATCH_COMMAND_FLAGS: FlagSpecs = {
  ...CONNECTION_FLAG_SPECS,
  ...SPENDING_FLAG_SPECS,
  out: { type: 'string' },
  concurrency: { type: 'string' },
  'budget-usd': { type: 'string' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  'retry-failed': { type: 'boolean' },
  'resend-possibly-billed': { type: 'boolean' },
  'skip-invalid': { type: 'boolean' },
};

/**
 * Reads `retouch batch`'s manifest argument and flags. With `--redis` the edits run in the workers,
 * so the flags that shape how they run belong to `retouch worker` and are refused here.
 */
export function parseBatchArgs(flag: FlagReader): BatchCommandOptions {
  const { positionals } = flag;
  if (positionals.length === 0) {
    flag.fail('the manifest is required: retouch batch <manifest.jsonl>, one edit request (JSON) a line');
  }
  if (positionals.length > 1) {
    flag.fail(`one manifest at a time; got ${positionals.length}: ${positionals.join(', ')}`);
  }
  const options: BatchCommandOptions = {
    ...parseConnectionFlags(flag),
    ...parseSpendingFlags(flag),
    manifest: positionals[0]!,
    retryFailed: flag.boolean('retry-failed'),
    resendPossiblyBilled: flag.boolean('resend-possibly-billed'),
    skipInvalid: flag.boolean('skip-invalid'),
  };
  const out = flag.string('out');
  if (out !== undefined) options.out = out;
  const concurrency = flag.number('concurrency', concurrencyRule(256));
  if (concurrency !== undefined) options.concurrency = concurrency;
  const budget = flag.number('budget-usd', BUDGET_RULE);
  if (budget !== undefined) options.budgetUsd = budget;
  const redis = parseRedisFlag(flag);
  if (redis !== undefined) options.redis = redis;
  const queue = flag.string('queue');
  if (queue !== undefined) {
    if (redis === undefined) flag.fail('--queue names the Redis queue: add --redis <url>');
    options.queue = queue;
  }
  if (redis !== undefined) {
    const local = [
      options.simulate && '--simulate',
      budget !== undefined && '--budget-usd',
      concurrency !== undefined && '--concurrency',
      options.oxenMode && '--oxen-mode',
      options.edenaiTransport && '--edenai-transport',
      options.unknownCost && '--unknown-cost',
      options.prices && '--price',
      options.maxRetries !== undefined && '--max-retries',
    ].filter((name): name is string => typeof name === 'string');
    if (local.length > 0) {
      flag.fail(
        `${local[0]} applies where the edits run: with --redis they run in the workers, so give it to retouch worker (or its --config)`,
      );
    }
  }
  return options;
}
