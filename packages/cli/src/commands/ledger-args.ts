import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';
import { parseRedisFlag } from '../args/redis-flag.ts';

/** `retouch ledger` options: a batch's `out`, or a queue's `redis` (with `queue` and `budgetName`). */
export interface LedgerCommandOptions {
  /** The batch's output directory, which holds its journal. */
  out?: string;
  /** The Redis of a queue served by `retouch worker`, whose shared ledger is checked instead. */
  redis?: string;
  /** With `redis`: the queue's name. @default 'retouch-edits' */
  queue?: string;
  /** With `redis`: the budget's name in Redis. @default the queue's name */
  budgetName?: string;
  /** The start of the range, epoch ms; by default the batch's first send, less a minute. */
  from?: number;
  /** The end of the range, epoch ms; by default now. */
  to?: number;
  /** Download the orphans' outputs into the output directory and settle them. */
  recover: boolean;
  /** Print the comparison as JSON. */
  json: boolean;
}

/** The flags of `retouch ledger`. */
export const LEDGER_COMMAND_FLAGS: FlagSpecs = {
  out: { type: 'string' },
  redis: { type: 'string' },
  queue: { type: 'string' },
  'budget-name': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  recover: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

/**
 * Reads `retouch ledger`'s flags: `--out` (a batch) or `--redis` (a queue) is required, times are ISO
 * 8601 or epoch milliseconds.
 */
export function parseLedgerArgs(flag: FlagReader): LedgerCommandOptions {
  const out = flag.string('out');
  const redis = parseRedisFlag(flag);
  if (out === undefined && redis === undefined) {
    flag.fail(
      '--out <dir> or --redis <url> is required: the output directory of the batch to check (it holds journal.jsonl), or the Redis of the queue whose workers kept the ledger',
    );
  }
  if (out !== undefined && redis !== undefined) {
    flag.fail('give --out (a batch run here) or --redis (a queue served by retouch worker), not both');
  }
  const options: LedgerCommandOptions = { recover: flag.boolean('recover'), json: flag.boolean('json') };
  if (out !== undefined) options.out = out;
  if (redis !== undefined) {
    options.redis = redis;
    const queue = flag.string('queue');
    if (queue !== undefined) options.queue = queue;
    const budgetName = flag.string('budget-name');
    if (budgetName !== undefined) options.budgetName = budgetName;
    if (options.recover) {
      flag.fail(
        "--recover downloads into a batch's --out; with --redis, run the queue's batch (retouch batch --redis) to collect results",
      );
    }
  } else if (flag.string('queue') !== undefined || flag.string('budget-name') !== undefined) {
    flag.fail('--queue and --budget-name go with --redis');
  }
  const time = (name: 'from' | 'to'): number | undefined => {
    const value = flag.string(name);
    if (value === undefined) return undefined;
    const ms = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      flag.fail(
        `--${name} must be a time such as 2026-12-08T00:00:00Z (or epoch milliseconds), not "${value}"`,
      );
    }
    return ms;
  };
  const from = time('from');
  if (from !== undefined) options.from = from;
  const to = time('to');
  if (to !== undefined) options.to = to;
  if (from !== undefined && to !== undefined && to < from) flag.fail('--to must not be before --from');
  return options;
}
