import PQueue from 'p-queue';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { RequestGate, RequestOutcome } from '../http/request-gate.ts';
import { RateController } from './rate-controller.ts';
import type { SharedLane } from './shared-limits.ts';

export { MAX_WINDOW_MARGIN_MS, WINDOW_MARGIN_MS } from './rate-controller.ts';

/**
 * A provider lane's limits and state, as `retouch.stats().lanes` reports them.
 *
 * @example
 * const { requestsPerSecond, pausedForMs } = retouch.stats().lanes.edenai;
 */
export interface LaneStats {
  /** Most calls in flight at once. */
  concurrency: number;
  /**
   * The sliding-window rate in force, in requests per second; `undefined` while an adaptive lane has
   * seen no 429 and the provider documents no limit.
   */
  requestsPerSecond: number | undefined;
  /** True when the rate follows 429s (no `requestsPerSecond` was configured). */
  adaptive: boolean;
  /** Calls waiting for a slot, and requests waiting for the window or the end of a pause. */
  waiting: number;
  /** Calls in flight. */
  running: number;
  /** Milliseconds left of a pause after a 429, 0 when not paused. */
  pausedForMs: number;
}

/** How a lane is set up. */
export interface LaneSettings {
  /** Provider id, for messages. */
  provider: string;
  /** Most calls in flight at once. */
  concurrency: number;
  /** A fixed sliding-window rate (requests per second); without it the lane adapts. */
  requestsPerSecond?: number;
  /** Where an adaptive lane starts, and the most it probes up to: the provider's documented rate. */
  adaptiveCeiling?: number;
  /** The first pause after a 429 without `Retry-After`; it doubles for consecutive 429s. */
  initialPauseMs: number;
  /** The longest pause after a 429 without `Retry-After`. */
  maxPauseMs: number;
  /** Limits shared with other clients of the same account, applied after this lane's own. */
  shared?: SharedLane | undefined;
}

/**
 * Everything sent to one provider goes through its lane, in two p-queues:
 *
 * - **calls** (an edit, a submission, a status read, a cancel) take one of `concurrency` slots with
 *   {@link Lane.run}: a `PQueue` with that concurrency, highest priority first, then first come;
 * - **requests** (every HTTP request a call makes to the provider's host: submissions, uploads, status
 *   and cost reads, cancels, downloads, the opening of an event stream) wait for room in the sliding
 *   window with {@link Lane.gate}, which the dispatcher installs in the transport each call is given.
 *   An adapter cannot send a request that skips it. They wait in a second `PQueue`, by priority, which
 *   is paused whenever the window has no room.
 *
 * When the window has room is a {@link RateController}'s rule: a sliding window with a margin for
 * arrival jitter, a start moved later when its answer shows it left late, a start given back when the
 * provider refused it with a 429, the pause after a 429 and the adaptive rate. p-queue's own `strict`
 * interval stamps each start once, when its task leaves the queue, keeps its interval for life and
 * can take back only the newest start of a task that never ran, so it cannot move a late start, give
 * a refused one back, or widen the margin of the starts already counted after a 429 under a
 * configured rate. The controller decides, for a configured rate as for an adaptive one, and the queue
 * waits: the lane pauses the request queue when the controller says the window is full, and starts it
 * again, with one timer, when the controller says it opens.
 */
export class Lane {
  readonly #settings: LaneSettings;
  readonly #calls: PQueue;
  readonly #requests = new PQueue({ autoStart: true });
  readonly #rate: RateController;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  #closed = false;
  /** 429s already reported by the transport, so the call that throws them does not report them again. */
  readonly #reported = new WeakSet<object>();

  constructor(settings: LaneSettings) {
    this.#settings = settings;
    this.#calls = new PQueue({ concurrency: settings.concurrency });
    this.#rate = new RateController({
      requestsPerSecond: settings.requestsPerSecond,
      adaptiveCeiling: settings.adaptiveCeiling,
      initialPauseMs: settings.initialPauseMs,
      maxPauseMs: settings.maxPauseMs,
    });
  }

  /**
   * Runs `task` when a slot is free. Higher `priority` goes first. When `signal` aborts, a waiting task
   * is dropped and a running one releases its slot; the returned promise rejects with the signal's
   * reason. A {@link RateLimitError} from the task pauses the whole lane (if its transport had not
   * already reported it).
   */
  run<T>(
    task: (signal: AbortSignal) => Promise<T>,
    options: { priority: number; signal: AbortSignal; onStart?: () => void },
  ): Promise<T> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const shared = this.#settings.shared;
    return this.#calls.add(
      async () => {
        const release = shared
          ? await shared.acquire({ priority: options.priority, signal: options.signal })
          : undefined;
        options.onStart?.();
        const startedAt = Date.now();
        try {
          return await task(options.signal);
        } catch (error) {
          if (RateLimitError.isInstance(error) && !this.#reported.has(error)) {
            // A 429 that did not come through the gate (an adapter answering without HTTP) still
            // pauses the lane.
            this.#rate.rateLimited({ startedAt, retryAfterMs: error.retryAfterMs });
            this.#sync();
          }
          throw error;
        } finally {
          release?.();
        }
      },
      { priority: options.priority, signal: options.signal },
    );
  }

  /**
   * The gate every request of a call passes: it waits until the window (and any pause after a 429)
   * allows one more request, counts it, and learns from its answer. `priority` orders requests waiting
   * together; `onAdmit` hears when each one leaves, and the request waits for the promise it returns.
   */
  gate(options: {
    priority: number;
    onAdmit?: (request: { method: string; billable?: boolean | undefined }) => void | Promise<void>;
  }): RequestGate {
    // A call's later requests go just before the first requests of its priority, so a running call (an
    // upload done, its edit waiting) is not held behind calls that started after it.
    let later = false;
    return {
      admit: async (request) => {
        const priority = later ? justAbove(options.priority) : options.priority;
        later = true;
        const startedAt = await this.#admit({ priority, signal: request.signal });
        const shared = this.#settings.shared;
        const sharedSettle = shared ? await shared.gate.admit(request) : undefined;
        try {
          // Awaited only when the hook has something to wait for: this runs for every request.
          const admitted = options.onAdmit?.(request);
          if (admitted) await admitted;
        } catch (error) {
          // The request stays home; its place in the windows is kept, as for one that got no answer.
          sharedSettle?.({});
          this.#settle(startedAt, {});
          throw error;
        }
        return (outcome: RequestOutcome) => {
          sharedSettle?.(outcome);
          this.#settle(startedAt, outcome);
        };
      },
    };
  }

  /** Milliseconds until the lane's pause after a 429 ends; 0 when it is not paused. */
  pausedForMs(): number {
    return this.#rate.pausedForMs();
  }

  /** The number of calls and requests waiting plus calls running: how busy the lane is. */
  get load(): number {
    return this.#calls.size + this.#calls.pending + this.#requests.size;
  }

  /** The lane's limits and state. */
  stats(): LaneStats {
    return {
      concurrency: this.#settings.concurrency,
      requestsPerSecond: this.#rate.requestsPerSecond,
      adaptive: this.#rate.adaptive,
      waiting: this.#calls.size + this.#requests.size,
      running: this.#calls.pending,
      pausedForMs: this.pausedForMs(),
    };
  }

  /**
   * Stops the lane: clears its timer and drops waiting calls. Running calls are left to their signals;
   * requests after the close (downloading a finished result, say) are no longer paced.
   */
  close(): void {
    if (!this.#closed) void Promise.resolve(this.#settings.shared?.close?.()).catch(() => undefined);
    this.#closed = true;
    this.#clearTimer();
    this.#calls.pause();
    this.#calls.clear();
    // Waiting requests go unpaced: their calls are left to their signals.
    this.#requests.start();
  }

  #closedError(): RetouchError {
    return new RetouchError({
      message: `the ${this.#settings.provider} lane is closed: the client was closed`,
    });
  }

  #admit(options: { priority: number; signal: AbortSignal | undefined }): Promise<number> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.resolve(Date.now());
    // The queue is paused whenever the window is full (every change that fills it syncs it); time
    // may have opened it since, which the sync after the add finds.
    const admitted = this.#requests.add(() => this.#start(), { priority: options.priority, signal });
    if (this.#requests.size > 0) {
      this.#sync();
      // A request dropped by its signal may leave the queue empty: no timer is kept for nobody.
      admitted.then(undefined, () => this.#sync());
    }
    return admitted;
  }

  /** A request leaves: it is counted in the window, and the queue pauses if that filled it. */
  #start(): number {
    if (this.#closed) return Date.now();
    const startedAt = this.#rate.record();
    this.#sync();
    return startedAt;
  }

  /**
   * Pauses the request queue while the window has no room, with a timer for when it opens, and starts
   * it when there is room. p-queue starts waiting requests one by one, each counted by {@link #start},
   * which pauses the queue again as soon as the window is full.
   */
  #sync(): void {
    if (this.#closed) return;
    const waiting = this.#requests.size > 0;
    const openAt = this.#rate.opensAt({ waiting });
    if (openAt > Date.now()) {
      this.#requests.pause();
      if (waiting) this.#setTimer(openAt);
      else this.#clearTimer();
      return;
    }
    this.#clearTimer();
    this.#requests.start();
  }

  #settle(startedAt: number, outcome: RequestOutcome): void {
    if (outcome.error && RateLimitError.isInstance(outcome.error)) {
      this.#reported.add(outcome.error);
      this.#rate.rateLimited({ startedAt, retryAfterMs: outcome.error.retryAfterMs });
    } else if (outcome.status !== undefined) {
      this.#rate.succeeded({ startedAt });
    }
    this.#sync();
  }

  #setTimer(at: number): void {
    if (this.#timer !== undefined && this.#timerAt === at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#sync();
      },
      Math.max(0, at - Date.now()),
    );
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * The next priority above `priority` that p-queue tells apart from it: later requests of a call go
 * before the first requests of the same priority, and after every higher priority.
 */
function justAbove(priority: number): number {
  if (!Number.isFinite(priority)) return priority;
  return priority + Math.max(Math.abs(priority) * Number.EPSILON, Number.MIN_VALUE);
}
