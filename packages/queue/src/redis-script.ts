import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * A Lua script run atomically by Redis: by its SHA1 (`EVALSHA`), loaded with `EVAL` the first time a
 * server does not know it. Every read and write of shared state (the rate window, the call slots, the
 * budget) happens inside one script, so two processes can never interleave between a check and its write.
 */
export class RedisScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` and `args` and resolves with its reply. */
  async run(
    client: Redis,
    options: { keys: readonly string[]; args: readonly (string | number)[] },
  ): Promise<unknown> {
    const { keys, args } = options;
    try {
      return await client.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * Lua: the server's clock in milliseconds, one clock for every process that shares the state. Redis
 * before 7 refuses writes after `TIME` unless the script replicates its effects, which it asks for.
 */
export const LUA_NOW_MS = `if redis.replicate_commands then redis.replicate_commands() end
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end`;
