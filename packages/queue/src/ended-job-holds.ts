import { QueueEvents, type QueueEventsOptions } from 'bullmq';
import { queuedEditDataSchema } from './queued-edit.ts';
import { queuedEditBillingKey } from './queued-edit-billing-key.ts';
import type { RedisSpendStore } from './redis-spend-store.ts';

/**
 * Returns the budget holds of jobs that ended without our code settling them: BullMQ fails a job that
 * stalled too often, and a job can be removed, without any worker running it. A hold belongs to the
 * job (a worker taking it over inherits it), so nothing else would ever return it. Only an unsent
 * edit's hold is returned; one that may have been billed keeps counting. Every worker of the queue
 * listens, and returning a hold twice changes nothing. A failed job that was being sent again
 * (`resendPossiblyBilled`) returns the resend's hold too, found from the job's data.
 *
 * Events are not kept for a listener that was not there (every worker down, a reconnect): when it
 * starts listening, it also looks through the ledger for holds of this queue's jobs that are gone or
 * failed, and returns those.
 */
export class EndedJobHolds {
  readonly #events: QueueEvents;
  readonly #store: RedisSpendStore;
  readonly #queueName: string;
  readonly #onError: (error: Error) => void;
  readonly #readJobData: (jobId: string) => Promise<unknown>;
  readonly #readJobState: (jobId: string) => Promise<string | undefined>;
  /** Releases in flight, awaited on close. */
  readonly #pending = new Set<Promise<unknown>>();

  constructor(options: {
    queueName: string;
    store: RedisSpendStore;
    bullOptions: Pick<QueueEventsOptions, 'connection' | 'prefix'>;
    /** Reads a job's data, if the job is still in Redis. */
    readJobData: (jobId: string) => Promise<unknown>;
    /** Reads a job's state (`failed`, `active`, `unknown`, ...), or `undefined` when the job is gone. */
    readJobState: (jobId: string) => Promise<string | undefined>;
    onError: (error: Error) => void;
  }) {
    this.#readJobData = options.readJobData;
    this.#readJobState = options.readJobState;
    this.#store = options.store;
    this.#queueName = options.queueName;
    this.#onError = options.onError;
    this.#events = new QueueEvents(options.queueName, options.bullOptions);
    this.#events.on('failed', ({ jobId }) => this.#release({ jobId, failed: true }));
    this.#events.on('removed', ({ jobId }) => this.#release({ jobId, failed: false }));
    this.#events.on('error', (error) => this.#onError(error));
  }

  /** Resolves once it listens, and has returned the holds of jobs that ended while nobody listened. */
  async ready(): Promise<void> {
    await this.#events.waitUntilReady();
    await this.#sweep().catch((error: unknown) =>
      this.#onError(error instanceof Error ? error : new Error(String(error))),
    );
  }

  async #sweep(): Promise<void> {
    const prefix = `${this.#queueName}:`;
    for (const entry of await this.#store.entries()) {
      if (entry.state !== 'reserved' || !entry.key.startsWith(prefix)) continue;
      const jobId = entry.key.slice(prefix.length).replace(/:resent-\d+$/, '');
      const state = await this.#readJobState(jobId);
      // A job still waiting, delayed or running keeps its hold: whoever runs it inherits it.
      if (state === undefined || state === 'failed' || state === 'unknown')
        await this.#store.releaseUnsent({ key: entry.key });
    }
  }

  /** Stops listening, after the releases under way. */
  async close(): Promise<void> {
    await this.#events.close();
    await Promise.allSettled(this.#pending);
  }

  #release(options: { jobId: string; failed: boolean }): void {
    const released = this.#releaseHolds(options)
      .catch((error: unknown) => this.#onError(error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.#pending.delete(released));
    this.#pending.add(released);
  }

  async #releaseHolds(options: { jobId: string; failed: boolean }): Promise<void> {
    const { jobId } = options;
    const queueName = this.#queueName;
    await this.#store.releaseUnsent({ key: queuedEditBillingKey({ queueName, jobId }) });
    if (!options.failed) return;
    const parsed = queuedEditDataSchema.safeParse(await this.#readJobData(jobId));
    const sentAt = parsed.success ? parsed.data.sent?.at : undefined;
    if (sentAt === undefined) return;
    await this.#store.releaseUnsent({ key: queuedEditBillingKey({ queueName, jobId, resendOf: sentAt }) });
  }
}
