/**
 * A real `redis-server` per test file (see scripts/lib/redis-server.ts): started before the file's
 * tests on a free port with its own temporary directory, stopped after. Without `redis-server`
 * installed the Redis tests are skipped, saying why; under CI that is an error instead.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { hasRedisServer, type RedisServer, startRedisServer } from '../../../../scripts/lib/redis-server.ts';
import { until as untilWithin } from '../../../../scripts/lib/until.ts';

/** Whether `redis-server` is installed here. */
export const hasRedis = hasRedisServer;

/** `describe`, skipped (with the reason printed once) when `redis-server` is missing. */
export const describeWithRedis = describe.skipIf(!hasRedis);

/** Starts one Redis for the file; the returned function gives its URL once the tests run. */
export function useRedisServer(): () => string {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    if (hasRedis) server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the Redis server did not start');
    return server.url;
  };
}

/** A name no other test uses, for accounts, budgets and queues. */
export function uniqueName(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Waits until `condition` holds, for at most `timeoutMs` (default 15000 ms). */
export function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  return untilWithin(condition, timeoutMs);
}
