import { type BudgetStore, RetouchError } from '@retouch/core';
import type { Redis } from 'ioredis';
import { LeaseRenewal } from './lease-renewal.ts';
import { checkMs, checkName, checkOptionsObject } from './option-checks.ts';
import { openRedis, quit, type RedisConnection, resolveRedisConnection } from './redis-connection.ts';
import { DEFAULT_PREFIX } from './redis-keys.ts';
import { LUA_NOW_MS, RedisScript } from './redis-script.ts';

/**
 * Options of {@link createRedisBudgetStore}.
 *
 * @example
 * const options: RedisBudgetStoreOptions = { connection: 'redis://127.0.0.1:6379', name: 'catalogue-2026-12' };
 */
export interface RedisBudgetStoreOptions {
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
  /**
   * How long the reservations of a process that stopped without settling them (a crash) keep counting:
   * each process's reservations are a lease it renews while it lives. A job such a process had sent is
   * then counted by whoever resumes it, or as spent when it may have been billed.
   * @default 30000
   */
  leaseMs?: number;
}

/** Money in a {@link RedisBudgetStore}, in US dollars. */
export interface BudgetUsage {
  /** Spent: reported costs, else estimates, of settled edits. */
  spentUsd: number;
  /** Held for edits in flight, by every live process. */
  reservedUsd: number;
  /** The highest spent plus reserved ever reached: with reported costs at their estimates, never above the cap. */
  peakCommittedUsd: number;
}

/** A {@link BudgetStore} kept in Redis, with what it counted and a way to close its connection. */
export interface RedisBudgetStore extends BudgetStore {
  /** Spent, reserved and the peak of their sum, across every process. */
  usage(): Promise<BudgetUsage>;
  /** Forgets everything counted under this name: spent, reservations and the peak. */
  reset(): Promise<void>;
  /** Stops renewing this process's reservations and closes the connection. */
  close(): Promise<void>;
}

/** Money is counted in ten-millionths of a dollar, the precision of Retouch's costs: integers add exactly. */
const UNITS_PER_USD = 10_000_000;

/** Lua: drops the reservations of processes whose lease ended (they stopped without settling). */
const LUA_RECLAIM = `local function reclaim(now)
  local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
  for _, holder in ipairs(expired) do
    local units = tonumber(redis.call('HGET', KEYS[2], holder) or '0')
    redis.call('HINCRBY', KEYS[1], 'reserved', -units)
    redis.call('HDEL', KEYS[2], holder)
    redis.call('ZREM', KEYS[3], holder)
  end
end
local function committed()
  return tonumber(redis.call('HGET', KEYS[1], 'spent') or '0') + tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0')
end
local function raise_peak(value)
  if value > tonumber(redis.call('HGET', KEYS[1], 'peak') or '0') then
    redis.call('HSET', KEYS[1], 'peak', value)
  end
end`;

/**
 * Holds `units` when spent plus reserved plus `units` stays within the cap (a zero amount fits while
 * spent plus reserved is below it): the check and the hold are one step, so two processes can never
 * both take the last dollar.
 *
 * KEYS: totals (hash: spent, reserved, peak), holders (hash: holder → units), leases (sorted set)
 * ARGV: units, cap units, holder, lease ms
 * Reply: { 1 | 0, committed units before }
 */
const RESERVE = new RedisScript(`${LUA_NOW_MS}
${LUA_RECLAIM}
local now = now_ms()
reclaim(now)
local units = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local before = committed()
if before + units > cap or (units == 0 and before >= cap) then return { 0, before } end
redis.call('HINCRBY', KEYS[1], 'reserved', units)
redis.call('HINCRBY', KEYS[2], ARGV[3], units)
redis.call('ZADD', KEYS[3], now + tonumber(ARGV[4]), ARGV[3])
raise_peak(before + units)
return { 1, before }`);

/**
 * Takes a reservation off (never more than this holder still holds: a lease that lapsed was already
 * reclaimed) and adds what was spent.
 *
 * KEYS: totals, holders, leases. ARGV: reserved units, spent units, holder, lease ms
 */
const SETTLE = new RedisScript(`${LUA_NOW_MS}
${LUA_RECLAIM}
local now = now_ms()
reclaim(now)
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[3]) or '0')
local release = math.min(tonumber(ARGV[1]), held)
if release > 0 then
  redis.call('HINCRBY', KEYS[1], 'reserved', -release)
  if held - release > 0 then
    redis.call('HINCRBY', KEYS[2], ARGV[3], -release)
  else
    redis.call('HDEL', KEYS[2], ARGV[3])
    redis.call('ZREM', KEYS[3], ARGV[3])
  end
end
redis.call('HINCRBY', KEYS[1], 'spent', tonumber(ARGV[2]))
raise_peak(committed())
return 0`);

/** Renews this holder's lease, if it holds anything. KEYS: totals, holders, leases. ARGV: holder, lease ms. */
const RENEW = new RedisScript(`${LUA_NOW_MS}
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[3], now_ms() + tonumber(ARGV[2]), ARGV[1])
end
return 0`);

/** Reads the totals after reclaiming lapsed reservations. KEYS: totals, holders, leases. */
const USAGE = new RedisScript(`${LUA_NOW_MS}
${LUA_RECLAIM}
reclaim(now_ms())
return { tonumber(redis.call('HGET', KEYS[1], 'spent') or '0'), tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0'), tonumber(redis.call('HGET', KEYS[1], 'peak') or '0') }`);

/**
 * A budget shared by every process through Redis, for `createRetouch({ budget: { maxUsd, store } })`:
 * each reservation is checked and held atomically (a Lua script), so a cap holds across workers on
 * several machines. `@retouch/queue`'s workers create one when given a budget.
 *
 * @example
 * const store = createRedisBudgetStore({ connection: 'redis://127.0.0.1:6379', name: 'catalogue' });
 * const retouch = createRetouch({ providers: [oxen], budget: { maxUsd: 50, store } });
 * // ...
 * console.log(await store.usage()); // { spentUsd, reservedUsd, peakCommittedUsd }
 * await retouch.close();
 * await store.close();
 */
export function createRedisBudgetStore(options: RedisBudgetStoreOptions): RedisBudgetStore {
  const where = 'createRedisBudgetStore:';
  checkOptionsObject(options, { where, shape: '{ connection, name? }' });
  const connection = resolveRedisConnection(options.connection, `${where} connection`);
  const name = checkName(options.name ?? 'default', `${where} name`);
  const prefix = checkName(options.prefix ?? DEFAULT_PREFIX, `${where} prefix`);
  const leaseMs = checkMs(options.leaseMs ?? 30_000, `${where} leaseMs`, 1_000);
  const base = `${prefix}:budget:${name}`;
  const keys = [base, `${base}:holders`, `${base}:leases`];
  const holder = crypto.randomUUID();
  let client: Redis | undefined;
  let closed = false;
  const redis = (): Redis => {
    if (closed) throw new RetouchError({ message: 'this budget store is closed' });
    client ??= openRedis({ connection });
    return client;
  };
  const renewal = new LeaseRenewal({
    leaseMs,
    renew: async () => RENEW.run(redis(), { keys, args: [holder, leaseMs] }),
  });

  return {
    async reserve({ usd, maxUsd }) {
      const [ok, before] = (await RESERVE.run(redis(), {
        keys,
        args: [toUnits(usd), toUnits(maxUsd), holder, leaseMs],
      })) as [number, number];
      if (ok === 1) renewal.start();
      return { ok: ok === 1, committedUsd: before / UNITS_PER_USD };
    },
    async settle({ reservedUsd, spentUsd }) {
      await SETTLE.run(redis(), {
        keys,
        args: [toUnits(reservedUsd), toUnits(spentUsd), holder, leaseMs],
      });
    },
    async usage() {
      const [spent, reserved, peak] = (await USAGE.run(redis(), { keys, args: [] })) as [
        number,
        number,
        number,
      ];
      return {
        spentUsd: spent / UNITS_PER_USD,
        reservedUsd: reserved / UNITS_PER_USD,
        peakCommittedUsd: peak / UNITS_PER_USD,
      };
    },
    async reset() {
      await redis().del(...keys);
    },
    async close() {
      if (closed) return;
      closed = true;
      renewal.close();
      await quit(client);
    },
  };
}

function toUnits(usd: number): number {
  return Math.round(usd * UNITS_PER_USD);
}
