import { ApiCallError, type HttpClient, RetouchError } from '@retouch/core';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  OXEN_COMPLETED_EVENT,
  type OxenCompletedEvent,
  type OxenGenerationStatus,
  oxenCompletedEventSchema,
  oxenTimeToEpochMs,
} from './oxen-api.ts';
import { isTerminal, listActiveGenerations, readGeneration } from './oxen-queue.ts';
import { backoffDelay } from './oxen-timers.ts';

/**
 * How a watched generation ended, from its completion event or from a status read. A completion
 * event carries no times; `startedAt` (epoch ms) is then the `started_at` of a status row read while
 * the job was processing (a safety check or a reconnection), when there was one.
 */
export type OxenCompletion =
  | {
      generationId: string;
      status: 'succeeded';
      url: string | undefined;
      source: 'event' | 'status';
      event?: OxenCompletedEvent;
      row?: OxenGenerationStatus;
      startedAt?: number;
    }
  | {
      generationId: string;
      status: 'failed';
      error: string | undefined;
      source: 'event' | 'status';
      event?: OxenCompletedEvent;
      row?: OxenGenerationStatus;
      startedAt?: number;
    }
  | { generationId: string; status: 'cancelled'; source: 'status'; row?: OxenGenerationStatus };

/** Tuning of the shared event stream. Every field has a default suited to Oxen's documented behaviour. */
export interface OxenEventStreamOptions {
  /**
   * First pause before reconnecting a dropped stream; doubles per failed attempt.
   * @default 500
   */
  reconnectDelayMs?: number;
  /**
   * Longest pause between reconnection attempts.
   * @default 30000
   */
  maxReconnectDelayMs?: number;
  /**
   * While connected, how often watched jobs are checked with a status read anyway, so a missed event
   * or a job cancelled elsewhere (Oxen sends no event for a cancelled job) never leaves a caller waiting.
   * @default 30000
   */
  reconcileIntervalMs?: number;
  /**
   * A stream that delivers nothing, not even Oxen's 15-second keep-alive, for this long is treated
   * as dead and reopened.
   * @default 45000
   */
  idleTimeoutMs?: number;
  /**
   * How long the stream stays open after the last job stopped waiting, so back-to-back edits reuse it.
   * @default 2000
   */
  lingerMs?: number;
  /**
   * Longest event or line accepted, in characters; a longer one (a hostile never-ending line) drops
   * the connection, which is then reopened and reconciled.
   * @default 1048576
   */
  maxEventSize?: number;
  /**
   * How long an enqueue waits for the stream to connect before going ahead (the job is then
   * reconciled by status reads).
   * @default 10000
   */
  connectTimeoutMs?: number;
}

interface Waiter {
  resolve(completion: OxenCompletion): void;
  reject(error: unknown): void;
}

const EARLY_EVENT_TTL_MS = 60_000;
const MAX_EARLY_EVENTS = 1_000;
const SETTLED_TTL_MS = 10 * 60_000;
const MAX_SETTLED = 10_000;
const RECONCILE_CONCURRENCY = 4;
// A connection must live this long (or deliver something) before a drop counts as a fresh failure.
const HEALTHY_CONNECTION_MS = 5_000;

/**
 * One Server-Sent Events connection to `GET /api/events`, shared by every job of one API key.
 *
 * Oxen's stream neither buffers nor replays, sends no event for a cancelled job, and carries
 * unrelated events. So: the stream is opened (and its headers awaited) before a job is enqueued;
 * completion events for ids not yet registered are kept for a minute, because an event can beat the
 * enqueue response; a dropped or silent connection is reopened with backoff, after which every
 * watched job is checked with a status read; and a slow safety interval does the same while
 * connected. While disconnected, watched jobs are polled at the poll interval. The connection closes
 * when no job is waiting.
 */
export class OxenEventStream {
  readonly #http: () => HttpClient;
  readonly #pollIntervalMs: number;
  readonly #reconnectDelayMs: number;
  readonly #maxReconnectDelayMs: number;
  readonly #reconcileIntervalMs: number;
  readonly #idleTimeoutMs: number;
  readonly #lingerMs: number;
  readonly #maxEventSize: number;
  readonly #connectTimeoutMs: number;
  /** How long a watched job with nobody waiting on it keeps the stream open. */
  readonly #unattendedMs: number;

  #holds = 0;
  readonly #pending = new Map<string, Set<Waiter>>();
  /** `started_at` (epoch ms) of watched jobs whose status was read while they ran; only pending ids. */
  readonly #startedAt = new Map<string, number>();
  readonly #unattended = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #settled = new Map<string, { completion: OxenCompletion; at: number }>();
  readonly #early = new Map<string, { completion: OxenCompletion; at: number }>();
  readonly #connectWaiters = new Set<() => void>();

  #loop: Promise<void> | undefined;
  #connection: AbortController | undefined;
  #pause: AbortController | undefined;
  #connected = false;
  #connecting = false;
  #closed = false;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;
  #reconcileTimer: ReturnType<typeof setTimeout> | undefined;
  #reconciling: Promise<void> | undefined;

  constructor(options: OxenEventStreamOptions & { http: () => HttpClient; pollIntervalMs: number }) {
    this.#http = options.http;
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#reconnectDelayMs = options.reconnectDelayMs ?? 500;
    this.#maxReconnectDelayMs = options.maxReconnectDelayMs ?? 30_000;
    this.#reconcileIntervalMs = options.reconcileIntervalMs ?? 30_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
    this.#lingerMs = options.lingerMs ?? 2_000;
    this.#maxEventSize = options.maxEventSize ?? 1024 * 1024;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#unattendedMs = Math.max(this.#lingerMs, 5_000);
  }

  /**
   * Keeps the stream open and waits until it is connected (headers received), or until the attempt
   * failed or took longer than `connectTimeoutMs`: the caller enqueues after this. Returns the release.
   */
  async hold(signal?: AbortSignal): Promise<() => void> {
    this.#assertOpen();
    this.#holds++;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#update();
    };
    this.#update();
    try {
      await this.#connectionSettled(signal);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /**
   * Starts watching generations just enqueued (while a hold is still held). After `close()` it does
   * nothing: the jobs exist on Oxen, and a later wait reads their status.
   */
  watch(generationIds: readonly string[]): void {
    if (this.#closed) return;
    for (const id of generationIds) {
      if (this.#settled.has(id) || this.#pending.has(id)) continue;
      const early = this.#early.get(id);
      if (early) {
        this.#early.delete(id);
        this.#remember(id, early.completion);
        continue;
      }
      this.#pending.set(id, new Set());
      this.#markUnattended(id);
    }
    this.#update();
  }

  /**
   * Resolves when the generation ends. A generation this stream did not watch (a job resumed in a
   * new process) is watched now and read once, since its event may already have passed.
   */
  wait(generationId: string, options: { signal?: AbortSignal | undefined } = {}): Promise<OxenCompletion> {
    this.#assertOpen();
    const settled = this.#settled.get(generationId);
    if (settled) return Promise.resolve(settled.completion);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const known = this.#pending.has(generationId);
    if (!known) this.watch([generationId]);
    const early = this.#settled.get(generationId);
    if (early) return Promise.resolve(early.completion);
    return new Promise<OxenCompletion>((resolve, reject) => {
      const waiters = this.#pending.get(generationId)!;
      const waiter: Waiter = {
        resolve: (completion) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(completion);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        waiters.delete(waiter);
        if (waiters.size === 0 && this.#pending.has(generationId)) this.#markUnattended(generationId);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.add(waiter);
      this.#clearUnattended(generationId);
      if (!known) void this.recheck([generationId]);
    });
  }

  /**
   * Reads the generations' status now (once the stream is connected, so nothing falls between the
   * read and the stream): after a cancel, which Oxen never announces, and for a resumed job.
   */
  async recheck(generationIds: readonly string[]): Promise<void> {
    await this.#connectionSettled().catch(() => undefined);
    await forEachLimited(
      generationIds.filter((id) => this.#pending.has(id)),
      RECONCILE_CONCURRENCY,
      (id) => this.#check(id),
    );
  }

  /** Closes the stream and rejects every waiting caller. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#lingerTimer);
    clearTimeout(this.#reconcileTimer);
    for (const timer of this.#unattended.values()) clearTimeout(timer);
    this.#unattended.clear();
    const error = new RetouchError({ message: 'oxen: the provider was closed while the job was waiting' });
    for (const waiters of this.#pending.values()) for (const waiter of waiters) waiter.reject(error);
    this.#pending.clear();
    this.#startedAt.clear();
    this.#releaseConnectWaiters();
    this.#connection?.abort();
    this.#pause?.abort();
    await this.#loop;
  }

  /** The wait before reconnect attempt `attempt` (0-based): doubling, capped, jittered. */
  #reconnectDelay(attempt: number): number {
    return backoffDelay({ attempt, initialMs: this.#reconnectDelayMs, maxMs: this.#maxReconnectDelayMs });
  }

  #assertOpen(): void {
    if (this.#closed) throw new RetouchError({ message: 'oxen: the event stream was closed' });
  }

  #needed(): boolean {
    return !this.#closed && (this.#holds > 0 || this.#pending.size > 0);
  }

  #update(): void {
    if (this.#needed()) {
      clearTimeout(this.#lingerTimer);
      this.#lingerTimer = undefined;
      this.#loop ??= this.#run();
      if (this.#pending.size > 0 && this.#reconcileTimer === undefined) this.#scheduleReconcile();
      return;
    }
    clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = undefined;
    if (this.#loop && this.#lingerTimer === undefined) {
      this.#lingerTimer = setTimeout(() => {
        this.#lingerTimer = undefined;
        if (this.#needed()) return;
        this.#connection?.abort();
        this.#pause?.abort();
      }, this.#lingerMs);
    }
  }

  async #run(): Promise<void> {
    let attempt = 0;
    try {
      while (this.#needed()) {
        const connection = new AbortController();
        this.#connection = connection;
        let body: ReadableStream<Uint8Array>;
        this.#connecting = true;
        try {
          ({ body } = await this.#http().stream({ path: '/api/events', signal: connection.signal }));
        } catch {
          // Enqueues go ahead without the stream; their jobs are polled until it is back.
          this.#connecting = false;
          this.#releaseConnectWaiters();
          if (!this.#needed()) break;
          this.#scheduleReconcile();
          await this.#sleep(this.#reconnectDelay(attempt++));
          continue;
        }
        this.#connecting = false;
        this.#connected = true;
        this.#releaseConnectWaiters();
        const openedAt = Date.now();
        // Events fired while no connection was open are lost for good: read the watched jobs instead.
        if (this.#pending.size > 0) void this.#reconcile().finally(() => this.#scheduleReconcile());
        else this.#scheduleReconcile();
        const delivered = await this.#read(body, connection);
        this.#connected = false;
        if (!this.#needed()) break;
        if (delivered || Date.now() - openedAt >= HEALTHY_CONNECTION_MS) attempt = 0;
        this.#scheduleReconcile();
        await this.#sleep(this.#reconnectDelay(attempt++));
      }
    } finally {
      this.#connected = false;
      this.#connecting = false;
      this.#connection = undefined;
      this.#loop = undefined;
      this.#releaseConnectWaiters();
      if (this.#needed()) this.#update();
    }
  }

  /** Reads one connection until it ends, errs, goes silent or overflows. Returns whether any event came. */
  async #read(body: ReadableStream<Uint8Array>, connection: AbortController): Promise<boolean> {
    let delivered = false;
    const parser = createParser({
      maxBufferSize: this.#maxEventSize,
      onEvent: (message) => {
        delivered = true;
        this.#onMessage(message);
      },
      onComment: () => {
        delivered = true;
      },
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') connection.abort();
      },
    });
    const decoder = new TextDecoder();
    const reader = body.getReader();
    let idle = setTimeout(() => connection.abort(), this.#idleTimeoutMs);
    const onAbort = (): void => {
      reader.cancel().catch(() => undefined);
    };
    connection.signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || connection.signal.aborted) break;
        clearTimeout(idle);
        idle = setTimeout(() => connection.abort(), this.#idleTimeoutMs);
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // A reset, an abort or an overflow ends this connection; the loop decides whether to reopen.
    } finally {
      clearTimeout(idle);
      connection.signal.removeEventListener('abort', onAbort);
      connection.abort();
      reader.cancel().catch(() => undefined);
    }
    return delivered;
  }

  #onMessage(message: EventSourceMessage): void {
    if (message.event !== OXEN_COMPLETED_EVENT) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message.data);
    } catch {
      return;
    }
    const parsed = oxenCompletedEventSchema.safeParse(payload);
    if (!parsed.success) return;
    const event = parsed.data;
    let completion: OxenCompletion;
    if (event.status === 'succeeded') {
      completion = {
        generationId: event.generation_id,
        status: 'succeeded',
        url: event.url ?? undefined,
        source: 'event',
        event,
      };
    } else if (event.status === 'failed') {
      completion = {
        generationId: event.generation_id,
        status: 'failed',
        error: event.error ?? undefined,
        source: 'event',
        event,
      };
    } else {
      return;
    }
    if (this.#pending.has(event.generation_id)) {
      this.#settle(completion);
      return;
    }
    if (this.#settled.has(event.generation_id)) return;
    // Either another client's job, or ours whose enqueue response has not arrived yet.
    const now = Date.now();
    for (const [id, entry] of this.#early) {
      if (now - entry.at < EARLY_EVENT_TTL_MS && this.#early.size < MAX_EARLY_EVENTS) break;
      this.#early.delete(id);
    }
    this.#early.set(event.generation_id, { completion, at: now });
  }

  #settle(settled: OxenCompletion): void {
    const waiters = this.#pending.get(settled.generationId);
    if (!waiters) return;
    const startedAt = this.#startedAt.get(settled.generationId);
    const completion =
      startedAt !== undefined && settled.status !== 'cancelled' && settled.row === undefined
        ? { ...settled, startedAt }
        : settled;
    this.#pending.delete(completion.generationId);
    this.#startedAt.delete(completion.generationId);
    this.#clearUnattended(completion.generationId);
    this.#remember(completion.generationId, completion);
    for (const waiter of waiters) waiter.resolve(completion);
    this.#update();
  }

  #fail(generationId: string, error: unknown): void {
    const waiters = this.#pending.get(generationId);
    if (!waiters) return;
    this.#pending.delete(generationId);
    this.#startedAt.delete(generationId);
    this.#clearUnattended(generationId);
    for (const waiter of waiters) waiter.reject(error);
    this.#update();
  }

  #remember(generationId: string, completion: OxenCompletion): void {
    const now = Date.now();
    for (const [id, entry] of this.#settled) {
      if (now - entry.at < SETTLED_TTL_MS && this.#settled.size < MAX_SETTLED) break;
      this.#settled.delete(id);
    }
    this.#settled.set(generationId, { completion, at: now });
  }

  /**
   * A watched job nobody waits on (submitted, not yet awaited) keeps the stream open only briefly;
   * after that a later wait treats it like a resumed job and reads its status.
   */
  #markUnattended(generationId: string): void {
    this.#clearUnattended(generationId);
    const timer = setTimeout(() => {
      this.#unattended.delete(generationId);
      const waiters = this.#pending.get(generationId);
      if (waiters && waiters.size === 0) {
        this.#pending.delete(generationId);
        this.#startedAt.delete(generationId);
        this.#update();
      }
    }, this.#unattendedMs);
    this.#unattended.set(generationId, timer);
  }

  #clearUnattended(generationId: string): void {
    const timer = this.#unattended.get(generationId);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#unattended.delete(generationId);
    }
  }

  #scheduleReconcile(): void {
    clearTimeout(this.#reconcileTimer);
    this.#reconcileTimer = undefined;
    if (this.#closed || this.#pending.size === 0) return;
    const delay = this.#connected ? this.#reconcileIntervalMs : this.#pollIntervalMs;
    this.#reconcileTimer = setTimeout(() => {
      this.#reconcileTimer = undefined;
      void this.#reconcile().finally(() => {
        if (this.#reconcileTimer === undefined) this.#scheduleReconcile();
      });
    }, delay);
  }

  /** Reads the status of every watched job that may have finished unannounced. */
  #reconcile(): Promise<void> {
    this.#reconciling ??= (async () => {
      try {
        const ids = [...this.#pending.keys()];
        if (ids.length === 0) return;
        let candidates = ids;
        if (ids.length > 2) {
          // One listing of the active jobs tells which of many watched jobs can have finished.
          const active = await listActiveGenerations({ http: this.#http() });
          if (active) candidates = ids.filter((id) => !active.has(id));
        }
        await forEachLimited(candidates, RECONCILE_CONCURRENCY, (id) => this.#check(id));
      } catch {
        // A failed round changes nothing: the next one (or the stream) settles the jobs.
      } finally {
        this.#reconciling = undefined;
      }
    })();
    return this.#reconciling;
  }

  async #check(generationId: string): Promise<void> {
    if (!this.#pending.has(generationId)) return;
    let row: OxenGenerationStatus;
    try {
      row = await readGeneration({ http: this.#http(), generationId });
    } catch (error) {
      // A job Oxen does not know will never complete; anything else is retried on the next round.
      if (ApiCallError.isInstance(error) && error.statusCode === 404) this.#fail(generationId, error);
      return;
    }
    if (!isTerminal(row)) {
      // Kept for the completion event, which says nothing of when the work began.
      const startedAt = oxenTimeToEpochMs(row.started_at);
      if (startedAt !== undefined && this.#pending.has(generationId))
        this.#startedAt.set(generationId, startedAt);
      return;
    }
    if (row.status === 'succeeded') {
      this.#settle({
        generationId,
        status: 'succeeded',
        url: row.result_url ?? undefined,
        source: 'status',
        row,
      });
    } else if (row.status === 'failed') {
      this.#settle({
        generationId,
        status: 'failed',
        error: row.error_message ?? undefined,
        source: 'status',
        row,
      });
    } else {
      this.#settle({ generationId, status: 'cancelled', source: 'status', row });
    }
  }

  /**
   * Resolves once the connection attempt in progress ends. While the stream waits to reconnect after
   * a failure there is nothing to wait for: jobs enqueued meanwhile are polled until it is back.
   */
  #connectionSettled(signal?: AbortSignal): Promise<void> {
    if (this.#connected || !this.#connecting) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#connectWaiters.delete(done);
        resolve();
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        this.#connectWaiters.delete(done);
        reject(signal!.reason);
      };
      const timer = setTimeout(done, this.#connectTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#connectWaiters.add(done);
    });
  }

  #releaseConnectWaiters(): void {
    for (const done of [...this.#connectWaiters]) done();
  }

  async #sleep(ms: number): Promise<void> {
    const pause = new AbortController();
    this.#pause = pause;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      pause.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (this.#pause === pause) this.#pause = undefined;
  }
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item).catch(() => undefined);
    }
  });
  await Promise.all(workers);
}
