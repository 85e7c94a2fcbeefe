import { QueueEvents, type QueueEventsOptions } from 'bullmq';
import { queuedEditBillingKey } from './queued-edit-billing-key.ts';
import type { RedisSpendStore } from './redis-spend-store.ts';

/**
 * Returns the budget holds of jobs that ended without our code settling them: BullMQ fails a job that
 * stalled too often, and a job can be removed, without any worker running it. A hold belongs to the
 * job (a worker taking it over inherits it), so nothing else would ever return it. Only an unsent
 * edit's hold is returned; one that may have been billed keeps counting. Every worker of the queue
 * listens, and returning a hold twice changes nothing.
 */
export class EndedJobHolds {
  readonly #events: QueueEvents;
  readonly #store: RedisSpendStore;
  readonly #queueName: string;
  readonly #onError: (error: Error) => void;
  /** Releases in flight, awaited on close. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: {
    queueName: string;
    store: RedisSpendStore;
    bullOptions: Pick<QueueEventsOptions, 'connection' | 'prefix'>;
    onError: (error: Error) => void;
  }) {
    this.#store = options.store;
    this.#queueName = options.queueName;
    this.#onError = options.onError;
    this.#events = new QueueEvents(options.queueName, options.bullOptions);
    this.#events.on('failed', ({ jobId }) => this.#release(jobId));
    this.#events.on('removed', ({ jobId }) => this.#release(jobId));
    this.#events.on('error', (error) => this.#onError(error));
  }

  /** Resolves once it listens. */
  async ready(): Promise<void> {
    await this.#events.waitUntilReady();
  }

  /** Stops listening, after the releases under way. */
  async close(): Promise<void> {
    await this.#events.close();
    await Promise.allSettled(this.#pending);
  }

  #release(jobId: string): void {
    const released = this.#store
      .releaseUnsent({ key: queuedEditBillingKey({ queueName: this.#queueName, jobId }) })
      .catch((error: unknown) => this.#onError(error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.#pending.delete(released));
    this.#pending.add(released);
  }
}
