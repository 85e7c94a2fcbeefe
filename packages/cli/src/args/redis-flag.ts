import type { FlagReader } from './flag-reader.ts';

/** A `redis://` or `rediss://` URL: what the queue connects to, from a flag or a worker config. */
export const REDIS_URL = /^rediss?:\/\//i;

/** Reads `--redis`, which `batch` and `worker` take: a {@link REDIS_URL}, or `undefined` when absent. */
export function parseRedisFlag(flag: FlagReader): string | undefined {
  const redis = flag.string('redis');
  if (redis !== undefined && !REDIS_URL.test(redis)) {
    flag.fail(`--redis must be a redis:// URL such as redis://127.0.0.1:6379, not "${redis}"`);
  }
  return redis;
}
