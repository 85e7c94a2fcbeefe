import type { Redis } from 'ioredis';
import { LUA_NOW_MS, RedisScript } from './redis-script.ts';

/**
 * Takes a slot when fewer than `concurrency` live leases remain. A slot is a member of a sorted set
 * scored by its lease's end: a process that dies stops renewing, and its slots free themselves.
 *
 * KEYS: slots (sorted set)
 * ARGV: concurrency, lease ms, member
 * Reply: { 1, 0 } taken, or { 0, ms until the soonest lease ends }
 */
const ACQUIRE = new RedisScript(`${LUA_NOW_MS}
local now = now_ms()
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 2)
  return { 1, 0 }
end
local soonest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { 0, math.max(1, tonumber(soonest[2]) - now) }`);

/** Renews leases still held. KEYS: slots. ARGV: lease ms, members... */
const RENEW = new RedisScript(`${LUA_NOW_MS}
local until_ms = now_ms() + tonumber(ARGV[1])
for index = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', until_ms, ARGV[index])
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 0`);

/** Gives a slot back and tells waiting processes. KEYS: slots. ARGV: member, channel. */
const RELEASE = new RedisScript(`redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], '1')
return 0`);

/** How often a free slot is looked for when no release was announced. */
const POLL_MS = 250;

/** How {@link RedisCallSlots} is set up. */
export interface RedisCallSlotsSettings {
  client: Redis;
  /** Key prefix of this provider's lane. */
  key: string;
  /** The channel releases are announced on. */
  channel: string;
  /** Most calls in flight across every process. */
  concurrency: number;
  /** How long a slot outlives its process's last renewal. */
  leaseMs: number;
}

interface Waiter {
  priority: number;
  signal: AbortSignal;
  resolve(release: () => void): void;
  reject(error: unknown): void;
}

/**
 * One provider's call slots shared by every process: a semaphore kept in Redis with leases, so a
 * killed worker's slots come back after `leaseMs`. Waiters in this process go in priority order;
 * only the first asks Redis, and it is woken by any process's release (pub/sub) or a short poll.
 */
export class RedisCallSlots {
  readonly #settings: RedisCallSlotsSettings;
  readonly #waiters: Waiter[] = [];
  readonly #held = new Set<string>();
  readonly #instance = crypto.randomUUID();
  #sequence = 0;
  #pumping = false;
  #wake: (() => void) | undefined;
  #renewal: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(settings: RedisCallSlotsSettings) {
    this.#settings = settings;
  }

  /** The number of slots this process holds. */
  get held(): number {
    return this.#held.size;
  }

  /** Resolves with the function that gives the slot back; rejects with the signal's reason if it aborts. */
  acquire(options: { priority: number; signal: AbortSignal }): Promise<() => void> {
    const { signal } = options;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        priority: options.priority,
        signal,
        resolve: (release) => {
          signal.removeEventListener('abort', onAbort);
          resolve(release);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        this.#wake?.();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // Highest priority first, then first come: the list stays sorted.
      let at = this.#waiters.length;
      while (at > 0 && this.#waiters[at - 1]!.priority < waiter.priority) at--;
      this.#waiters.splice(at, 0, waiter);
      void this.#pump();
    });
  }

  /** A release was announced somewhere: the first waiter tries again now. */
  notify(): void {
    this.#wake?.();
  }

  /** Stops renewing and drops waiters; slots still held are given back by their holders or expire. */
  close(): void {
    this.#closed = true;
    if (this.#renewal) clearInterval(this.#renewal);
    this.#renewal = undefined;
    this.#wake?.();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#waiters.length > 0 && !this.#closed) {
        const head = this.#waiters[0]!;
        const member = `${this.#instance}:${++this.#sequence}`;
        let reply: [number, number];
        try {
          reply = (await ACQUIRE.run(this.#settings.client, {
            keys: [`${this.#settings.key}:slots`],
            args: [this.#settings.concurrency, this.#settings.leaseMs, member],
          })) as [number, number];
        } catch (error) {
          if (this.#waiters[0] === head) this.#waiters.shift();
          head.reject(error);
          continue;
        }
        const [taken, waitMs] = reply;
        if (taken === 1) {
          this.#held.add(member);
          this.#startRenewal();
          const release = this.#releaser(member);
          if (this.#waiters[0] === head) {
            this.#waiters.shift();
            head.resolve(release);
          } else {
            release(); // its caller gave up while Redis answered
          }
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(waitMs, POLL_MS));
          function done(): void {
            clearTimeout(timer);
            resolve();
          }
          this.#wake = done;
        });
        this.#wake = undefined;
      }
    } finally {
      this.#pumping = false;
    }
  }

  #releaser(member: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held.delete(member);
      if (this.#held.size === 0 && this.#renewal) {
        clearInterval(this.#renewal);
        this.#renewal = undefined;
      }
      void RELEASE.run(this.#settings.client, {
        keys: [`${this.#settings.key}:slots`],
        args: [member, this.#settings.channel],
      }).catch(() => {
        // The lease ends by itself.
      });
      // A slot of this process came free: its own first waiter need not wait for the announcement.
      this.#wake?.();
    };
  }

  #startRenewal(): void {
    if (this.#renewal || this.#closed) return;
    this.#renewal = setInterval(
      () => {
        if (this.#held.size === 0) return;
        void RENEW.run(this.#settings.client, {
          keys: [`${this.#settings.key}:slots`],
          args: [this.#settings.leaseMs, ...this.#held],
        }).catch(() => {
          // Tried again at the next tick; a lease that lapses meanwhile lets one extra call through.
        });
      },
      Math.max(50, Math.floor(this.#settings.leaseMs / 3)),
    );
    this.#renewal.unref?.();
  }
}
