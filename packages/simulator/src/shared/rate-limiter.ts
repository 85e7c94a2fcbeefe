/** A sliding-window rate limit: how many requests any window may accept. */
export interface RateLimitOptions {
  /** Requests accepted in any window. @default 10 */
  requestsPerSecond?: number;
  /** The window length. @default 1000 */
  windowMs?: number;
}

/**
 * A sliding-window limiter: at most `requestsPerSecond` accepted requests in any `windowMs` span, per
 * account. Refused requests do not take a slot, as with Eden AI's per-account limit.
 */
export class SlidingWindowRateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  #accepted = new Map<string, number[]>();

  constructor(options: RateLimitOptions = {}) {
    this.limit = options.requestsPerSecond ?? 10;
    this.windowMs = options.windowMs ?? 1000;
  }

  /** Takes a slot for `account` at `now`, or says how long until one frees up. */
  take(options: { account: string; now?: number }): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = options.now ?? performance.now();
    const times = (this.#accepted.get(options.account) ?? []).filter((time) => time > now - this.windowMs);
    if (times.length >= this.limit) {
      this.#accepted.set(options.account, times);
      return { ok: false, retryAfterMs: Math.max(1, times[0]! + this.windowMs - now) };
    }
    times.push(now);
    this.#accepted.set(options.account, times);
    return { ok: true };
  }

  /** Forgets every account's history. */
  reset(): void {
    this.#accepted.clear();
  }
}
