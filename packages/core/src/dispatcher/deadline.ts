import { TimeoutError } from '../errors/timeout-error.ts';

export { delay } from '../timers.ts';

/** Where a job is, for the `stage` of a `TimeoutError`. */
export type JobStage = 'queue' | 'request' | 'poll';

const STAGE_TEXT: Record<JobStage, string> = {
  queue: 'while it waited in the provider lane',
  request: 'while a request to the provider was in flight',
  poll: "while it waited for the provider's job to finish",
};

/**
 * One abort signal for a whole job, fired by the first of: the caller's signals, the `timeoutMs`
 * deadline, `job.cancel()`, or the client closing. The reason is kept as given, so an abort reason
 * from the caller comes back unwrapped, and the deadline produces a `TimeoutError` naming the stage.
 */
export class JobControl {
  readonly #controller = new AbortController();
  readonly #unlink: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** What the job is doing now. */
  stage: JobStage = 'queue';
  /** Epoch milliseconds by which the job must settle. */
  readonly deadline: number | undefined;
  /** Whether an abort should also cancel the provider's job (false when the client detaches on close). */
  cancelOnProvider = true;
  /**
   * Called once the job's signal has aborted, after the signal's own listeners: the job's reaction,
   * without an event listener of its own on every job's signal.
   */
  onAbort: (() => void) | undefined;

  constructor(options: { timeoutMs?: number | undefined; signals: readonly (AbortSignal | undefined)[] }) {
    for (const signal of options.signals) {
      if (!signal) continue;
      if (signal.aborted) {
        this.abort(signal.reason);
        break;
      }
      const listener = (): void => this.abort(signal.reason);
      signal.addEventListener('abort', listener, { once: true });
      this.#unlink.push(() => signal.removeEventListener('abort', listener));
    }
    const timeoutMs = options.timeoutMs;
    this.deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    if (timeoutMs !== undefined && !this.signal.aborted) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.abort(
          new TimeoutError({
            message: `The edit did not settle within timeoutMs (${timeoutMs} ms): the time ran out ${STAGE_TEXT[this.stage]}. Raise timeoutMs, or lower the load on the lane.`,
            timeoutMs,
            stage: this.stage,
          }),
        );
      }, timeoutMs);
    }
  }

  /** Aborts when the job must stop. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops the job with `reason`; the first reason wins. */
  abort(reason: unknown, options?: { cancelOnProvider?: boolean }): void {
    if (this.signal.aborted) return;
    if (options?.cancelOnProvider !== undefined) this.cancelOnProvider = options.cancelOnProvider;
    this.#controller.abort(reason);
    this.onAbort?.();
    this.dispose();
  }

  /** Clears the deadline timer and stops listening to the caller's signals. */
  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const unlink of this.#unlink.splice(0)) unlink();
  }
}
