import { RateLimitError } from '@retouch/core';
import type { RequestGate, RequestOutcome } from '@retouch/core/provider-utils';
import type { Redis } from 'ioredis';
import { LUA_NOW_MS, RedisScript } from './redis-script.ts';
import { Pause } from './sleep.ts';
import { TurnQueue } from './turn-queue.ts';

/**
 * Added to the window, as the single-process lane adds its own (core's `WINDOW_MARGIN_MS`, 40 ms): a
 * request is counted when Redis admits it and reaches the provider some milliseconds later, so without
 * a margin one that took longer to arrive than the request `limit` places before it would land inside
 * the provider's window. Wider than the lane's: between the admission and the request leaving there is
 * the reply from Redis and the queue's own write ("may be billed"), in processes that share a machine.
 * 75 ms keeps 10 requests a second at 0.93 of the limit.
 */
export const SHARED_WINDOW_MARGIN_MS = 75;
/** Each 429 under a configured rate widens the shared margin by this much, up to {@link MAX_SHARED_WINDOW_MARGIN_MS}. */
const MARGIN_STEP_MS = 10;
/** The widest shared margin: 10 requests a second still reach 0.91 of the limit. */
export const MAX_SHARED_WINDOW_MARGIN_MS = 100;
/**
 * Every answer that comes while its request's place may still be in the window (the window and the
 * widest margin after its admission) is checked for having left late: its round trip less the
 * quickest this process saw recently is how late it most likely reached the provider, and lateness
 * past the margin moves its place that much later. A request slow to leave its machine then cannot
 * land in the provider's next window, while requests that left on time keep their admission. Core's
 * lane looks only at answers within 500 ms (`ANSWERED_RESTAMP_MS`); processes that share a loaded
 * machine see requests arrive later than that, and a 429 here pauses every process. The price: a
 * request to an endpoint slower than the quickest by more than the margin holds its place for that
 * much longer. The quickest is taken from round trips of at most this long: a slower one is most
 * likely a slow endpoint, and would hide every other request's lateness.
 */
const QUICK_ROUND_TRIP_MS = 500;
/** How many recent round trips of at most {@link QUICK_ROUND_TRIP_MS} the quickest is taken from. */
const ROUND_TRIPS_KEPT = 32;
/**
 * How many quick round trips a process measures before it trusts the quickest as the time a request
 * spends on the way and at the provider. A new process's first requests meet a new connection,
 * modules still loading and the machine's stalls all at once, often several in the same stall, so
 * their round trips tell little yet of how late they left. Until then the quickest counts for a share
 * of itself (nothing at first, all of it after this many): an answer later than the margin moves its
 * request towards the answer's time. A quick answer is under the margin and moves nothing, so the
 * caution costs only the places of requests that may have arrived late.
 */
const ROUND_TRIPS_BEFORE_TRUSTED = 16;

/**
 * Admits one request: a sorted set of admission times (members are request ids) is trimmed to the
 * window and counted, and the request is added only when fewer than `cap` remain. Otherwise the reply
 * is how long until the start `cap` places back leaves the window. A pause after a 429 holds every
 * request of every process until it ends.
 *
 * KEYS: window (sorted set), state (hash: pausedUntil, marginMs, consecutive429)
 * ARGV: cap (0 for no window), window ms without margin, default margin, request id
 * Reply: { 1, admittedAt } or { 0, wait ms }
 */
const ADMIT = new RedisScript(`${LUA_NOW_MS}
local now = now_ms()
local paused = tonumber(redis.call('HGET', KEYS[2], 'pausedUntil') or '0')
if paused > now then return { 0, paused - now } end
local cap = tonumber(ARGV[1])
if cap > 0 then
  local span = tonumber(ARGV[2]) + tonumber(redis.call('HGET', KEYS[2], 'marginMs') or ARGV[3])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
  local count = redis.call('ZCARD', KEYS[1])
  if count >= cap then
    local blocking = redis.call('ZRANGE', KEYS[1], count - cap, count - cap, 'WITHSCORES')
    return { 0, math.max(1, tonumber(blocking[2]) + span - now + 1) }
  end
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], span * 4)
end
return { 1, now }`);

/**
 * Learns from one answer. An answer that came late (while its place may still count) moves the request's place in the window by its
 * lateness past the margin (Redis's clock now, less the quickest recent round trip, less its admission);
 * a 429 gives its place back (the provider did not count it), pauses every process for the provider's
 * `Retry-After` (else a doubling pause) and widens the margin.
 *
 * KEYS: window, state
 * ARGV: request id, admittedAt, outcome ('answered' | 'limited'), retry-after ms (-1 if none),
 *       initial pause, max pause, whether a window is configured (1/0), quickest round trip ms (-1 if none),
 *       how long after its admission an answer may still move its request
 * Reply: the pause in ms after a 429, else 0
 */
const SETTLE = new RedisScript(`${LUA_NOW_MS}
local now = now_ms()
if ARGV[3] == 'answered' then
  local admitted = tonumber(ARGV[2])
  local quickest = tonumber(ARGV[8])
  local margin = tonumber(redis.call('HGET', KEYS[2], 'marginMs') or '${SHARED_WINDOW_MARGIN_MS}')
  local late = now - quickest - admitted - margin
  if quickest >= 0 and now - admitted <= tonumber(ARGV[9]) and late > 0 then
    redis.call('ZADD', KEYS[1], 'XX', admitted + late, ARGV[1])
  end
  redis.call('HSET', KEYS[2], 'consecutive429', 0)
  return 0
end
redis.call('ZREM', KEYS[1], ARGV[1])
local consecutive = redis.call('HINCRBY', KEYS[2], 'consecutive429', 1)
local pause = tonumber(ARGV[4])
if pause < 0 then
  pause = math.min(tonumber(ARGV[6]), tonumber(ARGV[5]) * 2 ^ (consecutive - 1))
end
local paused = tonumber(redis.call('HGET', KEYS[2], 'pausedUntil') or '0')
redis.call('HSET', KEYS[2], 'pausedUntil', math.max(paused, now + pause))
if ARGV[7] == '1' then
  local margin = tonumber(redis.call('HGET', KEYS[2], 'marginMs') or '${SHARED_WINDOW_MARGIN_MS}')
  redis.call('HSET', KEYS[2], 'marginMs', math.min(${MAX_SHARED_WINDOW_MARGIN_MS}, margin + ${MARGIN_STEP_MS}))
end
redis.call('PEXPIRE', KEYS[2], math.max(pause * 2, 3600000))
return pause`);

/** How a {@link RedisRequestWindow} is set up. */
export interface RedisRequestWindowSettings {
  client: Redis;
  /** Key prefix of this provider's lane, e.g. `retouch:limits:acme:edenai`. */
  key: string;
  /** The account's rate; `undefined` for no shared window (429 pauses are still shared). */
  requestsPerSecond: number | undefined;
  /** First pause after a 429 without `Retry-After`; doubles for consecutive 429s. */
  initialPauseMs: number;
  /** Longest pause after a 429 without `Retry-After`. */
  maxPauseMs: number;
}

/** A place in the window: the member that holds it there, and when Redis admitted it. */
interface Admission {
  id: string;
  admittedAt: number;
}

/** The longest sleep between two questions to Redis, so a long wait re-reads the shared state. */
const REREAD_MS = 1_000;

/**
 * The request gate of one provider lane shared through Redis: a true sliding window over every
 * process's requests (a Lua script on a sorted set, timed by Redis's clock), and one pause after a 429
 * for all of them. Within a process, requests wait their turn in a {@link TurnQueue}, in the order the
 * local lane let them through; one loop asks Redis, and it waits exactly until the window says a place
 * frees up.
 */
export class RedisRequestWindow implements RequestGate {
  readonly #settings: RedisRequestWindowSettings;
  readonly #keys: readonly string[];
  readonly #cap: number;
  readonly #windowMs: number;
  readonly #waiting = new TurnQueue<Admission>();
  #asking = false;
  /** Wakes the loop while it sleeps: the caller it waited for may have given up. */
  readonly #pause = new Pause();
  #closed = false;
  #sequence = 0;
  readonly #instance = crypto.randomUUID();
  /** Round trips of recent requests answered within {@link QUICK_ROUND_TRIP_MS}, oldest first. */
  readonly #roundTrips: number[] = [];

  constructor(settings: RedisRequestWindowSettings) {
    this.#settings = settings;
    this.#keys = [`${settings.key}:window`, `${settings.key}:state`];
    const rate = settings.requestsPerSecond;
    // The same window as the single-process lane: below one request a second, starts are spaced evenly.
    this.#cap = rate === undefined ? 0 : rate >= 1 ? Math.floor(rate) : 1;
    this.#windowMs = rate === undefined || rate >= 1 ? 1_000 : Math.round(1_000 / rate);
    this.#waiting.onLeave(() => this.#pause.wake());
  }

  async admit(request: {
    method: string;
    url: string;
    signal?: AbortSignal | undefined;
  }): Promise<(outcome: RequestOutcome) => void> {
    const admission = this.#waiting.wait({ priority: 0, signal: request.signal });
    void this.#ask();
    const { id, admittedAt } = await admission;
    // Round trips are measured on this process's clock (a duration), admissions on Redis's.
    const leftAt = performance.now();
    return (outcome) => this.#settle({ id, admittedAt, leftAt, outcome });
  }

  /** Stops pacing: waiting requests are let through (the client is closing). */
  close(): void {
    this.#closed = true;
    this.#waiting.open(() => ({ id: this.#nextId(), admittedAt: Date.now() }));
    this.#pause.wake();
  }

  #nextId(): string {
    return `${this.#instance}:${++this.#sequence}`;
  }

  /** Admits waiting requests one at a time, first come first served, sleeping as long as Redis says. */
  async #ask(): Promise<void> {
    if (this.#asking) return;
    this.#asking = true;
    try {
      while (this.#waiting.size > 0 && !this.#closed) {
        const id = this.#nextId();
        let reply: [number, number];
        try {
          reply = (await ADMIT.run(this.#settings.client, {
            keys: this.#keys,
            args: [this.#cap, this.#windowMs, SHARED_WINDOW_MARGIN_MS, id],
          })) as [number, number];
        } catch (error) {
          // Redis is unreachable: the request cannot be paced, so it is not sent.
          await this.#waiting.handOut({ error });
          continue;
        }
        const [admitted, value] = reply;
        // A request that gave up while Redis answered leaves its place to the next.
        if (admitted === 1) await this.#waiting.handOut({ value: { id, admittedAt: value } });
        else await this.#pause.sleep(Math.min(value, REREAD_MS));
      }
    } finally {
      this.#asking = false;
    }
  }

  #settle(options: { id: string; admittedAt: number; leftAt: number; outcome: RequestOutcome }): void {
    const { outcome } = options;
    const limited = outcome.error !== undefined && RateLimitError.isInstance(outcome.error);
    // Without a window there is nothing to move, and only a 429 matters.
    if (!limited && (this.#cap === 0 || outcome.status === undefined)) return;
    let quickest = -1;
    if (!limited) {
      const roundTrip = performance.now() - options.leftAt;
      // Trust grows with the round trips measured before this one.
      const trust = Math.min(1, this.#roundTrips.length / ROUND_TRIPS_BEFORE_TRUSTED);
      // A slow round trip is most likely a slow endpoint: as the quickest, it would hide lateness.
      if (roundTrip <= QUICK_ROUND_TRIP_MS) {
        this.#roundTrips.push(roundTrip);
        if (this.#roundTrips.length > ROUND_TRIPS_KEPT) this.#roundTrips.shift();
      }
      quickest = this.#roundTrips.length === 0 ? 0 : Math.floor(Math.min(...this.#roundTrips) * trust);
    }
    const retryAfterMs = limited ? (outcome.error as RateLimitError).retryAfterMs : undefined;
    void SETTLE.run(this.#settings.client, {
      keys: this.#keys,
      args: [
        options.id,
        options.admittedAt,
        limited ? 'limited' : 'answered',
        retryAfterMs ?? -1,
        this.#settings.initialPauseMs,
        this.#settings.maxPauseMs,
        this.#cap > 0 ? 1 : 0,
        quickest,
        this.#windowMs + MAX_SHARED_WINDOW_MARGIN_MS,
      ],
    }).catch(() => {
      // Losing one restamp or pause costs at most one early request; the window still holds.
    });
  }
}
