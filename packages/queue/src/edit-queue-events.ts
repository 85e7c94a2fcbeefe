import { QueueEvents, type QueueEventsOptions } from 'bullmq';
import type { EditQueueEvent } from './edit-queue-event.ts';
import { failureOf } from './job-failure.ts';
import { type QueuedEditProgress, readQueuedEditResult } from './queued-edit-result.ts';
import { openRedis, quit, type ResolvedRedisConnection } from './redis-connection.ts';

/** How an {@link EditQueueEventReader} is set up. */
export interface EditQueueEventReaderSettings {
  /** The queue's name. */
  name: string;
  /** BullMQ's connection and prefix. */
  bullOptions: Pick<QueueEventsOptions, 'connection' | 'prefix'>;
  connection: ResolvedRedisConnection;
  /** The key of the queue's event stream (BullMQ's queue knows it). */
  eventsKey: () => string;
}

/**
 * Reads a queue's events stream once for every listener of the process: each `result()` waiting on a
 * job and each `events()` loop. It starts on first use.
 */
export class EditQueueEventReader {
  readonly #settings: EditQueueEventReaderSettings;
  readonly #listeners = new Set<(event: EditQueueEvent) => void>();
  #queueEvents: QueueEvents | undefined;
  #ready: Promise<QueueEvents> | undefined;

  constructor(settings: EditQueueEventReaderSettings) {
    this.#settings = settings;
  }

  /** Starts reading, once; resolves with BullMQ's reader when it reads. */
  ready(): Promise<QueueEvents> {
    this.#ready ??= this.#start();
    return this.#ready;
  }

  /** Hears every event from now on; returns the function that stops it. */
  subscribe(listener: (event: EditQueueEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Drops the listeners and stops reading. */
  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#queueEvents?.close();
  }

  async #start(): Promise<QueueEvents> {
    // BullMQ's QueueEvents starts reading the event stream at '$' only once its loop runs, a round
    // trip after it reports ready: an event written in between is never read, and a result() whose
    // job finished in that moment (after its state was checked) would wait forever. Reading from the
    // stream's last entry as it is now, before any state is checked, leaves no such gap.
    const lastEventId = await this.#lastEventId();
    const queueEvents = new QueueEvents(this.#settings.name, { ...this.#settings.bullOptions, lastEventId });
    this.#queueEvents = queueEvents;
    queueEvents.setMaxListeners(0);
    queueEvents.on('waiting', ({ jobId }) => this.#emit({ type: 'waiting', jobId }));
    queueEvents.on('active', ({ jobId }) => this.#emit({ type: 'active', jobId }));
    queueEvents.on('progress', ({ jobId, data }) =>
      this.#emit({ type: 'progress', jobId, progress: data as unknown as QueuedEditProgress }),
    );
    queueEvents.on('completed', ({ jobId, returnvalue }) =>
      this.#emit({ type: 'completed', jobId, result: readQueuedEditResult(returnvalue) }),
    );
    queueEvents.on('failed', ({ jobId, failedReason }) =>
      this.#emit({ type: 'failed', jobId, error: failureOf({ jobId, failedReason }) }),
    );
    queueEvents.on('stalled', ({ jobId }) => this.#emit({ type: 'stalled', jobId }));
    await queueEvents.waitUntilReady();
    return queueEvents;
  }

  #emit(event: EditQueueEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  /** The id of the newest entry of the event stream, or `0-0` for an empty one (read from its start). */
  async #lastEventId(): Promise<string> {
    const key = this.#settings.eventsKey();
    const client = openRedis({ connection: this.#settings.connection });
    try {
      const [newest] = await client.xrevrange(key, '+', '-', 'COUNT', 1);
      return newest?.[0] ?? '0-0';
    } finally {
      await quit(client);
    }
  }
}
