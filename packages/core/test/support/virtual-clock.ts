/**
 * A virtual clock for pacing tests over real HTTP: the lane, the adapter and the test's server all
 * read one fake clock, which moves only when the test moves it, while the sockets stay real.
 *
 * On the machine's own clock, a loaded machine delays some requests between the lane's start and the
 * server's arrival far more than others (the first of a burst was seen 250 ms late while the rest took
 * a few), so a lane that keeps its window looks, at the server, as if it overfilled it. Here the clock
 * moves {@link CLOCK_STEP_MS} at a time, and only once every request handed to fetch has reached the
 * server: each arrival is stamped within one step of the lane's start, however loaded the machine is.
 * One step is well inside the margin the lane keeps for that way (`WINDOW_MARGIN_MS`), so the tests
 * assert the provider's own window on the server's arrival times, as a provider counts.
 */
import { vi } from 'vitest';

/** How far the clock moves at a time, in milliseconds: the most an arrival can lag its start. */
export const CLOCK_STEP_MS = 5;

/**
 * Puts timers, `Date` and `performance` on the virtual clock. Call it before creating the servers and
 * clients, so that the clocks they keep are the virtual one. `setImmediate` stays real: sockets and
 * {@link runOnVirtualClock}'s waits need it.
 */
export function useVirtualClock(): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date', 'performance'],
  });
}

/**
 * Moves the virtual clock until `work` settles, then puts the real clock back and returns the outcome.
 * Before each step it waits, in real time, while `inTransit` says a request handed to fetch has not
 * reached the server yet (never, for work that opens no socket).
 *
 * @example
 * const results = await runOnVirtualClock({
 *   work: Promise.all(edits),
 *   inTransit: () => server.received.length < sent.handOffs.length,
 * });
 */
export async function runOnVirtualClock<T>(options: {
  work: Promise<T>;
  inTransit: () => boolean;
  /** The most virtual time to run for. @default 120_000 */
  maxMs?: number;
}): Promise<T> {
  let settled = false;
  const outcome = options.work.finally(() => {
    settled = true;
  });
  // Rethrown to the caller below; until then a rejection must not count as unhandled.
  outcome.catch(() => undefined);
  const maxMs = options.maxMs ?? 120_000;
  try {
    for (let elapsed = 0; !settled; elapsed += CLOCK_STEP_MS) {
      if (elapsed >= maxMs) throw new Error(`the work did not settle within ${maxMs} ms of virtual time`);
      while (options.inTransit()) await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(CLOCK_STEP_MS);
    }
  } finally {
    vi.useRealTimers();
  }
  return outcome;
}
