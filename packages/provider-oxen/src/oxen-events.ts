import { backoffDelay, delay, type HttpClient } from '@retouch/core/provider-utils';
import { OXEN_PATHS } from './oxen-api.ts';
import { type OxenCompletion, readOxenEvents } from './oxen-event-reader.ts';

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
   * While the stream is connected, how often the dispatcher reads a waiting job's status anyway (its
   * `polling.whileWatchedMs`), so a missed event or a job cancelled elsewhere (Oxen sends no event for
   * a cancelled job) never leaves a caller waiting.
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
   * the connection, which is then reopened.
   * @default 1048576
   */
  maxEventSize?: number;
  /**
   * How long an enqueue waits for the stream to connect before going ahead (the dispatcher then
   * polls the job until the stream is back).
   * @default 10000
   */
  connectTimeoutMs?: number;
}

/** A job's interest in the stream, registered by {@link OxenEventStream.watch}. */
interface Watcher {
  /** The job's generation ids, in order. */
  readonly ids: readonly string[];
  /** Completions heard so far, by generation id. */
  readonly completions: Map<string, OxenCompletion>;
  /** Hears the completions of every generation once all are in. */
  readonly onComplete: (completions: OxenCompletion[]) => void;
  /** Hears that events may have been missed (the stream dropped or came back): read the job. */
  readonly onCheck: () => void;
  /** The watching call's client, bound to its client's lane. */
  readonly http: HttpClient;
  done: boolean;
}

/** Completion events are kept this long, so a job watched after its event (a fast job) still hears it. */
const RECENT_TTL_MS = 10 * 60_000;
const MAX_RECENT = 10_000;
/** A connection must live this long (or deliver something) before a drop counts as a fresh failure. */
const HEALTHY_CONNECTION_MS = 5_000;

/**
 * One Server-Sent Events connection to `GET /api/events`, shared by every job of one provider
 * instance. It only wakes the dispatcher's wait: the dispatcher reads job status itself.
 *
 * Oxen's stream neither buffers nor replays and carries unrelated events. So: the stream is opened
 * (and its headers awaited) before a job is enqueued ({@link OxenEventStream.hold}); completion events
 * are kept for a while whether or not their job is watched yet, because an event can beat the enqueue
 * response; and when the connection drops, or comes back, every watching job is told to read its
 * status, since events fired meanwhile are lost. A dropped, failed or silent connection is reopened
 * with backoff. The connection closes when no job holds or watches it, after `lingerMs`.
 */
export class OxenEventStream {
  readonly #reconnectDelayMs: number;
  readonly #maxReconnectDelayMs: number;
  readonly #idleTimeoutMs: number;
  readonly #lingerMs: number;
  readonly #maxEventSize: number;
  readonly #connectTimeoutMs: number;

  /** The lane-bound client of the latest hold: (re)connections count in the provider's lane. */
  #http: HttpClient | undefined;
  #holds = 0;
  readonly #watchers = new Set<Watcher>();
  readonly #byId = new Map<string, Set<Watcher>>();
  readonly #recent = new Map<string, { completion: OxenCompletion; at: number }>();
  readonly #connectWaiters = new Set<() => void>();

  #loop: Promise<void> | undefined;
  #connection: AbortController | undefined;
  #pause: AbortController | undefined;
  #connected = false;
  #connecting = false;
  #closed = false;
  #lingerTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: OxenEventStreamOptions = {}) {
    this.#reconnectDelayMs = options.reconnectDelayMs ?? 500;
    this.#maxReconnectDelayMs = options.maxReconnectDelayMs ?? 30_000;
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
    this.#lingerMs = options.lingerMs ?? 2_000;
    this.#maxEventSize = options.maxEventSize ?? 1024 * 1024;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  }

  /** Whether the stream is connected now: a watching job then hears of its end without polling. */
  get connected(): boolean {
    return this.#connected && !this.#closed;
  }

  /** Whether {@link OxenEventStream.close} was called; a closed stream is never reopened. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Keeps the stream open and waits until it is connected (headers received), or until the attempt
   * failed or took longer than `connectTimeoutMs`: the caller enqueues after this. Returns the release.
   */
  async hold(options: { http: HttpClient; signal: AbortSignal }): Promise<() => void> {
    this.#http = options.http;
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
      await this.#connectionSettled(options.signal);
    } catch (error) {
      release();
      throw error;
    }
    return release;
  }

  /**
   * Watches the generations of one job: `onComplete` hears their completion events once all are in
   * (at once, for events already heard), `onCheck` hears that the connection dropped or came back.
   */
  watch(options: {
    generationIds: readonly string[];
    http: HttpClient;
    onComplete: (completions: OxenCompletion[]) => void;
    onCheck: () => void;
  }): { stop(): void } {
    const watcher: Watcher = {
      ids: options.generationIds,
      completions: new Map(),
      onComplete: options.onComplete,
      onCheck: options.onCheck,
      http: options.http,
      done: false,
    };
    const stop = (): void => {
      if (!this.#watchers.delete(watcher)) return;
      for (const id of watcher.ids) {
        const watchers = this.#byId.get(id);
        watchers?.delete(watcher);
        if (watchers?.size === 0) this.#byId.delete(id);
      }
      this.#update();
    };
    if (this.#closed) return { stop };
    this.#watchers.add(watcher);
    for (const id of watcher.ids) {
      const watchers = this.#byId.get(id) ?? new Set<Watcher>();
      this.#byId.set(id, watchers);
      watchers.add(watcher);
      const recent = this.#recent.get(id);
      if (recent) watcher.completions.set(id, recent.completion);
    }
    this.#update();
    this.#maybeComplete(watcher);
    return { stop };
  }

  /** Tells the jobs watching these generations to read their status now (Oxen announces no cancel). */
  check(generationIds: readonly string[]): void {
    const watchers = new Set(generationIds.flatMap((id) => [...(this.#byId.get(id) ?? [])]));
    for (const watcher of watchers) if (!watcher.done) watcher.onCheck();
  }

  /** Closes the connection and stops reconnecting. Watching jobs are then followed by polling. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // The dispatcher polls slowly while the stream is live: wake it to poll at the usual pace.
    this.#checkAll();
    clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
    this.#releaseConnectWaiters();
    this.#connection?.abort();
    this.#pause?.abort();
    await this.#loop;
  }

  #needed(): boolean {
    return !this.#closed && (this.#holds > 0 || this.#watchers.size > 0);
  }

  #update(): void {
    if (this.#needed()) {
      clearTimeout(this.#lingerTimer);
      this.#lingerTimer = undefined;
      this.#loop ??= this.#run();
      return;
    }
    if (this.#loop && this.#lingerTimer === undefined && !this.#closed) {
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
      for (let http = this.#client(); this.#needed() && http; http = this.#client()) {
        const connection = new AbortController();
        this.#connection = connection;
        let body: ReadableStream<Uint8Array>;
        this.#connecting = true;
        try {
          ({ body } = await http.stream({ path: OXEN_PATHS.events, signal: connection.signal }));
        } catch {
          // Enqueues go ahead without the stream; the dispatcher polls their jobs until it is back.
          this.#connecting = false;
          this.#releaseConnectWaiters();
          if (!this.#needed()) break;
          await this.#pauseFor(this.#reconnectDelay(attempt++));
          continue;
        }
        this.#connecting = false;
        this.#connected = true;
        this.#releaseConnectWaiters();
        const openedAt = Date.now();
        // Events fired while no connection was open are lost for good: the jobs read their status.
        this.#checkAll();
        const delivered = await readOxenEvents({
          body,
          connection,
          idleTimeoutMs: this.#idleTimeoutMs,
          maxEventSize: this.#maxEventSize,
          onCompletion: (completion) => this.#onCompletion(completion),
        });
        this.#connected = false;
        if (!this.#needed()) break;
        // The dispatcher polls slowly while the stream is live: wake it to read, and poll, now.
        this.#checkAll();
        if (delivered || Date.now() - openedAt >= HEALTHY_CONNECTION_MS) attempt = 0;
        await this.#pauseFor(this.#reconnectDelay(attempt++));
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

  /**
   * Keeps a completion whoever watches, since the event of a fast job can arrive before its enqueue
   * response, and hands it to the jobs watching its generation.
   */
  #onCompletion(completion: OxenCompletion): void {
    const id = completion.generation_id;
    const now = Date.now();
    for (const [key, entry] of this.#recent) {
      if (now - entry.at < RECENT_TTL_MS && this.#recent.size < MAX_RECENT) break;
      this.#recent.delete(key);
    }
    this.#recent.delete(id);
    this.#recent.set(id, { completion, at: now });
    for (const watcher of this.#byId.get(id) ?? []) {
      watcher.completions.set(id, completion);
      this.#maybeComplete(watcher);
    }
  }

  #maybeComplete(watcher: Watcher): void {
    if (watcher.done || watcher.completions.size < watcher.ids.length) return;
    watcher.done = true;
    watcher.onComplete(watcher.ids.map((id) => watcher.completions.get(id)!));
  }

  /**
   * The client a connection is opened with: the latest watching job's (its client is still open), else
   * the latest hold's, so each opening counts in a lane that is in use.
   */
  #client(): HttpClient | undefined {
    return [...this.#watchers].at(-1)?.http ?? this.#http;
  }

  #checkAll(): void {
    for (const watcher of [...this.#watchers]) if (!watcher.done) watcher.onCheck();
  }

  /** The wait before reconnect attempt `attempt` (0-based): core's backoff, doubling and capped, with jitter. */
  #reconnectDelay(attempt: number): number {
    return backoffDelay({
      retriesSoFar: Math.min(attempt, 20),
      initialDelayMs: this.#reconnectDelayMs,
      maxDelayMs: this.#maxReconnectDelayMs,
    });
  }

  /** Waits before reconnecting; a close or the end of the last watch cuts the wait short. */
  async #pauseFor(ms: number): Promise<void> {
    const pause = new AbortController();
    this.#pause = pause;
    await delay(ms, { signal: pause.signal }).catch(() => undefined);
    if (this.#pause === pause) this.#pause = undefined;
  }

  /**
   * Resolves once the connection attempt in progress ends (or after `connectTimeoutMs`). While the
   * stream waits to reconnect after a failure there is nothing to wait for: jobs enqueued meanwhile
   * are polled until it is back.
   */
  #connectionSettled(signal: AbortSignal): Promise<void> {
    if (this.#connected || !this.#connecting) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.#connectWaiters.delete(done);
        resolve();
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        this.#connectWaiters.delete(done);
        reject(signal.reason);
      };
      const timer = setTimeout(done, this.#connectTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.#connectWaiters.add(done);
    });
  }

  #releaseConnectWaiters(): void {
    for (const done of [...this.#connectWaiters]) done();
  }
}
