import PQueue from 'p-queue';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { delay } from './deadline.ts';

/** One second: the window `requestsPerSecond` is measured over. */
const SECOND = 1_000;
/**
 * Added to the window the lane paces starts by. A start is stamped as the task leaves the queue, and
 * the request reaches the provider a variable few milliseconds later (request preparation, the
 * connection, event-loop delay): up to about 40 ms on a busy machine. Without a margin, a request that
 * took longer to arrive than the one `cap` places before it lands inside the provider's window and is
 * refused. 40 ms keeps 10 requests per second at 0.96 of the limit.
 */
export const WINDOW_MARGIN_MS = 40;
/**
 * A 429 in a lane whose rate is configured is evidence that arrivals spread wider than the margin (a
 * slower network, a busier machine): each widens it by this much, up to {@link MAX_WINDOW_MARGIN_MS}.
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
 * What a 429 multiplies an adaptive rate by. Gentler than halving: the lane already paces by a window
 * with a margin, so a 429 usually means a small overshoot, and halving spent most of a run climbing back.
 */
const ADAPTIVE_DECREASE = 0.7;
/** Successes (at the current rate, while the rate held requests back) before the rate is probed up. */
const MIN_PROBE_RUN = 5;

/**
 * A provider lane's limits and state, as `retouch.stats().lanes` reports them.
 *
 * @example
 * const { requestsPerSecond, pausedForMs } = retouch.stats().lanes.edenai;
 */
export interface LaneStats {
  /** Most requests in flight at once. */
  concurrency: number;
  /**
   * The sliding-window rate in force, in requests per second; `undefined` while an adaptive lane has
   * seen no 429 and the provider documents no limit.
   */
  requestsPerSecond: number | undefined;
  /** True when the rate follows 429s (no `requestsPerSecond` was configured). */
  adaptive: boolean;
  /** Requests waiting for a slot, the window or the end of a pause. */
  waiting: number;
  /** Requests in flight. */
  running: number;
  /** Milliseconds left of a pause after a 429, 0 when not paused. */
  pausedForMs: number;
}

/** How a lane is set up. */
export interface LaneSettings {
  /** Provider id, for messages. */
  provider: string;
  /** Most requests in flight at once. */
  concurrency: number;
  /** A fixed sliding-window rate (requests per second); without it the lane adapts. */
  requestsPerSecond?: number;
  /** Where an adaptive lane starts, and the most it probes up to: the provider's documented rate. */
  adaptiveCeiling?: number;
  /** The first pause after a 429 without `Retry-After`; it doubles for consecutive 429s. */
  initialPauseMs: number;
  /** The longest pause after a 429 without `Retry-After`. */
  maxPauseMs: number;
}

/**
 * The queue every request to one provider goes through: a concurrency limit and priorities (from
 * p-queue), a sliding-window rate limit, and a lane-wide pause after a 429.
 *
 * The window is kept here rather than with p-queue's `strict` interval because an adaptive lane changes
 * its rate while it runs, and p-queue fixes `intervalCap` at construction. It is enforced with p-queue's
 * own `pause()`/`start()`: each request records its start time as it leaves the queue and, when the
 * window is full or the lane is cooling down after a 429, pauses the queue synchronously, before
 * p-queue can dequeue another request, and sets one timer for the moment the next start is allowed.
 *
 * A request refused with a 429 gives its place in the window back: the pause is the provider's word
 * on when to try again, and the window paces accepted work.
 *
 * Adaptive mode is AIMD, as in TCP congestion control: a 429 multiplies the rate by 0.7 (from the rate
 * actually observed over the last second, if lower), at most once per window and only for requests
 * sent at the current rate; a window's worth of successes while the rate held requests back raises it
 * by one request per second, at most once per window, up to the provider's documented rate when there
 * is one.
 */
export class Lane {
  readonly #settings: LaneSettings;
  readonly #queue: PQueue;
  readonly #adaptive: boolean;
  #rate: number | undefined;
  /** Start times of recent requests, oldest first. */
  #starts: number[] = [];
  #pausedUntil = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  #closed = false;
  #consecutiveRateLimits = 0;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;
  #lastChangeAt = Number.NEGATIVE_INFINITY;
  #successesSinceChange = 0;
  #heldBackSinceChange = false;
  #marginMs = WINDOW_MARGIN_MS;
  /** Extra requests of running tasks waiting for room in the window: they go before queued tasks. */
  #pacers = 0;

  constructor(settings: LaneSettings) {
    this.#settings = settings;
    this.#queue = new PQueue({ concurrency: settings.concurrency });
    // When the last waiting request is aborted, a timer waiting to resume the lane would only keep the
    // process alive; the next request sets it again.
    this.#queue.addEventListener('empty', () => {
      if (this.#queue.size === 0) this.#clearTimer();
    });
    this.#adaptive = settings.requestsPerSecond === undefined;
    this.#rate = settings.requestsPerSecond ?? settings.adaptiveCeiling;
  }

  /**
   * Runs `task` when the lane allows: a free slot, room in the window, no pause. Higher `priority`
   * goes first. When `signal` aborts, a waiting task is dropped and a running one releases its slot;
   * the returned promise rejects with the signal's reason. A {@link RateLimitError} from the task
   * pauses the whole lane.
   */
  run<T>(
    task: (signal: AbortSignal) => Promise<T>,
    options: { priority: number; signal: AbortSignal; onStart?: () => void },
  ): Promise<T> {
    if (this.#closed) {
      return Promise.reject(
        new RetouchError({ message: `the ${this.#settings.provider} lane is closed: the client was closed` }),
      );
    }
    this.#gate(true);
    return this.#queue.add(
      async () => {
        options.onStart?.();
        // Stamped after the listeners, as close to the request leaving as the lane can see.
        const startedAt = Date.now();
        this.#starts.push(startedAt);
        this.#gate(false);
        try {
          const value = await task(options.signal);
          this.#onSuccess(startedAt);
          return value;
        } catch (error) {
          if (RateLimitError.isInstance(error)) {
            this.#onRateLimited({ startedAt, retryAfterMs: error.retryAfterMs });
          }
          throw error;
        }
      },
      { priority: options.priority, signal: options.signal },
    );
  }

  /**
   * Waits until the window (and any pause after a 429) allows one more request, then counts it. For a
   * request beyond the first that a running task makes, such as the edit after an upload: it takes no
   * concurrency slot, since the task holds one, and queued tasks wait while it does, so a task already
   * running is not starved by new ones. A 429 on it reaches the lane through the task's own error.
   */
  async pace(signal: AbortSignal): Promise<void> {
    this.#pacers++;
    try {
      for (;;) {
        signal.throwIfAborted();
        if (this.#closed) {
          throw new RetouchError({
            message: `the ${this.#settings.provider} lane is closed: the client was closed`,
          });
        }
        const now = Date.now();
        const openAt = this.#opensAt(now);
        if (openAt <= now) {
          this.#starts.push(now);
          return;
        }
        this.#queue.pause();
        await delay(openAt - now, { signal });
      }
    } finally {
      this.#pacers--;
      this.#gate(false);
    }
  }

  /** Milliseconds until the lane's pause after a 429 ends; 0 when it is not paused. */
  pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - Date.now());
  }

  /** The number of requests waiting plus running: how busy the lane is. */
  get load(): number {
    return this.#queue.size + this.#queue.pending;
  }

  /** The lane's limits and state. */
  stats(): LaneStats {
    return {
      concurrency: this.#settings.concurrency,
      requestsPerSecond: this.#rate,
      adaptive: this.#adaptive,
      waiting: this.#queue.size,
      running: this.#queue.pending,
      pausedForMs: this.pausedForMs(),
    };
  }

  /** Stops the lane: clears its timer and drops waiting tasks. Running tasks are left to their signals. */
  close(): void {
    this.#closed = true;
    this.#clearTimer();
    this.#queue.pause();
    this.#queue.clear();
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

  /**
   * Pauses or resumes the queue for the current moment. `expectingTask` is true just before a task is
   * added, so a timer is set even though nothing waits yet.
   */
  #gate(expectingTask: boolean): void {
    if (this.#closed) return;
    const now = Date.now();
    const window = this.#window();
    // Starts are kept for one second at least, to measure the observed rate when a 429 arrives.
    const keepMs = Math.max(SECOND, window?.windowMs ?? 0);
    let drop = 0;
    while (drop < this.#starts.length && now - this.#starts[drop]! >= keepMs) drop++;
    if (drop > 0) this.#starts.splice(0, drop);

    const openAt = this.#opensAt(now);
    if (openAt > this.#pausedUntil && openAt > now && (this.#queue.size > 0 || expectingTask)) {
      this.#heldBackSinceChange = true;
    }
    if (openAt > now) {
      this.#queue.pause();
      if (this.#queue.size > 0 || expectingTask) this.#setTimer(openAt);
      return;
    }
    this.#clearTimer();
    // A waiting extra request of a running task goes first; it restarts the queue when it is done.
    if (this.#pacers > 0) {
      this.#queue.pause();
      return;
    }
    this.#queue.start();
  }

  /** When the next request may start: after any pause, and once the window has room. */
  #opensAt(now: number): number {
    let openAt = this.#pausedUntil;
    const window = this.#window();
    if (window) {
      const recent = this.#starts.filter((start) => now - start < window.windowMs);
      if (recent.length >= window.cap) {
        // The start `cap` places back must leave the window before another may begin.
        openAt = Math.max(openAt, recent[recent.length - window.cap]! + window.windowMs);
      }
    }
    return openAt;
  }

  #setTimer(at: number): void {
    if (this.#timer !== undefined && this.#timerAt === at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#gate(false);
      },
      Math.max(0, at - Date.now()),
    );
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #onRateLimited(options: { startedAt: number; retryAfterMs: number | undefined }): void {
    const { startedAt, retryAfterMs } = options;
    const now = Date.now();
    this.#consecutiveRateLimits++;
    const pauseMs =
      retryAfterMs ??
      Math.min(
        this.#settings.maxPauseMs,
        this.#settings.initialPauseMs * 2 ** (this.#consecutiveRateLimits - 1),
      );
    this.#pausedUntil = Math.max(this.#pausedUntil, now + pauseMs);
    // Requests sent before the last decrease were paced by the old rate: their 429s are the same
    // overload, not evidence that the new rate is still too high.
    if (!this.#adaptive) this.#marginMs = Math.min(MAX_WINDOW_MARGIN_MS, this.#marginMs + MARGIN_STEP_MS);
    // One window's 429s are one overshoot: cutting once for each would compound the cut.
    const window = this.#window();
    if (
      this.#adaptive &&
      startedAt >= this.#lastDecreaseAt &&
      now - this.#lastDecreaseAt >= (window?.windowMs ?? SECOND)
    ) {
      const observed = this.#starts.filter((start) => now - start < SECOND).length;
      const base = Math.min(this.#rate ?? Number.POSITIVE_INFINITY, Math.max(1, observed));
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
    // whole window whenever the rate is low, e.g. a second after a lone 429 halved an adaptive lane to
    // one request a second, however short the provider's Retry-After.
    const refused = this.#starts.indexOf(startedAt);
    if (refused !== -1) this.#starts.splice(refused, 1);
    this.#gate(false);
  }

  #onSuccess(startedAt: number): void {
    this.#consecutiveRateLimits = 0;
    if (!this.#adaptive || this.#rate === undefined || startedAt < this.#lastDecreaseAt) return;
    this.#successesSinceChange++;
    const ceiling = this.#settings.adaptiveCeiling ?? Number.POSITIVE_INFINITY;
    // Probing only while the rate holds requests back: raising a limit nobody reaches proves nothing.
    // A whole window at the current rate (and a few requests at least), filled without a 429, is the
    // evidence that it holds.
    const now = Date.now();
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
      this.#gate(false);
    }
  }
}
