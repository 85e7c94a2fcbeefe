import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { checkLaneLimits, type LaneLimits } from '@retouch/core';
import type { EdenAITransportName, OxenMode } from './args/connection-flags.ts';
import { REDIS_URL } from './args/redis-flag.ts';
import { describeError } from './describe-error.ts';
import { BUDGET_RULE, checkNumber, concurrencyRule, type NumberRule } from './number-rules.ts';
import { isBundledProvider, PROVIDERS, type ProviderName } from './provider-ids.ts';
import { PROVIDER_MODES } from './session.ts';
import { UsageError } from './usage-error.ts';

/**
 * A `retouch worker --config` file. Paths are relative to the file; flags override its values.
 *
 * @example
 * {
 *   "redis": "redis://redis.internal:6379",
 *   "queue": "catalogue",
 *   "concurrency": 8,
 *   "out": "/mnt/shared/edits",
 *   "budgetUsd": 200,
 *   "limits": { "edenai": { "requestsPerSecond": 10, "concurrency": 8 } }
 * }
 */
export interface WorkerConfig {
  /** The Redis URL. */
  redis?: string;
  /** The queue to serve. */
  queue?: string;
  /** The name limits and the budget are shared under. */
  account?: string;
  /** Jobs at once. */
  concurrency?: number;
  /** Where outputs go (resolved against the file's directory). */
  out?: string;
  /** A budget shared by every worker of the account, in US dollars. */
  budgetUsd?: number;
  /** The budget's name in Redis. */
  budgetName?: string;
  /** Under the budget, `allow` sends edits of models without a published price (`--unknown-cost`). */
  unknownCost?: 'refuse' | 'allow';
  /** Prices per output image in US dollars by `provider:model`, for the budget (`--price`). */
  prices?: Record<string, number>;
  /** The account's limits per provider, the same for every worker. */
  limits?: Partial<Record<ProviderName, LaneLimits>>;
  /** The providers to serve; by default those whose API key is set. */
  providers?: ProviderName[];
  /** How Oxen edits run. */
  oxenMode?: OxenMode;
  /** How Eden AI requests are encoded. */
  edenaiTransport?: EdenAITransportName;
  /** How long jobs may finish on shutdown before the worker hands back what it can. */
  shutdownGraceSeconds?: number;
  /** Send again edits a dead worker sent without recording the answer. */
  resendPossiblyBilled?: boolean;
}

const KEYS = [
  'redis',
  'queue',
  'account',
  'concurrency',
  'out',
  'budgetUsd',
  'budgetName',
  'unknownCost',
  'prices',
  'limits',
  'providers',
  'oxenMode',
  'edenaiTransport',
  'shutdownGraceSeconds',
  'resendPossiblyBilled',
  '$schema',
];

/** Reads and checks a worker config; every problem is a {@link UsageError} naming the file and field. */
export async function loadWorkerConfig(options: { path: string; cwd: string }): Promise<WorkerConfig> {
  const path = resolve(options.cwd, options.path);
  const fail = (field: string, message: string): never => {
    throw new UsageError({
      command: 'worker',
      message: `${options.path}: ${field ? `${field} ` : ''}${message}`,
    });
  };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return fail('', 'no such file');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail('', `is not valid JSON (${describeError(error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('', 'must hold a JSON object such as { "redis": "redis://127.0.0.1:6379" }');
  }
  const raw = value as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key))
      fail(`"${key}"`, `is not a setting; the settings are ${KEYS.slice(0, -1).join(', ')}`);
  }
  const config: WorkerConfig = {};
  const text_ = (key: 'redis' | 'queue' | 'account' | 'out' | 'budgetName'): string | undefined => {
    const item = raw[key];
    if (item === undefined) return undefined;
    if (typeof item !== 'string' || item.trim() === '') return fail(key, 'must be a non-empty string');
    return item;
  };
  const redis = text_('redis');
  if (redis !== undefined) {
    if (!REDIS_URL.test(redis)) fail('redis', `must be a redis:// URL such as redis://127.0.0.1:6379`);
    config.redis = redis;
  }
  for (const key of ['queue', 'account', 'budgetName'] as const) {
    const item = text_(key);
    if (item !== undefined) config[key] = item;
  }
  const out = text_('out');
  if (out !== undefined) config.out = resolve(dirname(path), out);
  const number = (
    key: 'concurrency' | 'budgetUsd' | 'shutdownGraceSeconds',
    rule: NumberRule,
  ): number | undefined => {
    const item = raw[key];
    if (item === undefined) return undefined;
    const problem = checkNumber({ value: item, rule });
    return problem ? fail(key, problem) : (item as number);
  };
  const concurrency = number('concurrency', concurrencyRule());
  if (concurrency !== undefined) config.concurrency = concurrency;
  // The same rule as the --budget-usd flag: a cap of nothing would refuse every edit the worker takes.
  const budgetUsd = number('budgetUsd', BUDGET_RULE);
  if (budgetUsd !== undefined) config.budgetUsd = budgetUsd;
  const grace = number('shutdownGraceSeconds', { min: 0, unit: 'seconds' });
  if (grace !== undefined) config.shutdownGraceSeconds = grace;
  if (raw.unknownCost !== undefined) {
    if (raw.unknownCost !== 'refuse' && raw.unknownCost !== 'allow')
      fail('unknownCost', 'must be "refuse" or "allow"');
    config.unknownCost = raw.unknownCost as 'refuse' | 'allow';
  }
  if (raw.prices !== undefined) {
    const entries =
      typeof raw.prices === 'object' && raw.prices !== null && !Array.isArray(raw.prices)
        ? Object.entries(raw.prices as Record<string, unknown>)
        : undefined;
    if (!entries)
      fail(
        'prices',
        'must be an object of US dollars per image by model, e.g. { "edenai:bfl/flux-kontext-max": 0.08 }',
      );
    for (const [model, usd] of entries!) {
      if (!/^[a-z][a-z0-9-]*:\S+$/i.test(model))
        fail(`prices.${model}`, 'must name a model as provider:model');
      const problem = checkNumber({ value: usd, rule: { min: 0, unit: 'US dollars' } });
      if (problem) fail(`prices.${model}`, problem);
    }
    config.prices = Object.fromEntries(entries!) as Record<string, number>;
  }
  if (raw.resendPossiblyBilled !== undefined) {
    if (typeof raw.resendPossiblyBilled !== 'boolean') fail('resendPossiblyBilled', 'must be true or false');
    config.resendPossiblyBilled = raw.resendPossiblyBilled as boolean;
  }
  if (raw.providers !== undefined) {
    if (
      !Array.isArray(raw.providers) ||
      raw.providers.length === 0 ||
      raw.providers.some((item) => !(PROVIDERS as readonly unknown[]).includes(item))
    ) {
      fail('providers', `must be a list of ${PROVIDERS.map((name) => `"${name}"`).join(' and ')}`);
    }
    config.providers = raw.providers as ProviderName[];
  }
  if (raw.oxenMode !== undefined) {
    if (!PROVIDER_MODES.oxen.includes(raw.oxenMode as string))
      fail('oxenMode', `must be one of ${PROVIDER_MODES.oxen.join(', ')}`);
    config.oxenMode = raw.oxenMode as OxenMode;
  }
  if (raw.edenaiTransport !== undefined) {
    if (!PROVIDER_MODES.edenai.includes(raw.edenaiTransport as string)) {
      fail('edenaiTransport', `must be one of ${PROVIDER_MODES.edenai.join(', ')}`);
    }
    config.edenaiTransport = raw.edenaiTransport as EdenAITransportName;
  }
  if (raw.limits !== undefined) {
    if (typeof raw.limits !== 'object' || raw.limits === null || Array.isArray(raw.limits)) {
      fail('limits', 'must be an object keyed by provider, e.g. { "edenai": { "requestsPerSecond": 10 } }');
    }
    const limits: Partial<Record<ProviderName, LaneLimits>> = {};
    for (const [provider, lane] of Object.entries(raw.limits as Record<string, unknown>)) {
      if (!isBundledProvider(provider)) {
        fail(`limits.${provider}`, `names no provider; the providers are ${PROVIDERS.join(' and ')}`);
      }
      const problem = checkLaneLimits(lane);
      if (problem) {
        const path = problem.unknownKey === undefined ? problem.path : [...problem.path, problem.unknownKey];
        const message =
          problem.unknownKey === undefined
            ? problem.message
            : `is not an option (options: ${(problem.known ?? []).join(', ')})`;
        fail(`limits.${provider}${path.length > 0 ? `.${path.join('.')}` : ''}`, message);
      }
      limits[provider as ProviderName] = lane as LaneLimits;
    }
    config.limits = limits;
  }
  return config;
}
