import type { RequestGate } from '../http/request-gate.ts';

/**
 * Limits shared by several Retouch clients, in several processes or on several machines, that use one
 * provider account: the account's rate and concurrency then hold for all of them together, not for
 * each. `@retouch/queue` provides one kept in Redis. A client asks for each provider's shared lane once,
 * when it is created.
 *
 * @example
 * const retouch = createRetouch({ providers: [edenai], limits: { edenai: { requestsPerSecond: 10 } }, sharedLimits });
 */
export interface SharedLimits {
  /**
   * The shared lane of one provider, with the limits this client was configured with (the same in
   * every process, as a rule), or `undefined` to keep that provider's limits to this client.
   */
  lane(options: {
    /** The provider id. */
    provider: string;
    /** Most calls in flight at once across every client sharing the lane. */
    concurrency: number;
    /** Most requests in any sliding one-second window across every client, when configured. */
    requestsPerSecond: number | undefined;
  }): SharedLane | undefined;
}

/** One provider's limits as several clients share them. See {@link SharedLimits}. */
export interface SharedLane {
  /**
   * Takes one of the provider's call slots shared by every client, after the client's own slot;
   * resolves with the function that gives it back (rejects with the signal's reason if it aborts).
   */
  acquire(options: { priority: number; signal: AbortSignal }): Promise<() => void>;
  /**
   * The gate every request to the provider passes after the client's own window. Its outcome function
   * hears each answer, so a 429 seen by one client can pause the provider for all of them.
   */
  readonly gate: RequestGate;
  /** Releases what the lane holds (connections, timers) when the client closes. */
  close?(): Promise<void> | void;
}
