import { type EditRequest, RetouchError, runInTrace } from '@retouch/core';
import { Queue, type QueueEvents } from 'bullmq';
import type { EditQueueActivity } from './edit-queue-activity.ts';
import type { EditQueueEvent } from './edit-queue-event.ts';
import { EditQueueEventReader } from './edit-queue-events.ts';
import {
  type AddEditOptions,
  type EditQueueOptions,
  type EditQueueSettings,
  resolveEditQueueSettings,
} from './edit-queue-options.ts';
import { toQueuedEditEntries } from './queued-edit-entries.ts';
import { createQueuedEditHandle, type QueuedEditSource } from './queued-edit-handle.ts';
import type { QueuedEdit } from './queued-edit-status.ts';
import { readEditQueueActivity } from './read-edit-queue-activity.ts';
import { bullPrefix } from './redis-keys.ts';
import { subscriptionIterator } from './subscription-iterator.ts';

/** How many jobs are where. */
export interface EditQueueCounts {
  /** Waiting for a worker (delayed and prioritized included). */
  waiting: number;
  /** Taken by a worker. */
  active: number;
  /** Finished. */
  completed: number;
  /** Failed. */
  failed: number;
}

/**
 * A queue of edits in Redis (BullMQ), served by {@link createEditWorker} workers on any number of
 * machines. See {@link createEditQueue}.
 */
export interface EditQueue {
  /** The queue's name. */
  readonly name: string;
  /**
   * Checks the request as `retouch.edit()` would (every problem named with its field and fix, before
   * anything is stored) and adds it. `{ path }` images must be readable at that path by every worker
   * (they are made absolute here); bytes travel with the job, up to `maxInlineBytes`.
   *
   * @example
   * const edit = await queue.add({ model: 'oxen:qwen-image-edit', prompt: 'Add a hat', images: [{ path: '/shared/cat.png' }] });
   */
  add(request: EditRequest, options?: AddEditOptions): Promise<QueuedEdit>;
  /**
   * Adds many edits in one round trip, after checking every one (nothing is added if one is invalid;
   * the error names its position).
   *
   * @example
   * await queue.addBulk(files.map((path) => ({ request: { model, prompt, images: [{ path }] }, jobId: path })));
   */
  addBulk(entries: readonly ({ request: EditRequest } & AddEditOptions)[]): Promise<QueuedEdit[]>;
  /**
   * The handle of a job by id, or `undefined` when Redis holds no such job.
   *
   * @example
   * const edit = await queue.get('photo-0042');
   */
  get(jobId: string): Promise<QueuedEdit | undefined>;
  /**
   * Every job's events as they happen (from BullMQ's `QueueEvents`), until the signal aborts or the
   * loop stops. Events from before the call are not replayed: read `status()` for those.
   *
   * @example
   * for await (const event of queue.events({ signal })) {
   *   if (event.type === 'completed') console.log(event.jobId, event.result.cost);
   * }
   */
  events(options?: {
    /** Ends the stream. */
    signal?: AbortSignal;
  }): AsyncIterable<EditQueueEvent>;
  /**
   * How many jobs are waiting, active, completed and failed.
   *
   * @example
   * const { waiting, active } = await queue.counts();
   */
  counts(): Promise<EditQueueCounts>;
  /**
   * Who serves the queue and what holds its work back: the number of workers connected, the jobs
   * waiting out a retry delay and the active jobs' locks, each with its time left.
   *
   * @example
   * const { workers } = await queue.activity();
   * if (workers === 0) console.warn('no worker serves the queue');
   */
  activity(): Promise<EditQueueActivity>;
  /**
   * Closes the connections. Jobs stay in Redis for the workers.
   *
   * @example
   * await queue.close();
   */
  close(): Promise<void>;
}

/**
 * Opens a queue of edits in Redis, on BullMQ. Workers created with {@link createEditWorker} (the same
 * `connection`, `name` and `prefix`) run its jobs through Retouch, sharing each provider's limits and
 * a budget. Nothing connects until the first call.
 *
 * @example
 * const queue = createEditQueue({ connection: 'redis://127.0.0.1:6379' });
 * const edit = await queue.add({ model: 'edenai:google/gemini-2.5-flash-image', prompt: 'Add a hat', images: ['https://example.com/cat.png'] });
 * const result = await edit.result();
 * console.log(result.images, result.cost);
 * await queue.close();
 */
export function createEditQueue(options: EditQueueOptions): EditQueue {
  const queue = new RedisEditQueue(resolveEditQueueSettings(options));
  return {
    name: queue.name,
    add: (request, addOptions) => queue.add(request, addOptions),
    addBulk: (entries) => queue.addBulk(entries),
    get: (jobId) => queue.get(jobId),
    events: (eventOptions) => queue.events(eventOptions),
    counts: () => queue.counts(),
    activity: () => queue.activity(),
    close: () => queue.close(),
  };
}

/** The queue behind {@link createEditQueue}: BullMQ's queue and event reader, each opened on first use. */
class RedisEditQueue implements EditQueue {
  readonly name: string;
  readonly #settings: EditQueueSettings;
  readonly #bullOptions: { connection: EditQueueSettings['connection']['options']; prefix: string };
  readonly #events: EditQueueEventReader;
  /** What the handles read their jobs through. */
  readonly #source: QueuedEditSource;
  #queue: Queue | undefined;
  #closed = false;

  constructor(settings: EditQueueSettings) {
    this.name = settings.name;
    this.#settings = settings;
    this.#bullOptions = { connection: settings.connection.options, prefix: bullPrefix(settings.prefix) };
    this.#events = new EditQueueEventReader({
      name: settings.name,
      bullOptions: this.#bullOptions,
      connection: settings.connection,
      eventsKey: () => this.#open().toKey('events'),
    });
    this.#source = {
      queueName: settings.name,
      queue: () => this.#open(),
      queueEvents: () => this.#queueEvents(),
    };
  }

  async add(request: EditRequest, options: AddEditOptions = {}): Promise<QueuedEdit> {
    const [entry] = await toQueuedEditEntries([{ ...options, request }], this.#settings);
    // The worker's span continues the trace of the span that added the job.
    return runInTrace({
      name: 'retouch.queue.add',
      kind: 'producer',
      run: async (producer) => {
        const data = producer ? { ...entry!.data, trace: { producer } } : entry!.data;
        const job = await this.#open().add(entry!.name, data, entry!.opts);
        return this.#handle(job.id!);
      },
    });
  }

  async addBulk(entries: readonly ({ request: EditRequest } & AddEditOptions)[]): Promise<QueuedEdit[]> {
    if (!Array.isArray(entries)) {
      throw new RetouchError({ message: 'addBulk: pass an array of { request, jobId?, priority? }' });
    }
    if (entries.length === 0) return [];
    const queued = await toQueuedEditEntries(entries, this.#settings);
    return runInTrace({
      name: 'retouch.queue.add',
      kind: 'producer',
      run: async (producer) => {
        const traced = producer
          ? queued.map((entry) => ({ ...entry, data: { ...entry.data, trace: { producer } } }))
          : queued;
        const jobs = await this.#open().addBulk(traced);
        return jobs.map((job) => this.#handle(job.id!));
      },
    });
  }

  async get(jobId: string): Promise<QueuedEdit | undefined> {
    const job = await this.#open().getJob(jobId);
    return job ? this.#handle(job.id!) : undefined;
  }

  events(options: { signal?: AbortSignal } = {}): AsyncIterable<EditQueueEvent> {
    return {
      [Symbol.asyncIterator]: () =>
        subscriptionIterator({
          subscribe: (listener) => this.#events.subscribe(listener),
          ready: this.#queueEvents(),
          signal: options.signal,
        }),
    };
  }

  async counts(): Promise<EditQueueCounts> {
    const counts = await this.#open().getJobCounts(
      'waiting',
      'prioritized',
      'delayed',
      'active',
      'completed',
      'failed',
    );
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      active: counts.active ?? 0,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  activity(): Promise<EditQueueActivity> {
    return readEditQueueActivity(this.#open());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([this.#events.close(), this.#queue?.close()]);
  }

  #open(): Queue {
    if (this.#closed) throw this.#closedError();
    if (!this.#queue) {
      this.#queue = new Queue(this.name, this.#bullOptions);
      // Each result() waiting on a job listens here: thousands may wait at once, by design.
      this.#queue.setMaxListeners(0);
    }
    return this.#queue;
  }

  #queueEvents(): Promise<QueueEvents> {
    if (this.#closed) return Promise.reject(this.#closedError());
    return this.#events.ready();
  }

  #handle(jobId: string): QueuedEdit {
    return createQueuedEditHandle({ jobId, source: this.#source });
  }

  #closedError(): RetouchError {
    return new RetouchError({ message: `the edit queue "${this.name}" is closed` });
  }
}
