/**
 * The deadline of one attempt. It covers the response headers and the whole body: ky's own timeout
 * stops at the headers, so a server that sends headers and then stalls would hang the caller forever.
 * The clock starts when the request is let through its gate, so time spent waiting for room in the
 * provider's rate window is not taken from the attempt.
 */
export interface Attempt {
  /** Aborts on the caller's signal or at the deadline. */
  readonly signal: AbortSignal;
  /** The caller's signal, whose reason is passed through unwrapped. */
  readonly callerSignal: AbortSignal | undefined;
  readonly timeoutMs: number | false;
  timedOut(): boolean;
  /** Starts the clock (once; later calls do nothing). */
  arm(): void;
  /** Stops the clock once the headers are in, for a stream, whose body the caller's signal still aborts. */
  stopClock(): void;
  /** Stops the clock and lets go of the caller's signal, once the body is read. */
  finish(): void;
}

/** Begins one attempt, linked to the caller's signal; its clock starts with {@link Attempt.arm}. */
export function startAttempt(options: {
  signal: AbortSignal | undefined;
  timeoutMs: number | false;
}): Attempt {
  // One controller fired by the caller's signal or the deadline. Linked by hand rather than with
  // AbortSignal.any, whose dependent signals cost every request extra bookkeeping and garbage.
  const controller = new AbortController();
  const callerSignal = options.signal;
  let timedOut = false;
  let armed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onCallerAbort = (): void => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
  return {
    signal: controller.signal,
    callerSignal,
    timeoutMs: options.timeoutMs,
    timedOut: () => timedOut,
    arm: () => {
      if (armed || options.timeoutMs === false) return;
      armed = true;
      timer = setTimeout(() => {
        if (controller.signal.aborted) return;
        timedOut = true;
        controller.abort(new DOMException('The attempt timed out', 'TimeoutError'));
      }, options.timeoutMs);
    },
    stopClock: () => clearTimeout(timer),
    finish: () => {
      armed = true;
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
  };
}
