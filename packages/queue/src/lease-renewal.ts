/**
 * Keeps a lease in Redis alive while its process lives: what a process holds there (its call slots) is
 * scored by the end of its lease, so a process that dies stops renewing and what it held frees itself
 * once the lease ends. (Budget holds are not leases: they belong to the jobs.) It renews three times a lease, so one lost renewal costs
 * nothing.
 */
export class LeaseRenewal {
  readonly #leaseMs: number;
  readonly #renew: () => Promise<unknown>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(options: {
    /** How long the lease lasts after a renewal. */
    leaseMs: number;
    /** Renews it; a failure is tried again at the next tick. */
    renew: () => Promise<unknown>;
  }) {
    this.#leaseMs = options.leaseMs;
    this.#renew = options.renew;
  }

  /** Starts renewing, unless it already does or was closed. */
  start(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(
      () => {
        void this.#renew().catch(() => {
          // Tried again at the next tick; a lease that lapses meanwhile frees what it held early.
        });
      },
      Math.max(50, Math.floor(this.#leaseMs / 3)),
    );
    this.#timer.unref?.();
  }

  /** Stops renewing until the next `start()`. */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops renewing for good. */
  close(): void {
    this.#closed = true;
    this.stop();
  }
}
