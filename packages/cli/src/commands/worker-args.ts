import {
  CONNECTION_FLAG_SPECS,
  type ConnectionFlags,
  parseConnectionFlags,
} from '../args/connection-flags.ts';
import type { FlagReader, FlagSpecs } from '../args/flag-reader.ts';
import { parseRedisFlag } from '../args/redis-flag.ts';
import { parseSpendingFlags, SPENDING_FLAG_SPECS, type SpendingFlags } from '../args/spending-flags.ts';
import { BUDGET_RULE, concurrencyRule } from '../number-rules.ts';

/** `retouch worker` options, before `--config` is merged in. */
export interface WorkerCommandOptions extends Omit<ConnectionFlags, 'json'>, SpendingFlags {
  /** The Redis URL (required, here or in the config). */
  redis?: string;
  /** A JSON file of worker settings. */
  config?: string;
  /** The queue to serve. */
  queue?: string;
  /** Jobs at once. */
  concurrency?: number;
  /** Where outputs go. */
  out?: string;
  /** A budget shared by every worker of the account. */
  budgetUsd?: number;
  /** Send again edits a stopped worker sent without recording the answer (they may be paid twice). */
  resendPossiblyBilled?: boolean;
  /** Where Prometheus metrics are served. */
  metricsPort?: number;
}

const { json: _json, ...WORKER_CONNECTION_FLAGS } = CONNECTION_FLAG_SPECS;

/** The flags of `retouch worker`: a worker prints no results, so it takes no `--json`. */
export const WORKER_COMMAND_FLAGS: FlagSpecs = {
  ...WORKER_CONNECTION_FLAGS,
  ...SPENDING_FLAG_SPECS,
  redis: { type: 'string' },
  config: { type: 'string', short: 'c' },
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  out: { type: 'string' },
  'budget-usd': { type: 'string' },
  'resend-possibly-billed': { type: 'boolean' },
  'metrics-port': { type: 'string' },
};

/** Reads `retouch worker`'s flags: the Redis URL is required, here or in the `--config` file. */
export function parseWorkerArgs(flag: FlagReader): WorkerCommandOptions {
  const { json: _ignored, ...connection } = parseConnectionFlags(flag);
  const options: WorkerCommandOptions = { ...connection, ...parseSpendingFlags(flag) };
  const redis = parseRedisFlag(flag);
  if (redis !== undefined) options.redis = redis;
  const config = flag.string('config');
  if (config !== undefined) options.config = config;
  if (redis === undefined && config === undefined) {
    flag.fail('--redis <url> is required (or "redis" in a --config file): the Redis the queue lives in');
  }
  const queue = flag.string('queue');
  if (queue !== undefined) options.queue = queue;
  const concurrency = flag.number('concurrency', concurrencyRule(1000));
  if (concurrency !== undefined) options.concurrency = concurrency;
  const out = flag.string('out');
  if (out !== undefined) options.out = out;
  const budget = flag.number('budget-usd', BUDGET_RULE);
  if (budget !== undefined) options.budgetUsd = budget;
  if (flag.boolean('resend-possibly-billed')) options.resendPossiblyBilled = true;
  const metricsPort = flag.number('metrics-port', { whole: true, min: 1, max: 65_535 });
  if (metricsPort !== undefined) options.metricsPort = metricsPort;
  return options;
}
