import type { Redis } from 'ioredis';
import { LeaseRenewal } from './lease-renewal.ts';
import { LUA_NOW_MS, RedisScript } from './redis-script.ts';
import { Pause } from './sleep.ts';
import { TurnQueue } from './turn-queue.ts';

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

/**
 * One provider's call slots shared by every process: a semaphore kept in Redis with leases, so a
 * killed worker's slots come back after `leaseMs`. Callers in this process wait their turn in a
 * {@link TurnQueue} (highest priority first); while any wait, one loop asks Redis, woken by any
 * process's release (pub/sub) or a short poll, and hands each slot it takes to whoever is first.
 */
export class RedisCallSlots {
  readonly #settings: RedisCallSlotsSettings;
  readonly #waiting = new TurnQueue<() => void>();
  readonly #held = new Set<string>();
  readonly #instance = crypto.randomUUID();
  readonly #renewal: LeaseRenewal;
  #asking = false;
  /** Wakes the loop while it sleeps between two questions to Redis: a slot may have come free. */
  readonly #pause = new Pause();
  #sequence = 0;
  #closed = false;

  constructor(settings: RedisCallSlotsSettings) {
    this.#settings = settings;
    this.#renewal = new LeaseRenewal({
      leaseMs: settings.leaseMs,
      renew: async () => {
        if (this.#held.size === 0) return;
        await RENEW.run(this.#settings.client, {
          keys: [this.#slotsKey],
          args: [this.#settings.leaseMs, ...this.#held],
        });
      },
    });
    // A caller gave up (or took its slot): the loop sleeping for it looks again at once, as it may
    // have been the last.
    this.#waiting.onLeave(() => this.#pause.wake());
  }

  /** The number of slots this process holds. */
  get held(): number {
    return this.#held.size;
  }

  /** Resolves with the function that gives the slot back; rejects with the signal's reason if it aborts. */
  acquire(options: { priority: number; signal: AbortSignal }): Promise<() => void> {
    const granted = this.#waiting.wait(options);
    void this.#ask();
    return granted;
  }

  /** A release was announced somewhere: the first waiter tries again now. */
  notify(): void {
    this.#pause.wake();
  }

  /** Stops renewing and drops waiters; slots still held are given back by their holders or expire. */
  close(): void {
    this.#closed = true;
    this.#renewal.close();
    this.#pause.wake();
  }

  get #slotsKey(): string {
    return `${this.#settings.key}:slots`;
  }

  /** Asks Redis for slots while callers wait, one question at a time. */
  async #ask(): Promise<void> {
    if (this.#asking) return;
    this.#asking = true;
    try {
      while (this.#waiting.size > 0 && !this.#closed) {
        const member = `${this.#instance}:${++this.#sequence}`;
        let reply: [number, number];
        try {
          reply = (await ACQUIRE.run(this.#settings.client, {
            keys: [this.#slotsKey],
            args: [this.#settings.concurrency, this.#settings.leaseMs, member],
          })) as [number, number];
        } catch (error) {
          // Redis cannot be asked: the first caller hears why, and the next one asks again.
          await this.#waiting.handOut({ error });
          continue;
        }
        const [taken, waitMs] = reply;
        if (taken === 1) {
          this.#held.add(member);
          this.#renewal.start();
          const release = this.#releaser(member);
          // Every caller gave up while Redis answered: the slot goes back.
          if (!(await this.#waiting.handOut({ value: release }))) release();
          continue;
        }
        await this.#pause.sleep(Math.min(waitMs, POLL_MS));
      }
    } finally {
      this.#asking = false;
    }
  }

  #releaser(member: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#held.delete(member);
      if (this.#held.size === 0) this.#renewal.stop();
      void RELEASE.run(this.#settings.client, {
        keys: [this.#slotsKey],
        args: [member, this.#settings.channel],
      }).catch(() => {
        // The lease ends by itself.
      });
      // A slot of this process came free: its own first waiter need not wait for the announcement.
      this.#pause.wake();
    };
  }
}
