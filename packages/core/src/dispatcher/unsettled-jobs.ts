import PQueue from 'p-queue';
import type { DispatchJob } from './edit-job.ts';

/**
 * The client's jobs that have not settled. While someone waits for them all, each holds a task in a
 * p-queue until it settles, so `retouch.onIdle()` is the queue's own `onIdle()`. Jobs get tasks only
 * from the first `onIdle()` until the queue is idle again: an edit nobody waits on that way pays
 * nothing for it.
 */
export class UnsettledJobs implements Iterable<DispatchJob> {
  /** Each unsettled job, with what ends its task once it has one. */
  readonly #jobs = new Map<DispatchJob, (() => void) | undefined>();
  readonly #tasks = new PQueue();
  #tracking = false;

  constructor() {
    this.#tasks.addEventListener('idle', () => {
      this.#tracking = false;
    });
  }

  /** How many jobs have not settled. */
  get size(): number {
    return this.#jobs.size;
  }

  [Symbol.iterator](): Iterator<DispatchJob> {
    return this.#jobs.keys();
  }

  add(job: DispatchJob): void {
    this.#jobs.set(job, undefined);
    if (this.#tracking) this.#track(job);
  }

  /** Takes `job` out as settled; `false` when it was not here (it settled before). */
  delete(job: DispatchJob): boolean {
    if (!this.#jobs.has(job)) return false;
    const end = this.#jobs.get(job);
    this.#jobs.delete(job);
    end?.();
    return true;
  }

  /** Resolves once every job has settled, or {@link release} was called. */
  onIdle(): Promise<void> {
    if (!this.#tracking && this.#jobs.size > 0) {
      this.#tracking = true;
      for (const [job, end] of this.#jobs) if (end === undefined) this.#track(job);
    }
    return this.#tasks.onIdle();
  }

  /**
   * Lets {@link onIdle} resolve although jobs are left (the client closed): they stay listed until
   * they settle.
   */
  release(): void {
    for (const end of this.#jobs.values()) end?.();
  }

  #track(job: DispatchJob): void {
    // The promise exists before the task starts, so a job that settles at once still ends it.
    const settled = new Promise<void>((resolve) => {
      this.#jobs.set(job, resolve);
    });
    void this.#tasks.add(() => settled);
  }
}
