import type { NormalizedEditRequest } from '../edit-request.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import type { HttpClient } from '../http/http-client.ts';
import type { JobWatch, PollingSettings, ProviderAdapter, ProviderJobStatus } from '../provider.ts';

/** The interval between status reads when the adapter states none (Oxen documents 2 to 5 s). */
const DEFAULT_INTERVAL_MS = 2_000;
/** The first read comes this soon (or at the adapter's interval, if shorter): short jobs end early. */
const FIRST_READ_MS = 500;
/** Reads while a watch is live: a safety net for a missed event, not the way results arrive. */
const DEFAULT_WHILE_WATCHED_MS = 30_000;
/**
 * The longest one status read may take. A read is small: one that hangs is better abandoned and sent
 * again than waited on for the HTTP layer's whole per-attempt timeout, which could outlast the job.
 */
const STATUS_READ_TIMEOUT_MS = 15_000;
/** The shortest per-attempt timeout of a status read, however near the deadline. */
const MIN_STATUS_READ_TIMEOUT_MS = 250;

/** An adapter's polling settings with every default filled in. */
export interface ResolvedPolling {
  firstIntervalMs: number;
  intervalMs: number;
  maxIntervalMs: number;
  whileWatchedMs: number;
}

/** Fills in the defaults of {@link PollingSettings}. */
export function resolvePolling(settings: PollingSettings | undefined): ResolvedPolling {
  const intervalMs = positive(settings?.intervalMs) ?? DEFAULT_INTERVAL_MS;
  return {
    intervalMs,
    firstIntervalMs: positive(settings?.firstIntervalMs) ?? Math.min(FIRST_READ_MS, intervalMs),
    maxIntervalMs: Math.max(intervalMs, positive(settings?.maxIntervalMs) ?? intervalMs),
    whileWatchedMs: positive(settings?.whileWatchedMs) ?? DEFAULT_WHILE_WATCHED_MS,
  };
}

/**
 * The wait between two reads after `previous`: doubling up to the provider's interval, then growing by
 * half up to its longest.
 */
export function nextInterval(previous: number, polling: ResolvedPolling): number {
  if (previous < polling.intervalMs) return Math.min(polling.intervalMs, previous * 2);
  return Math.min(polling.maxIntervalMs, Math.ceil(previous * 1.5));
}

/**
 * Waits for a provider job to reach a terminal state: the one wait loop in Retouch. It reads the job's
 * status at the adapter's polling pace, through `read` (which retries failed reads of an accepted job
 * until it settles or the deadline passes), and wakes early when the adapter's `watch` brings news.
 * While the watch is live, reads come only at the slow safety interval; when it asks for a check (after
 * a reconnection) a read comes at once.
 */
export async function waitForJob(options: {
  adapter: ProviderAdapter;
  providerJobId: string;
  /** The adapter's client bound to the lane, for the watch. */
  http: HttpClient;
  signal: AbortSignal;
  /** Read the status before waiting at all (a resumed job may have finished meanwhile). */
  checkFirst: boolean;
  request?: NormalizedEditRequest | undefined;
  /** One status read, with the dispatcher's retry rules around it. */
  read: () => Promise<ProviderJobStatus>;
  /** Hears every status learned, terminal or not. */
  observe: (status: ProviderJobStatus) => void;
  /** Hears that the adapter's watch could not be started, and why; polling goes on. */
  onWatchFailed?: (error: unknown) => void;
}): Promise<ProviderJobStatus> {
  const { adapter, signal } = options;
  const polling = resolvePolling(adapter.polling);
  let news: ProviderJobStatus | 'check' | undefined;
  let wake: (() => void) | undefined;
  let watch: JobWatch | undefined;
  if (adapter.watch) {
    try {
      watch = adapter.watch(options.providerJobId, {
        http: options.http,
        signal,
        ...(options.request ? { request: options.request } : {}),
        notify: (status) => {
          // A terminal status, once heard, is not replaced by later news.
          if (!(typeof news === 'object' && isTerminal(news))) news = status ?? 'check';
          wake?.();
        },
      });
    } catch (error) {
      signal.throwIfAborted();
      options.onWatchFailed?.(error);
    }
  }
  const readNow = async (): Promise<ProviderJobStatus> => {
    const status = await options.read();
    options.observe(status);
    return status;
  };
  try {
    if (options.checkFirst) {
      const first = await readNow();
      if (isTerminal(first)) return first;
    }
    let interval = polling.firstIntervalMs;
    for (;;) {
      if (news === undefined) {
        await sleepOrWake(watch?.live ? polling.whileWatchedMs : interval, {
          signal,
          onWake: (resolve) => {
            wake = resolve;
          },
        });
        wake = undefined;
      }
      const heard = news;
      news = undefined;
      if (typeof heard === 'object') {
        options.observe(heard);
        if (isTerminal(heard)) return heard;
        continue;
      }
      const current = await readNow();
      if (isTerminal(current)) return current;
      if (heard === undefined && !watch?.live) interval = nextInterval(interval, polling);
    }
  } finally {
    watch?.stop();
  }
}

/** Whether a status is final. */
export function isTerminal(status: ProviderJobStatus): boolean {
  return status.state === 'succeeded' || status.state === 'failed' || status.state === 'cancelled';
}

/** Resolves after `ms` or when woken, whichever comes first; rejects with the signal's reason on abort. */
function sleepOrWake(
  ms: number,
  options: { signal: AbortSignal; onWake: (resolve: () => void) => void },
): Promise<void> {
  const { signal } = options;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', onAbort, { once: true });
    options.onWake(done);
  });
}

/**
 * Runs one status read with its own, shorter timeout: at most {@link STATUS_READ_TIMEOUT_MS}, and half
 * the time left before the deadline, so a read that hangs leaves room for another that may bring the
 * result. The timeout surfaces as a per-attempt `TimeoutError`, which the retry loop reads again. The
 * clock starts when `run` calls `arm` (its first request left the lane: time spent waiting for room
 * in the rate window is not a hung read), or at once with `armed: true`.
 */
export async function withReadTimeout<T>(options: {
  signal: AbortSignal;
  deadline: number | undefined;
  what: string;
  armed?: boolean;
  run: (signal: AbortSignal, arm: () => void) => Promise<T>;
}): Promise<T> {
  const { signal, deadline } = options;
  const controller = new AbortController();
  let timeout: TimeoutError | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    if (timer !== undefined || controller.signal.aborted) return;
    const timeoutMs = Math.floor(
      deadline === undefined
        ? STATUS_READ_TIMEOUT_MS
        : Math.min(STATUS_READ_TIMEOUT_MS, Math.max(MIN_STATUS_READ_TIMEOUT_MS, (deadline - Date.now()) / 2)),
    );
    const expired = new TimeoutError({
      message: `${options.what} got no answer within ${timeoutMs} ms`,
      timeoutMs,
      stage: 'request',
    });
    timeout = expired;
    timer = setTimeout(() => controller.abort(expired), timeoutMs);
  };
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  if (options.armed) arm();
  try {
    return await options.run(controller.signal, arm);
  } catch (error) {
    // An adapter may throw its own abort error: the read timed out all the same.
    if (!signal.aborted && timeout !== undefined && controller.signal.reason === timeout) throw timeout;
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
