import type { Cost, EditJobStatus, EditTimings, EditWarning, FailedAttempt } from '@retouch/core';
import type { OutputLocation } from './output-sink.ts';

/** One output of a queued edit, stored by the worker's output sink. */
export type QueuedEditImage = OutputLocation & {
  /** Its media type, e.g. `image/png`. */
  mediaType: string;
  /** Its size in bytes. */
  bytes: number;
};

/**
 * What a queued edit returns: the result without image bytes (where the sink put each image instead),
 * its cost, timings and warnings. It is the BullMQ job's return value, so it is plain JSON.
 *
 * @example
 * const result: QueuedEditResult = await edit.result();
 * for (const image of result.images) console.log('path' in image ? image.path : image.url);
 */
export interface QueuedEditResult {
  /** The queued job's id. */
  jobId: string;
  /** Where each output image was stored. */
  images: QueuedEditImage[];
  /** The provider that ran the edit. */
  provider: string;
  /** The `provider:model` that ran it (a fallback model when the first failed). */
  model: string;
  /** What it cost: reported by the provider, else estimated from its prices. */
  cost?: Cost;
  /** Options the model dropped or adjusted, and other advice. */
  warnings: EditWarning[];
  /** How long it took, from the moment the worker took it. */
  timings: EditTimings;
  /** The provider's job id, when it ran as a provider job. */
  providerJobId?: string;
  /** The provider behind an aggregator, when reported. */
  upstreamProvider?: string;
  /** Models that failed before the one that succeeded. */
  attempts?: FailedAttempt[];
  /** True when a worker re-attached to a provider job started by a worker that stopped. */
  resumed: boolean;
  /** The id of the worker that finished it. */
  worker: string;
}

/**
 * The progress of a queued edit, as its worker reports it (BullMQ's job progress, and the
 * `progress` events of {@link EditQueue.events}).
 *
 * @example
 * if (progress.type === 'status' && progress.providerJobId) console.log(`accepted as ${progress.providerJobId}`);
 */
export interface QueuedEditProgress {
  /**
   * `queued` (waiting in the provider's lane), `started` (being sent), `status` (the provider queued
   * or started it), `retrying`, `resumed` (a worker re-attached to it after another stopped), `saving`
   * (the outputs are being stored).
   */
  type: 'queued' | 'started' | 'status' | 'retrying' | 'resumed' | 'saving';
  /** The `provider:model` concerned. */
  model: string;
  /** The job's status, for `status`. */
  status?: EditJobStatus;
  /** The provider's job id, once known. */
  providerJobId?: string;
  /** The attempt number, for `started` and `retrying`. */
  attempt?: number;
  /** How long until the next attempt, for `retrying`. */
  delayMs?: number;
  /** Why, in words. */
  reason?: string;
  /** When, in epoch milliseconds. */
  at: number;
}

/** A job's return value as BullMQ hands it back: the worker's result, as JSON text or already parsed. */
export function readQueuedEditResult(value: unknown): QueuedEditResult {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as QueuedEditResult;
    } catch {
      // not JSON: returned as is below
    }
  }
  return value as QueuedEditResult;
}
