import PQueue from 'p-queue';
import type { EditRequest } from '../edit-request.ts';
import type { EditResult } from '../edit-result.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import type { ProgressListener } from './events.ts';

/**
 * Options of `retouch.editMany()`.
 *
 * @example
 * const controller = new AbortController();
 * const outcomes = retouch.editMany(requests, {
 *   maxInFlight: 16,
 *   signal: controller.signal,
 *   onProgress: (event) => { if (event.type === 'succeeded') done++; },
 * });
 */
export interface EditManyOptions {
  /** Receives the events of every edit of the batch. */
  onProgress?: ProgressListener;
  /**
   * The most requests taken from the source and not yet handed to the consumer (in flight, or settled
   * and waiting to be read). Bounds memory and keeps the lanes fed without building a backlog.
   * @default twice the total concurrency of the client's lanes
   */
  maxInFlight?: number;
  /** The priority of every edit of the batch in its lane; higher goes first. @default 0 */
  priority?: number;
  /** Aborts every edit of the batch still in flight, and stops reading the source. */
  signal?: AbortSignal;
}

/**
 * The settled outcome of one request of `editMany`: `index` is its position in the source, so
 * outcomes, which arrive in completion order, can be matched to their requests.
 *
 * @example
 * const results: EditResult[] = [];
 * for await (const outcome of retouch.editMany(requests)) {
 *   if (outcome.ok) results[outcome.index] = outcome.result;
 * }
 */
export type EditOutcome =
  | {
      /** The position of the request in the source, from 0. */
      index: number;
      /** The request as it came from the source. */
      request: EditRequest;
      /** The edit succeeded. */
      ok: true;
      /** Its result. */
      result: EditResult;
    }
  | {
      /** The position of the request in the source, from 0. */
      index: number;
      /** The request as it came from the source. */
      request: EditRequest;
      /** The edit failed. */
      ok: false;
      /** Why: the same error `retouch.edit()` would have thrown. */
      error: unknown;
    };

/** What `editMany` needs from the client. */
export interface EditManySource {
  readonly requests: Iterable<EditRequest> | AsyncIterable<EditRequest>;
  readonly maxInFlight: number;
  readonly signal: AbortSignal;
  readonly start: (request: EditRequest) => Promise<EditResult>;
  readonly assertOpen: () => void;
  readonly stop: (reason: unknown) => void;
}

/**
 * Pulls requests lazily, keeping at most `maxInFlight` taken and not yet handed over, and yields
 * outcomes as edits settle. Stopping early (a `break`, a throw in the loop, an abort) cancels the edits
 * still in flight and closes the source.
 *
 * Each request taken from the source holds a place in a p-queue that never runs its tasks, from its
 * pull until the consumer comes back for the outcome after it: the queue's size is the number
 * `maxInFlight` bounds, and the puller waits for room with the queue's `onSizeLessThan`.
 */
export async function* editManyOutcomes(
  source: EditManySource,
): AsyncGenerator<EditOutcome, void, undefined> {
  const iterator: Iterator<EditRequest> | AsyncIterator<EditRequest> =
    Symbol.asyncIterator in source.requests
      ? source.requests[Symbol.asyncIterator]()
      : (source.requests as Iterable<EditRequest>)[Symbol.iterator]();
  const places = new PQueue({ autoStart: false });
  const inFlight = new Set<Promise<void>>();
  const ready: { outcome: EditOutcome; place: AbortController }[] = [];
  let wake: (() => void) | undefined;
  let exhausted = false;
  let stopped = false;
  let failure: { error: unknown } | undefined;
  let index = 0;

  const take = (request: EditRequest): void => {
    const position = index++;
    const place = new AbortController();
    // The place is given back by aborting it, which takes its task out of the queue.
    places.add(() => undefined, { signal: place.signal }).catch(() => undefined);
    const settled: Promise<void> = source.start(request).then(
      (result) => {
        ready.push({ outcome: { index: position, request, ok: true, result }, place });
      },
      (error: unknown) => {
        ready.push({ outcome: { index: position, request, ok: false, error }, place });
      },
    );
    const tracked = settled.finally(() => {
      inFlight.delete(tracked);
      wake?.();
    });
    inFlight.add(tracked);
  };

  const pull = async (): Promise<void> => {
    for (;;) {
      await places.onSizeLessThan(source.maxInFlight);
      if (stopped) return;
      if (source.signal.aborted) throw source.signal.reason;
      source.assertOpen();
      const next = await iterator.next();
      if (stopped) return;
      if (next.done) {
        exhausted = true;
        return;
      }
      take(next.value);
    }
  };
  const puller = pull()
    .catch((error: unknown) => {
      failure = { error };
    })
    .finally(() => wake?.());

  let finished = false;
  try {
    for (;;) {
      if (failure) throw failure.error;
      if (!exhausted && source.signal.aborted) throw source.signal.reason;
      const next = ready.shift();
      if (next) {
        yield next.outcome;
        // The consumer is back for more: the outcome is handed over, and its place makes room.
        next.place.abort();
        continue;
      }
      if (exhausted && inFlight.size === 0) {
        finished = true;
        return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    stopped = true;
    // Wakes the puller if it waits for room; it stops there.
    places.clear();
    if (!finished) {
      source.stop(
        source.signal.aborted
          ? source.signal.reason
          : new JobCancelledError({ message: 'editMany was stopped before this edit settled' }),
      );
      await puller;
      await Promise.allSettled(inFlight);
      if (!exhausted) await iterator.return?.();
    }
  }
}

/** Checks `maxInFlight`. */
export function checkMaxInFlight(options: { value: number | undefined; fallback: number }): number {
  const { value, fallback } = options;
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RetouchError({
      message: `editMany: maxInFlight must be a whole number ≥ 1, got ${String(value)}`,
    });
  }
  return value;
}

/** Checks `editMany`'s source: an iterable or an async iterable of requests. */
export function checkEditManyRequests(requests: unknown): void {
  if (
    requests === null ||
    typeof requests !== 'object' ||
    (!(Symbol.iterator in requests) && !(Symbol.asyncIterator in requests))
  ) {
    throw new RetouchError({
      message:
        'editMany: pass an iterable or async iterable of edit requests (an array, a generator, a stream)',
    });
  }
}

/**
 * `retouch.editMany()`'s outcomes as an async iterable. Each iteration is a batch of its own: the
 * caller's signal aborts it, and stopping early cancels its edits still in flight.
 */
export function editManyIterable(source: {
  requests: Iterable<EditRequest> | AsyncIterable<EditRequest>;
  maxInFlight: number;
  signal: AbortSignal | undefined;
  assertOpen: () => void;
  /** Starts one edit of the batch; `signal` is the batch's. */
  start: (request: EditRequest, signal: AbortSignal) => Promise<EditResult>;
}): AsyncIterable<EditOutcome> {
  return {
    [Symbol.asyncIterator]() {
      const batch = new AbortController();
      const forward = (): void => batch.abort(source.signal?.reason);
      if (source.signal?.aborted) forward();
      else source.signal?.addEventListener('abort', forward, { once: true });
      const outcomes = editManyOutcomes({
        requests: source.requests,
        maxInFlight: source.maxInFlight,
        signal: batch.signal,
        assertOpen: source.assertOpen,
        stop: (reason) => batch.abort(reason),
        start: (request) => source.start(request, batch.signal),
      });
      const release = (): void => source.signal?.removeEventListener('abort', forward);
      return {
        async next() {
          const step = await outcomes.next().catch((error: unknown) => {
            release();
            throw error;
          });
          if (step.done) release();
          return step;
        },
        async return() {
          release();
          return outcomes.return(undefined);
        },
      };
    },
  };
}
