/** One second: the window `requestsPerSecond` is measured over. */
const SECOND = 1_000;
/**
 * Added to the window starts are paced by. A start is stamped as the request is handed to fetch, and
 * it reaches the provider a variable few milliseconds later (the connection, event-loop delay): up to
 * about 40 ms on a busy machine. Without a margin, a request that took longer to arrive than the one
 * `cap` places before it lands inside the provider's window and is refused. 40 ms keeps 10 requests
 * per second at 0.96 of the limit.
 */
export const WINDOW_MARGIN_MS = 40;
/**
 * A 429 under a configured rate is evidence that arrivals spread wider than the margin (a slower
 * network, a busier machine): each widens it by this much, up to {@link MAX_WINDOW_MARGIN_MS}.
 */
const MARGIN_STEP_MS = 10;
/** The widest margin: 10 requests per second still reach 0.91 of the limit with it. */
export const MAX_WINDOW_MARGIN_MS = 100;
/**
 * The adaptive rate never drops below this, in requests per second: a 429 at a lower rate means the
 * quota is spent by someone else (the limit is per account), and the provider's pause covers that.
 */
const MIN_ADAPTIVE_RATE = 1;
/**
 * What a 429 multiplies an adaptive rate by. Gentler than halving: requests are already paced by a
 * window with a margin, so a 429 usually means a small overshoot, and halving spent most of a run
 * climbing back.
 */
const ADAPTIVE_DECREASE = 0.7;
/** The fewest requests sent in the last second for a 429 to be taken as this client's rate being too high. */
const MIN_OBSERVED_TO_CUT = 3;
/** Successes (at the current rate, while the rate held requests back) before the rate is probed up. */
const MIN_PROBE_RUN = 5;
/**
 * A request answered within this long is checked for having left late: its round trip, less the
 * quickest of recent requests, is how late it most likely reached the provider. The window's margin
 * covers lateness up to itself; a request later than that is counted in the window the rest later, so
 * a request slow to leave a busy machine cannot land in the provider's next window, while requests
 * that left on time keep their start and cost nothing. Longer requests keep their start.
 */
export const ANSWERED_RESTAMP_MS = 500;
/** How many recent round trips the quickest is taken from. */
const ROUND_TRIPS_KEPT = 32;

/** How a {@link RateController} is set up. */
export interface RateControllerSettings {
  /** A fixed sliding-window rate (requests per second); without it the controller adapts to 429s. */
  requestsPerSecond?: number | undefined;
  /** Where an adaptive rate starts, and the most it probes up to: the provider's documented rate. */
  adaptiveCeiling?: number | undefined;
  /** The first pause after a 429 without `Retry-After`; it doubles for consecutive 429s. */
  initialPauseMs: number;
  /** The longest pause after a 429 without `Retry-After`. */
  maxPauseMs: number;
  /** The clock, in epoch milliseconds. @default Date.now */
  now?: () => number;
}

/**
 * The rate rules of one provider lane, as a pure object: a sliding one-second window of request
 * starts, a pause after a 429, and, when no rate is configured, an adaptive rate. It holds no timer
 * and reads time only from its injected clock, so its rules are tested without waiting; the lane
 * turns its answers into waits.
 *
 * A request refused with a 429 gives its place in the window back: the pause is the provider's word on
 * when to try again, and the window paces accepted work.
 *
 * Adaptive mode is AIMD, as in TCP congestion control: a 429 multiplies the rate by 0.7 (from the rate
 * actually observed over the last second, if lower), at most once per window and only for requests
 * sent at the current rate, unless it is a lone 429 in a second that came with a `Retry-After` (the
 * pause answers that); a window's worth of successes while the rate held requests back raises it
 * by one request per second, at most once per window, up to the provider's documented rate when there
 * is one.
 *
 * @example
 * const rate = new RateController({ requestsPerSecond: 2, initialPauseMs: 500, maxPauseMs: 8_000, now: () => t });
 * rate.opensAt(); // t: room now
 * rate.record();  // counts a start at t
 */
export class RateController {
  readonly #settings: RateControllerSettings;
  readonly #now: () => number;
  /** True when no rate was configured: the rate follows 429s. */
  readonly adaptive: boolean;
  #rate: number | undefined;
  /** Start times of recent requests, oldest first. */
  #starts: number[] = [];
  #pausedUntil = 0;
  #consecutiveRateLimits = 0;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #lastChangeAt = Number.NEGATIVE_INFINITY;
  #successesSinceChange = 0;
  #heldBackSinceChange = false;
  #marginMs = WINDOW_MARGIN_MS;
  /** When the 429s of the last second arrived. */
  #recentRateLimits: number[] = [];
  /** Round trips of recent requests answered within {@link ANSWERED_RESTAMP_MS}, oldest first. */
  #roundTrips: number[] = [];

  constructor(settings: RateControllerSettings) {
    this.#settings = settings;
    this.#now = settings.now ?? Date.now;
    this.adaptive = settings.requestsPerSecond === undefined;
    this.#rate = settings.requestsPerSecond ?? settings.adaptiveCeiling;
  }

  /** The rate in force, in requests per second; `undefined` while an adaptive rate has no bound yet. */
  get requestsPerSecond(): number | undefined {
    return this.#rate;
  }

  /** The margin added to the window, in milliseconds. */
  get marginMs(): number {
    return this.#marginMs;
  }

  /** Milliseconds left of the pause after a 429; 0 when not paused. */
  pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - this.#now());
  }

  /**
   * When the next request may start (epoch ms): now, or after a pause, or once the window has room.
   * `waiting` says a request is being held for it, which the adaptive rate counts as evidence that
   * the rate is what holds work back.
   */
  opensAt(options: { waiting?: boolean } = {}): number {
    const now = this.#now();
    this.#forget(now);
    let openAt = this.#pausedUntil;
    const window = this.#window();
    // Fewer starts kept than the window's cap cannot fill it: no need to look for the recent ones.
    if (window && this.#starts.length >= window.cap) {
      const recent = this.#starts.filter((start) => now - start < window.windowMs);
      if (recent.length >= window.cap) {
        // The start `cap` places back must leave the window before another may begin.
        openAt = Math.max(openAt, recent[recent.length - window.cap]! + window.windowMs);
      }
    }
    if (options.waiting && openAt > now && openAt > this.#pausedUntil) this.#heldBackSinceChange = true;
    return Math.max(openAt, now);
  }

  /** Counts a request starting now, and returns its start time (to report its outcome with). */
  record(): number {
    const now = this.#now();
    this.#starts.push(now);
    return now;
  }

  /** A request that started at `startedAt` was refused with a 429. */
  rateLimited(options: { startedAt: number; retryAfterMs?: number | undefined }): void {
    const { startedAt, retryAfterMs } = options;
    const now = this.#now();
    this.#consecutiveRateLimits++;
    const pauseMs =
      retryAfterMs ??
      Math.min(
        this.#settings.maxPauseMs,
        this.#settings.initialPauseMs * 2 ** (this.#consecutiveRateLimits - 1),
      );
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pauseMs);
    if (!this.adaptive) this.#marginMs = Math.min(MAX_WINDOW_MARGIN_MS, this.#marginMs + MARGIN_STEP_MS);
    // Requests sent before the last decrease were paced by the old rate: their 429s are the same
    // overload, not evidence that the new rate is still too high. One window's 429s are one overshoot:
    // cutting once for each would compound the cut.
    const window = this.#window();
    // A lone 429 that says when to come back is a blip the pause answers; the rate is cut when 429s
    // recur within a second (the rate itself is too high), or when the provider gave no delay.
    this.#recentRateLimits = this.#recentRateLimits.filter((at) => now - at < SECOND);
    this.#recentRateLimits.push(now);
    const sustained = retryAfterMs === undefined || this.#recentRateLimits.length >= 2;
    // Sent in the last second: the starts still counted, and the earlier 429s that gave theirs back.
    const observed =
      this.#starts.filter((start) => now - start < SECOND).length + this.#recentRateLimits.length - 1;
    if (
      this.adaptive &&
      sustained &&
      // A 429 after a request or two in a second means the quota is spent elsewhere (the limit is per
      // account): slowing this client down would not help, and the pause covers it.
      observed >= MIN_OBSERVED_TO_CUT &&
      startedAt >= this.#lastDecreaseAt &&
      now - this.#lastDecreaseAt >= (window?.windowMs ?? SECOND)
    ) {
      const base = Math.min(this.#rate ?? Number.POSITIVE_INFINITY, observed);
      // Without a rate yet the burst had no bound, so how far it overshot is unknown: halve it first.
      const factor = this.#rate === undefined ? 0.5 : ADAPTIVE_DECREASE;
      this.#rate = Math.max(MIN_ADAPTIVE_RATE, base * factor);
      this.#lastDecreaseAt = now;
      this.#lastChangeAt = now;
      this.#successesSinceChange = 0;
      this.#heldBackSinceChange = false;
    }
    // A refused request holds no place in the window: the provider did not count it (Eden AI's limit
    // counts accepted requests), and it said when to come back. Left in, it would hold the retry for a
    // whole window whenever the rate is low.
    const refused = this.#starts.indexOf(startedAt);
    if (refused !== -1) this.#starts.splice(refused, 1);
  }

  /**
   * A request that started at `startedAt` was answered without a 429. Returns true when the rate rose.
   * Answered within 500 ms, it is counted in the window from when it most likely arrived.
   */
  succeeded(options: { startedAt: number }): boolean {
    this.#restamp(options.startedAt);
    this.#consecutiveRateLimits = 0;
    if (!this.adaptive || this.#rate === undefined || options.startedAt < this.#lastDecreaseAt) return false;
    this.#successesSinceChange++;
    const ceiling = this.#settings.adaptiveCeiling ?? Number.POSITIVE_INFINITY;
    // Probing only while the rate holds requests back: raising a limit nobody reaches proves nothing.
    // A whole window at the current rate (and a few requests at least), filled without a 429, is the
    // evidence that it holds.
    const now = this.#now();
    if (
      this.#successesSinceChange >= Math.max(MIN_PROBE_RUN, Math.floor(this.#rate)) &&
      now - this.#lastChangeAt >= (this.#window()?.windowMs ?? SECOND) &&
      this.#heldBackSinceChange &&
      this.#rate < ceiling
    ) {
      this.#rate = Math.min(ceiling, Math.floor(this.#rate) + 1);
      this.#lastChangeAt = now;
      this.#successesSinceChange = 0;
      this.#heldBackSinceChange = false;
      return true;
    }
    return false;
  }

  #restamp(startedAt: number): void {
    const now = this.#now();
    const roundTrip = now - startedAt;
    if (roundTrip > ANSWERED_RESTAMP_MS || roundTrip <= 0) return;
    this.#roundTrips.push(roundTrip);
    if (this.#roundTrips.length > ROUND_TRIPS_KEPT) this.#roundTrips.shift();
    // The window's margin already covers a request that arrived up to marginMs late: only the delay
    // beyond it moves the request, so requests that left on time cost nothing.
    // A loop, not Math.min(...list): this runs for every answered request.
    let quickest = roundTrip;
    for (const kept of this.#roundTrips) if (kept < quickest) quickest = kept;
    const late = now - quickest - startedAt - this.#marginMs;
    if (late <= 0) return;
    const arrivedBy = startedAt + late;
    const index = this.#starts.indexOf(startedAt);
    if (index === -1) return;
    this.#starts.splice(index, 1);
    let at = this.#starts.length;
    while (at > 0 && this.#starts[at - 1]! > arrivedBy) at--;
    this.#starts.splice(at, 0, arrivedBy);
  }

  /** The window in force: at most `cap` starts in any `windowMs`. */
  #window(): { cap: number; windowMs: number } | undefined {
    const rate = this.#rate;
    if (rate === undefined) return undefined;
    // Below one request a second, starts are spaced evenly instead of bursting once a second.
    return rate >= 1
      ? { cap: Math.floor(rate), windowMs: SECOND + this.#marginMs }
      : { cap: 1, windowMs: SECOND / rate + this.#marginMs };
  }

  /** Drops starts too old to matter; they are kept a second at least, to measure the observed rate. */
  #forget(now: number): void {
    const keepMs = Math.max(SECOND, this.#window()?.windowMs ?? 0);
    let drop = 0;
    while (drop < this.#starts.length && now - this.#starts[drop]! >= keepMs) drop++;
    if (drop > 0) this.#starts.splice(0, drop);
  }
}
