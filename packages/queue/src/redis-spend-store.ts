import {
  RetouchError,
  type SpendEntry,
  type SpendState,
  type SpendStore,
  type SpendTotals,
} from '@retouch/core';
import type { Redis } from 'ioredis';
import { checkName, checkOptionsObject } from './option-checks.ts';
import { openRedis, quit, type RedisConnection, resolveRedisConnection } from './redis-connection.ts';
import { DEFAULT_PREFIX } from './redis-keys.ts';
import { ENTRIES, MARK_POSSIBLY_BILLED, RELEASE, RESERVE, SETTLE, TOTALS } from './redis-spend-scripts.ts';

/**
 * Options of {@link createRedisSpendStore}.
 *
 * @example
 * const options: RedisSpendStoreOptions = { connection: 'redis://127.0.0.1:6379', name: 'catalogue-2026-12' };
 */
export interface RedisSpendStoreOptions {
  /** The Redis every process sharing the budget uses. */
  connection: RedisConnection;
  /**
   * The budget's name: every store with the same `prefix` and `name` counts the same money. Start a
   * new name (or `reset()`) for a new budget.
   * @default 'default'
   */
  name?: string;
  /** The first part of every Redis key. @default 'retouch' */
  prefix?: string;
}

/** Money in a {@link RedisSpendStore}, in US dollars, across every process. */
export interface RedisSpendUsage {
  /** Spent: reported costs, else estimates, of settled edits. */
  spentUsd: number;
  /** The estimates of edits that may have been billed and are not settled: a budget counts them as spent. */
  possiblyBilledUsd: number;
  /** Held for edits not sent yet. */
  reservedUsd: number;
  /**
   * The highest spent plus possibly billed plus reserved ever reached: with reported costs at their
   * estimates, never above the cap.
   */
  peakCommittedUsd: number;
}

/**
 * A {@link SpendStore} kept in Redis, with what it counted, one entry's state, and a way to close its
 * connection.
 */
export interface RedisSpendStore extends SpendStore {
  /** Spent, possibly billed, reserved and the peak of their sum, across every process. */
  usage(): Promise<RedisSpendUsage>;
  /** The entry under `key`, if any. */
  entry(key: string): Promise<SpendEntry | undefined>;
  /**
   * Returns the hold of an edit that was never sent (its entry is `reserved`), and leaves any other
   * entry as it is: for a job that ended without running, such as one failed for stalling too often.
   * Resolves with whether a hold was returned.
   */
  releaseUnsent(options: { key: string }): Promise<boolean>;
  /** Forgets everything counted under this name: entries, totals and the peak. */
  reset(): Promise<void>;
  /** Closes the connection. */
  close(): Promise<void>;
}

/** Money is counted in ten-millionths of a dollar, the precision of Retouch's costs: integers add exactly. */
const UNITS_PER_USD = 10_000_000;

/** An entry as the scripts store it: money in units. */
interface StoredEntry {
  model: string;
  state: SpendState;
  estimate: number;
  cost?: number;
  source?: 'reported' | 'estimated';
  providerJobId?: string;
  updatedAt: number;
}

/**
 * A budget's ledger shared by every process through Redis, for
 * `createRetouch({ budget: { maxUsd, store } })`: one entry per billable edit, keyed by its billing
 * key, each change checked and written atomically (a Lua script), so a cap holds across workers on
 * several machines and an edit is charged once whichever process settles it. A hold belongs to the
 * edit, not to the process: a process taking a job over inherits it. `@retouch/queue`'s workers create
 * one when given a budget.
 *
 * @example
 * const store = createRedisSpendStore({ connection: 'redis://127.0.0.1:6379', name: 'catalogue' });
 * const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 50, store } });
 * // ...
 * console.log(await store.usage()); // { spentUsd, possiblyBilledUsd, reservedUsd, peakCommittedUsd }
 * await retouch.close();
 * await store.close();
 */
export function createRedisSpendStore(options: RedisSpendStoreOptions): RedisSpendStore {
  const where = 'createRedisSpendStore:';
  checkOptionsObject(options, { where, shape: '{ connection, name? }' });
  const connection = resolveRedisConnection(options.connection, `${where} connection`);
  const name = checkName(options.name ?? 'default', `${where} name`);
  const prefix = checkName(options.prefix ?? DEFAULT_PREFIX, `${where} prefix`);
  const base = `${prefix}:budget:${name}`;
  const keys = [base, `${base}:entries`, `${base}:times`];
  let client: Redis | undefined;
  let closed = false;
  const redis = (): Redis => {
    if (closed) throw new RetouchError({ message: 'this spend store is closed' });
    client ??= openRedis({ connection });
    return client;
  };
  const run = (script: typeof RESERVE, args: readonly (string | number)[]): Promise<unknown> =>
    script.run(redis(), { keys, args });
  const totals = async (): Promise<[number, number, number, number]> =>
    (await run(TOTALS, [])) as [number, number, number, number];

  return {
    async reserve({ key, model, usd, maxUsd }) {
      const [ok, before, inherited] = (await run(RESERVE, [
        key,
        model,
        toUnits(usd),
        maxUsd === undefined ? -1 : toUnits(maxUsd),
      ])) as [number, number, SpendState | null | undefined];
      return {
        ok: ok === 1,
        committedUsd: toUsd(before),
        ...(inherited ? { inherited } : {}),
      };
    },
    async markPossiblyBilled({ key }) {
      await run(MARK_POSSIBLY_BILLED, [key]);
    },
    async settle({ key, model, usd, source, estimateUsd, providerJobId }) {
      await run(SETTLE, [
        key,
        model,
        usd === undefined ? '' : toUnits(usd),
        source ?? '',
        estimateUsd === undefined ? '' : toUnits(estimateUsd),
        providerJobId ?? '',
      ]);
    },
    async release({ key }) {
      await run(RELEASE, [key, '0']);
    },
    async releaseUnsent({ key }) {
      return (await run(RELEASE, [key, '1'])) === 1;
    },
    async totals(): Promise<SpendTotals> {
      const [settled, possibly, reserved] = await totals();
      return { settledUsd: toUsd(settled), possiblyBilledUsd: toUsd(possibly), reservedUsd: toUsd(reserved) };
    },
    async entries(range) {
      const reply = (await run(ENTRIES, [range?.since ?? '-inf', range?.until ?? '+inf'])) as string[];
      const found: SpendEntry[] = [];
      for (let index = 0; index < reply.length; index += 2) {
        const json = reply[index + 1];
        if (json) found.push(toEntry({ key: reply[index]!, json }));
      }
      return found;
    },
    async entry(key) {
      const json = await redis().hget(keys[1]!, key);
      return json ? toEntry({ key, json }) : undefined;
    },
    async usage() {
      const [settled, possibly, reserved, peak] = await totals();
      return {
        spentUsd: toUsd(settled),
        possiblyBilledUsd: toUsd(possibly),
        reservedUsd: toUsd(reserved),
        peakCommittedUsd: toUsd(peak),
      };
    },
    async reset() {
      await redis().del(...keys);
    },
    async close() {
      if (closed) return;
      closed = true;
      await quit(client);
    },
  };
}

function toEntry(options: { key: string; json: string }): SpendEntry {
  const stored = JSON.parse(options.json) as StoredEntry;
  return {
    key: options.key,
    model: stored.model,
    state: stored.state,
    estimateUsd: toUsd(stored.estimate),
    ...(stored.cost !== undefined ? { costUsd: toUsd(stored.cost) } : {}),
    ...(stored.source !== undefined ? { costSource: stored.source } : {}),
    ...(stored.providerJobId !== undefined ? { providerJobId: stored.providerJobId } : {}),
    updatedAt: stored.updatedAt,
  };
}

function toUnits(usd: number): number {
  return Math.round(usd * UNITS_PER_USD);
}

function toUsd(units: number): number {
  return units / UNITS_PER_USD;
}
