/**
 * What a {@link RequestGate} learns of a request once it is answered: the HTTP status, or the error it
 * ended in (a `RateLimitError` for a 429, with the provider's `Retry-After`).
 */
export interface RequestOutcome {
  /** The HTTP status of the answer, when one arrived. */
  status?: number;
  /** The error the request ended in, if any. */
  error?: unknown;
}

/**
 * Decides when a request to a provider may leave. The dispatcher installs one in the transport it
 * hands each call, bound to the provider's lane, so every request an adapter sends keeps to the
 * lane's rate window, whatever the adapter remembers to do. Only requests to the provider's own
 * origin pass it: a download from a storage host is not the provider's traffic.
 *
 * @example
 * // Counts requests and lets them all go.
 * let sent = 0;
 * const gate: RequestGate = {
 *   async admit() {
 *     sent++;
 *     return () => {};
 *   },
 * };
 * const paced = http.withGate(gate);
 */
export interface RequestGate {
  /**
   * Resolves when the request may be sent (rejects with the signal's reason if it aborts first), with
   * a function to call once it is answered.
   */
  admit(request: {
    /** The HTTP method. */
    method: string;
    /** The full URL. */
    url: string;
    /** Aborts the wait. */
    signal?: AbortSignal | undefined;
    /** Whether the provider may bill it: a `POST` not marked free (see `HttpRequest.billable`). */
    billable?: boolean | undefined;
  }): Promise<(outcome: RequestOutcome) => void>;
}
