import { type EditRequest, InvalidRequestError, RetouchError } from '@retouch/core';
import { type Job, Queue, QueueEvents } from 'bullmq';
import { QueuedEditError } from './errors/queued-edit-error.ts';
import { checkName } from './option-checks.ts';
import { DEFAULT_MAX_INLINE_BYTES, type QueuedEditData, toQueuedRequest } from './queued-edit.ts';
import type { QueuedEditProgress, QueuedEditResult } from './queued-edit-result.ts';
import { openRedis, quit, type RedisConnection, resolveRedisConnection } from './redis-connection.ts';

/** The queue's name when none is given. */
export const DEFAULT_QUEUE_NAME = 'retouch-edits';
/** BullMQ's job name for every edit. */
const JOB_NAME = 'edit';
/** Retouch priorities run from -1,000,000 to 1,000,000 (higher first); BullMQ's from 1 (first) up. */
const PRIORITY_RANGE = 1_000_000;

/**
 * Options of {@link createEditQueue}.
 *
 * @example
 * const options: EditQueueOptions = { connection: 'redis://127.0.0.1:6379', name: 'catalogue' };
 */
export interface EditQueueOptions {
  /** The Redis the workers use. */
  connection: RedisConnection;
  /** The queue's name; workers serve the queue of the same name. @default 'retouch-edits' */
  name?: string;
  /** The first part of every Redis key (BullMQ's keys go under `<prefix>:queue`). @default 'retouch' */
  prefix?: string;
  /**
   * The most bytes of images one request may carry inline (bytes, Blobs, `data:` URLs): they travel
   * through Redis with the job. Pass `{ path }` to a file every worker can read, or a URL, instead.
   * @default 5242880 (5 MB)
   */
  maxInlineBytes?: number;
  /** How many finished jobs (with their results) Redis keeps; older ones are removed. @default all */
  keepCompleted?: number;
  /** How many failed jobs (with their errors) Redis keeps. @default all */
  keepFailed?: number;
}

/** Options of one {@link EditQueue.add}. */
export interface AddEditOptions {
  /**
   * The job's id. Adding an id the queue already holds adds nothing and returns the existing job, so
   * an id derived from the work (a file name, a line of a manifest) makes adding idempotent. Not only
   * digits, no `:`.
   * @default a UUID
   */
  jobId?: string;
  /** The priority; higher goes first, in the queue and in the providers' lanes. @default 0 */
  priority?: number;
}

/** Where a queued edit is: waiting (or delayed), taken by a worker, or done. */
export type QueuedEditStatus = 'waiting' | 'active' | 'completed' | 'failed' | 'unknown';

/**
 * A handle on one queued edit. Any process can make one with {@link EditQueue.get}.
 *
 * @example
 * const edit = await queue.add(request);
 * console.log(await edit.status());
 * const result = await edit.result();
 */
export interface QueuedEdit {
  /** The job's id. */
  readonly id: string;
  /** Where it is now; `unknown` once removed from Redis. */
  status(): Promise<QueuedEditStatus>;
  /** The last progress its worker reported, if any. */
  progress(): Promise<QueuedEditProgress | undefined>;
  /**
   * Resolves with the result once a worker finished it; rejects with {@link QueuedEditError} when it
   * failed (or with a `TimeoutError`-like `RetouchError` after `timeoutMs`).
   */
  result(options?: {
    /** Give up waiting after this long (the job itself goes on). */
    timeoutMs?: number;
  }): Promise<QueuedEditResult>;
}

/** Something that happened to a job of the queue, from BullMQ's events stream. */
export type EditQueueEvent =
  | {
      /** The job is waiting for a worker (added, or handed back by a worker that shut down). */
      type: 'waiting';
      /** The job's id. */
      jobId: string;
    }
  | {
      /** A worker took the job. */
      type: 'active';
      /** The job's id. */
      jobId: string;
    }
  | {
      /** The job's worker reported progress. */
      type: 'progress';
      /** The job's id. */
      jobId: string;
      /** What it reported. */
      progress: QueuedEditProgress;
    }
  | {
      /** The job succeeded. */
      type: 'completed';
      /** The job's id. */
      jobId: string;
      /** Its result. */
      result: QueuedEditResult;
    }
  | {
      /** The job failed. */
      type: 'failed';
      /** The job's id. */
      jobId: string;
      /** Why. */
      error: QueuedEditError;
    }
  | {
      /** The job's worker stopped answering (a crash); it goes back to waiting and resumes elsewhere. */
      type: 'stalled';
      /** The job's id. */
      jobId: string;
    };

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
  const where = 'createEditQueue:';
  if (typeof options !== 'object' || options === null) {
    throw new RetouchError({ message: `${where} pass an options object { connection, name? }` });
  }
  const connection = resolveRedisConnection(options.connection, `${where} connection`);
  const name = checkName(options.name ?? DEFAULT_QUEUE_NAME, `${where} name`);
  const prefix = checkName(options.prefix ?? 'retouch', `${where} prefix`);
  const maxInlineBytes = options.maxInlineBytes ?? DEFAULT_MAX_INLINE_BYTES;
  if (!Number.isInteger(maxInlineBytes) || maxInlineBytes < 0) {
    throw new RetouchError({ message: `${where} maxInlineBytes must be a whole number of bytes ≥ 0` });
  }
  for (const key of ['keepCompleted', 'keepFailed'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      throw new RetouchError({
        message: `${where} ${key} must be a whole number of jobs ≥ 0; omit it to keep all`,
      });
    }
  }
  const bullOptions = { connection: connection.options, prefix: bullPrefix(prefix) };
  let queue: Queue | undefined;
  let queueEvents: QueueEvents | undefined;
  let eventsReady: Promise<QueueEvents> | undefined;
  let closed = false;
  const listeners = new Set<(event: EditQueueEvent) => void>();

  const open = (): Queue => {
    if (closed) throw new RetouchError({ message: `the edit queue "${name}" is closed` });
    if (!queue) {
      queue = new Queue(name, bullOptions);
      // Each result() waiting on a job listens here: thousands may wait at once, by design.
      queue.setMaxListeners(0);
    }
    return queue;
  };
  const events = (): Promise<QueueEvents> => {
    if (closed) return Promise.reject(new RetouchError({ message: `the edit queue "${name}" is closed` }));
    eventsReady ??= (async () => {
      // BullMQ's QueueEvents starts reading the event stream at '$' only once its loop runs, a round
      // trip after it reports ready: an event written in between is never read, and a result() whose
      // job finished in that moment (after its state was checked) would wait forever. Reading from the
      // stream's last entry as it is now, before any state is checked, leaves no such gap.
      const lastEventId = await lastEventOf(open().toKey('events'));
      queueEvents = new QueueEvents(name, { ...bullOptions, lastEventId });
      queueEvents.setMaxListeners(0);
      const emit = (event: EditQueueEvent) => {
        for (const listener of listeners) listener(event);
      };
      queueEvents.on('waiting', ({ jobId }) => emit({ type: 'waiting', jobId }));
      queueEvents.on('active', ({ jobId }) => emit({ type: 'active', jobId }));
      queueEvents.on('progress', ({ jobId, data }) =>
        emit({ type: 'progress', jobId, progress: data as unknown as QueuedEditProgress }),
      );
      queueEvents.on('completed', ({ jobId, returnvalue }) =>
        emit({ type: 'completed', jobId, result: parseReturnValue(returnvalue) }),
      );
      queueEvents.on('failed', ({ jobId, failedReason }) =>
        emit({ type: 'failed', jobId, error: failureOf({ jobId, failedReason }) }),
      );
      queueEvents.on('stalled', ({ jobId }) => emit({ type: 'stalled', jobId }));
      await queueEvents.waitUntilReady();
      return queueEvents;
    })();
    return eventsReady;
  };

  /** The id of the newest entry of an event stream, or `0-0` for an empty one (read from its start). */
  const lastEventOf = async (key: string): Promise<string> => {
    const client = openRedis({ connection });
    try {
      const [newest] = await client.xrevrange(key, '+', '-', 'COUNT', 1);
      return newest?.[0] ?? '0-0';
    } finally {
      await quit(client);
    }
  };

  const handle = (jobId: string): QueuedEdit => ({
    id: jobId,
    async status() {
      return statusOf(await open().getJobState(jobId));
    },
    async progress() {
      const job = await open().getJob(jobId);
      const progress = job?.progress;
      return typeof progress === 'object' && progress !== null
        ? (progress as unknown as QueuedEditProgress)
        : undefined;
    },
    async result(resultOptions = {}) {
      const job = await open().getJob(jobId);
      if (!job) {
        throw new RetouchError({
          message: `the edit queue "${name}" holds no job ${jobId} (never added, or removed)`,
        });
      }
      return waitForResult({ job, queueEvents: await events(), timeoutMs: resultOptions.timeoutMs });
    },
  });

  const prepare = async (
    entries: readonly ({ request: EditRequest } & AddEditOptions)[],
  ): Promise<{ name: string; data: QueuedEditData; opts: Record<string, unknown> }[]> => {
    const prepared = [];
    for (const [index, entry] of entries.entries()) {
      const at = entries.length > 1 ? `entries[${index}]: ` : '';
      if (typeof entry !== 'object' || entry === null) {
        throw new RetouchError({ message: `${at}pass { request, jobId?, priority? }` });
      }
      const priority = entry.priority ?? 0;
      if (!Number.isInteger(priority) || Math.abs(priority) > PRIORITY_RANGE) {
        throw new RetouchError({
          message: `${at}priority must be a whole number from -${PRIORITY_RANGE} to ${PRIORITY_RANGE} (higher goes first), got ${String(priority)}`,
        });
      }
      if (entry.jobId !== undefined) checkJobId(entry.jobId, at);
      let request: QueuedEditData['request'];
      try {
        request = await toQueuedRequest(entry.request, { maxInlineBytes });
      } catch (error) {
        if (InvalidRequestError.isInstance(error) && at) {
          throw new InvalidRequestError({
            issues: error.issues.map((issue) => ({
              ...issue,
              path: `entries.${index}.request${issue.path ? `.${issue.path}` : ''}`,
            })),
          });
        }
        throw error;
      }
      prepared.push({
        name: JOB_NAME,
        data: { type: 'retouch.queued-edit', version: 1, request, priority } satisfies QueuedEditData,
        opts: {
          jobId: entry.jobId ?? crypto.randomUUID(),
          // Lower is first in BullMQ, and a job without one would jump every job with one.
          priority: PRIORITY_RANGE + 1 - priority,
          // Retouch retries each call itself, knowing which resend could pay twice; BullMQ must not.
          attempts: 1,
          ...(options.keepCompleted !== undefined
            ? { removeOnComplete: { count: options.keepCompleted } }
            : {}),
          ...(options.keepFailed !== undefined ? { removeOnFail: { count: options.keepFailed } } : {}),
        },
      });
    }
    return prepared;
  };

  return {
    name,
    async add(request, addOptions = {}) {
      const [entry] = await prepare([{ ...addOptions, request }]);
      const job = await open().add(entry!.name, entry!.data, entry!.opts);
      return handle(job.id!);
    },
    async addBulk(entries) {
      if (!Array.isArray(entries)) {
        throw new RetouchError({ message: 'addBulk: pass an array of { request, jobId?, priority? }' });
      }
      if (entries.length === 0) return [];
      const jobs = await open().addBulk(await prepare(entries));
      return jobs.map((job) => handle(job.id!));
    },
    async get(jobId) {
      const job = await open().getJob(jobId);
      return job ? handle(job.id!) : undefined;
    },
    events(eventOptions = {}) {
      return {
        [Symbol.asyncIterator]: () =>
          eventIterator({
            subscribe: (listener) => {
              listeners.add(listener);
              return () => listeners.delete(listener);
            },
            ready: events(),
            signal: eventOptions.signal,
          }),
      };
    },
    async counts() {
      const counts = await open().getJobCounts(
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
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await Promise.allSettled([queueEvents?.close(), queue?.close()]);
    },
  };
}

/** BullMQ's key prefix under a Retouch prefix, apart from the shared limits' and budgets' keys. */
export function bullPrefix(prefix: string): string {
  return `${prefix}:queue`;
}

function checkJobId(jobId: unknown, at: string): void {
  if (
    typeof jobId !== 'string' ||
    jobId.length === 0 ||
    jobId.length > 256 ||
    jobId.includes(':') ||
    /^\d+$/.test(jobId)
  ) {
    throw new RetouchError({
      message: `${at}jobId must be 1 to 256 characters, not only digits and without ":" (BullMQ's rule), got ${JSON.stringify(jobId)}`,
    });
  }
}

function statusOf(state: string): QueuedEditStatus {
  switch (state) {
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'delayed':
    case 'waiting-children':
      return 'waiting';
    case 'active':
    case 'completed':
    case 'failed':
      return state;
    default:
      return 'unknown';
  }
}

function parseReturnValue(value: unknown): QueuedEditResult {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as QueuedEditResult;
    } catch {
      // not JSON: returned as is below
    }
  }
  return value as QueuedEditResult;
}

/** The worker throws `Name: message`; the class name is read back from it. */
export function failureOf(options: { jobId: string; failedReason: string | undefined }): QueuedEditError {
  const reason = options.failedReason ?? 'the job failed';
  const match = /^([A-Z][A-Za-z]*Error): ([\s\S]*)$/.exec(reason);
  return new QueuedEditError({
    jobId: options.jobId,
    errorName: match?.[1] ?? 'Error',
    message: match?.[2] ?? reason,
  });
}

async function waitForResult(options: {
  job: Job;
  queueEvents: QueueEvents;
  timeoutMs: number | undefined;
}): Promise<QueuedEditResult> {
  const { job } = options;
  try {
    return parseReturnValue(await job.waitUntilFinished(options.queueEvents, options.timeoutMs));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/timed out before finishing/i.test(message)) {
      throw new RetouchError({
        message: `job ${job.id} did not finish within ${options.timeoutMs} ms; it goes on, call result() again to keep waiting`,
      });
    }
    throw failureOf({ jobId: job.id!, failedReason: message });
  }
}

/** An async iterator over queue events, buffered, ending when the signal aborts or the loop stops. */
function eventIterator(options: {
  subscribe: (listener: (event: EditQueueEvent) => void) => () => void;
  ready: Promise<unknown>;
  signal: AbortSignal | undefined;
}): AsyncIterator<EditQueueEvent> {
  const buffer: EditQueueEvent[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const unsubscribe = options.subscribe((event) => {
    buffer.push(event);
    wake?.();
  });
  const finish = (): void => {
    done = true;
    unsubscribe();
    options.signal?.removeEventListener('abort', finish);
    wake?.();
  };
  if (options.signal?.aborted) finish();
  else options.signal?.addEventListener('abort', finish, { once: true });
  return {
    async next() {
      await options.ready;
      while (buffer.length === 0 && !done) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      if (buffer.length > 0) return { value: buffer.shift()!, done: false };
      return { value: undefined, done: true };
    },
    async return() {
      finish();
      return { value: undefined, done: true };
    },
  };
}
