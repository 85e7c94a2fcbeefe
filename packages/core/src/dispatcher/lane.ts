import { RateLimitError } from '../errors/rate-limit-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { RequestGate, RequestOutcome } from '../http/request-gate.ts';
import { CallSlots } from './call-slots.ts';
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

/** A request waiting for room in the window. */
interface Waiter {
  priority: number;
  /**
   * The order its gate was made in: a call's later requests go before those of calls that started
   * after it, so a running call (an upload done, its edit waiting) is not starved by new ones.
   */
  order: number;
  resolve(startedAt: number): void;
}

/**
 * Everything sent to one provider goes through its lane, in two places:
 *
 * - **calls** (an edit, a submission, a status read, a cancel) take one of `concurrency` slots with
 *   {@link Lane.run}, in priority order ({@link CallSlots});
 * - **requests** (every HTTP request a call makes to the provider's host: submissions, uploads, status
 *   and cost reads, cancels, downloads, the opening of an event stream) wait for room in the sliding
 *   window with {@link Lane.gate}, which the dispatcher installs in the transport each call is given.
 *   An adapter cannot send a request that skips it.
 *
 * The window, the pause after a 429 and the adaptive rate are a {@link RateController}'s rules; the
 * lane turns them into waits, with one timer for the moment the next request may start.
 */
export class Lane {
  readonly #settings: LaneSettings;
  readonly #queue: CallSlots;
  readonly #rate: RateController;
  readonly #waiters: Waiter[] = [];
  #gates = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timerAt = 0;
  #closed = false;
  /** 429s already reported by the transport, so the call that throws them does not report them again. */
  readonly #reported = new WeakSet<object>();

  constructor(settings: LaneSettings) {
    this.#settings = settings;
    this.#queue = new CallSlots({ concurrency: settings.concurrency });
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
    return this.#queue.add(
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
            this.#schedule();
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
    const order = this.#gates++;
    return {
      admit: async (request) => {
        const startedAt = await this.#admit({ priority: options.priority, order, signal: request.signal });
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
    return this.#queue.size + this.#queue.pending + this.#waiters.length;
  }

  /** The lane's limits and state. */
  stats(): LaneStats {
    return {
      concurrency: this.#settings.concurrency,
      requestsPerSecond: this.#rate.requestsPerSecond,
      adaptive: this.#rate.adaptive,
      waiting: this.#queue.size + this.#waiters.length,
      running: this.#queue.pending,
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
    this.#queue.pause();
    this.#queue.clear();
    for (const waiter of this.#waiters.splice(0)) waiter.resolve(Date.now());
  }

  #closedError(): RetouchError {
    return new RetouchError({
      message: `the ${this.#settings.provider} lane is closed: the client was closed`,
    });
  }

  #admit(options: { priority: number; order: number; signal: AbortSignal | undefined }): Promise<number> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#closed) return Promise.resolve(Date.now());
    if (this.#waiters.length === 0 && this.#rate.opensAt() <= Date.now()) {
      return Promise.resolve(this.#rate.record());
    }
    return new Promise<number>((resolve, reject) => {
      const waiter: Waiter = {
        priority: options.priority,
        order: options.order,
        resolve: (startedAt) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(startedAt);
        },
      };
      const onAbort = (): void => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        if (this.#waiters.length === 0) this.#clearTimer();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Highest priority first, then the oldest gate, then first come: the list stays sorted.
      let at = this.#waiters.length;
      while (at > 0 && goesBefore(waiter, this.#waiters[at - 1]!)) at--;
      this.#waiters.splice(at, 0, waiter);
      this.#schedule();
    });
  }

  /** Lets waiting requests go while the window has room, and sets the timer for the next opening. */
  #schedule(): void {
    if (this.#closed) return;
    for (;;) {
      if (this.#waiters.length === 0) {
        this.#clearTimer();
        return;
      }
      const openAt = this.#rate.opensAt({ waiting: true });
      const now = Date.now();
      if (openAt > now) {
        this.#setTimer(openAt);
        return;
      }
      this.#waiters.shift()!.resolve(this.#rate.record());
    }
  }

  #settle(startedAt: number, outcome: RequestOutcome): void {
    if (outcome.error && RateLimitError.isInstance(outcome.error)) {
      this.#reported.add(outcome.error);
      this.#rate.rateLimited({ startedAt, retryAfterMs: outcome.error.retryAfterMs });
    } else if (outcome.status !== undefined) {
      this.#rate.succeeded({ startedAt });
    }
    this.#schedule();
  }

  #setTimer(at: number): void {
    if (this.#timer !== undefined && this.#timerAt === at) return;
    this.#clearTimer();
    this.#timerAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#schedule();
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

/** Whether `a` is let through before `b`, which arrived earlier. */
function goesBefore(a: Waiter, b: Waiter): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.order < b.order);
}
