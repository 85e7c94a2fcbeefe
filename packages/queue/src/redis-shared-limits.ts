import { RetouchError, type SharedLane, type SharedLimits } from '@retouch/core';
import type { Redis } from 'ioredis';
import { checkMs, checkName, checkOptionsObject } from './option-checks.ts';
import { RedisCallSlots } from './redis-call-slots.ts';
import { openRedis, quit, type RedisConnection, resolveRedisConnection } from './redis-connection.ts';
import { DEFAULT_PREFIX } from './redis-keys.ts';
import { RedisRequestWindow } from './redis-request-window.ts';

/**
 * Options of {@link createRedisSharedLimits}.
 *
 * @example
 * const options: RedisSharedLimitsOptions = { connection: 'redis://127.0.0.1:6379', account: 'catalogue' };
 */
export interface RedisSharedLimitsOptions {
  /** The Redis every process of the account uses. */
  connection: RedisConnection;
  /**
   * The name the limits are kept under: every process with the same `prefix` and `account` shares each
   * provider's request window, concurrency and 429 pauses. Use one name per provider account.
   * @default 'default'
   */
  account?: string;
  /** The first part of every Redis key. @default 'retouch' */
  prefix?: string;
  /**
   * How long a call slot held by a process that stopped (a crash, `kill -9`) blocks others: slots are
   * leases, renewed while their process lives.
   * @default 30000
   */
  leaseMs?: number;
  /**
   * The first pause of every process after a 429 that carries no `Retry-After`; it doubles for
   * consecutive 429s up to `maxPauseMs`. A `Retry-After` is honoured as given.
   * @default 1000
   */
  initialPauseMs?: number;
  /** The longest pause after a 429 without `Retry-After`. @default 30000 */
  maxPauseMs?: number;
}

/**
 * {@link SharedLimits} kept in Redis, for `createRetouch({ sharedLimits })`. Also releases its
 * connections with `close()`.
 */
export interface RedisSharedLimits extends SharedLimits {
  /** Closes the Redis connections. Call it after closing every client that uses these limits. */
  close(): Promise<void>;
}

/**
 * Limits shared through Redis by every process that uses one provider account. For each provider:
 *
 * - **requests**: a true sliding window (`limits.<provider>.requestsPerSecond` over any second), a Lua
 *   script on a sorted set timed by Redis's clock, counting every request a client sends to the
 *   provider (submissions, uploads, status reads), not jobs;
 * - **429s**: one provider's 429 pauses that provider for every process, for its `Retry-After`;
 * - **calls in flight**: `limits.<provider>.concurrency` slots for all processes together, leased so
 *   a crashed process's slots come back.
 *
 * Configure the same `limits` in every process: they are the account's limits, not each process's.
 * `@retouch/queue`'s workers create one for you.
 *
 * @example
 * const sharedLimits = createRedisSharedLimits({ connection: 'redis://127.0.0.1:6379', account: 'eden-main' });
 * const retouch = createRetouch({
 *   providers: [edenai],
 *   limits: { edenai: { requestsPerSecond: 10, concurrency: 8 } },
 *   sharedLimits,
 * });
 * // ...
 * await retouch.close();
 * await sharedLimits.close();
 */
export function createRedisSharedLimits(options: RedisSharedLimitsOptions): RedisSharedLimits {
  const where = 'createRedisSharedLimits:';
  checkOptionsObject(options, { where, shape: '{ connection, account? }' });
  const connection = resolveRedisConnection(options.connection, `${where} connection`);
  const account = checkName(options.account ?? 'default', `${where} account`);
  const prefix = checkName(options.prefix ?? DEFAULT_PREFIX, `${where} prefix`);
  const leaseMs = checkMs(options.leaseMs ?? 30_000, `${where} leaseMs`, 1_000);
  const initialPauseMs = checkMs(options.initialPauseMs ?? 1_000, `${where} initialPauseMs`, 0);
  const maxPauseMs = checkMs(options.maxPauseMs ?? 30_000, `${where} maxPauseMs`, initialPauseMs);

  let client: Redis | undefined;
  let subscriber: Redis | undefined;
  const slotsByChannel = new Map<string, RedisCallSlots[]>();
  const windows: RedisRequestWindow[] = [];
  let closed = false;
  const commands = (): Redis => {
    client ??= openRedis({ connection });
    return client;
  };
  const listen = (channel: string, slots: RedisCallSlots): void => {
    if (!subscriber) {
      subscriber = openRedis({ connection, blocking: true });
      subscriber.on('message', (from: string) => {
        for (const each of slotsByChannel.get(from) ?? []) each.notify();
      });
    }
    const list = slotsByChannel.get(channel) ?? [];
    if (list.length === 0) void subscriber.subscribe(channel).catch(() => {});
    slotsByChannel.set(channel, [...list, slots]);
  };

  return {
    lane({ provider, concurrency, requestsPerSecond }): SharedLane {
      if (closed) throw new RetouchError({ message: 'these shared limits are closed' });
      const key = `${prefix}:limits:${account}:${provider}`;
      const channel = `${key}:released`;
      const slots = new RedisCallSlots({ client: commands(), key, channel, concurrency, leaseMs });
      listen(channel, slots);
      const gate = new RedisRequestWindow({
        client: commands(),
        key,
        requestsPerSecond,
        initialPauseMs,
        maxPauseMs,
      });
      windows.push(gate);
      return {
        acquire: (acquireOptions) => slots.acquire(acquireOptions),
        gate,
        close() {
          slots.close();
          gate.close();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const list of slotsByChannel.values()) for (const slots of list) slots.close();
      for (const gate of windows) gate.close();
      await Promise.allSettled([quit(subscriber), quit(client)]);
    },
  };
}
