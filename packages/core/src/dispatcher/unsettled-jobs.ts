import PQueue from 'p-queue';
import type { DispatchJob } from './edit-job.ts';

/**
 * The client's jobs that have not settled. Each holds a task in a p-queue from its creation until it
 * settles, so `retouch.onIdle()` is the queue's own `onIdle()`.
 */
export class UnsettledJobs implements Iterable<DispatchJob> {
  /** Each unsettled job, with what ends its task. */
  readonly #jobs = new Map<DispatchJob, () => void>();
  readonly #tasks = new PQueue();

  /** How many jobs have not settled. */
  get size(): number {
    return this.#jobs.size;
  }

  [Symbol.iterator](): Iterator<DispatchJob> {
    return this.#jobs.keys();
  }

  add(job: DispatchJob): void {
    // The promise exists before the task starts, so a job that settles at once still ends it.
    const settled = new Promise<void>((resolve) => {
      this.#jobs.set(job, resolve);
    });
    void this.#tasks.add(() => settled);
  }

  /** Takes `job` out as settled; `false` when it was not here (it settled before). */
  delete(job: DispatchJob): boolean {
    const end = this.#jobs.get(job);
    if (end === undefined) return false;
    this.#jobs.delete(job);
    end();
    return true;
  }

  /** Resolves once every job has settled, or {@link release} was called. */
  onIdle(): Promise<void> {
    return this.#tasks.onIdle();
  }

  /**
   * Lets {@link onIdle} resolve although jobs are left (the client closed): they stay listed until
   * they settle.
   */
  release(): void {
    for (const end of this.#jobs.values()) end();
  }
}
