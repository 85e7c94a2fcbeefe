/**
 * What the pacing tests over real HTTP count with: a sliding-window count, and a `fetch` for an
 * adapter's settings that records each request as it leaves the client.
 */

/** One request as the recording fetch saw it. */
export interface HandOff {
  /** When the request was handed to fetch, in epoch milliseconds. */
  at: number;
  method: string;
  url: string;
  /** The status answered; `undefined` while in flight, or when no answer came (reset, abort). */
  status: number | undefined;
}

/** A `fetch` that passes every request on to the global one and records each hand-off. */
export interface RecordingFetch {
  fetch: typeof globalThis.fetch;
  /**
   * Every request handed over so far, in order: against a server's record, what is still on its way
   * (see `runOnVirtualClock`).
   */
  handOffs: HandOff[];
}

/** Creates a {@link RecordingFetch}. */
export function recordingFetch(): RecordingFetch {
  const handOffs: HandOff[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const handOff: HandOff = {
      at: Date.now(),
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      url: input instanceof Request ? input.url : String(input),
      status: undefined,
    };
    handOffs.push(handOff);
    const response = await globalThis.fetch(input, init);
    handOff.status = response.status;
    return response;
  };
  return { fetch, handOffs };
}

/** The most timestamps that fall in any half-open window `[t, t + windowMs)`: a sliding-window count. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + windowMs) end++;
    most = Math.max(most, end - start);
  }
  return most;
}
