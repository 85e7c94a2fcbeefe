/** A job held back, and for how long. */
export interface HeldJob {
  /** The queued job's id. */
  jobId: string;
  /** How long is left, in milliseconds. */
  remainingMs: number;
}

/** What is happening on a queue right now: who serves it, and what holds work back. */
export interface EditQueueActivity {
  /** Workers connected to the queue (BullMQ's `getWorkersCount()`); 0 means nothing will run. */
  workers: number;
  /** Waiting for a worker, retry waits included. */
  waiting: number;
  /** Taken by a worker. */
  active: number;
  /** Jobs waiting out a delay before their next attempt, and how long is left, soonest first. */
  delayed: HeldJob[];
  /**
   * Each active job's lock and how long it has left. A live worker renews its locks; a lock whose
   * time runs down belongs to a worker that stopped, and its job goes back to the queue once the
   * lock expires and a worker's stalled check finds it.
   */
  locks: HeldJob[];
}
