import { InvalidRequestError, roundUsd } from '@retouch/core';
import type { HttpClient } from '@retouch/core/provider-utils';
import type { OxenJobStatus, OxenListedGeneration } from './oxen-api.ts';
import { costUsdOf, listGenerationHistory } from './oxen-records.ts';

/** One generation as Oxen recorded and billed it. */
export interface OxenBilledGeneration {
  /** Oxen's `generation_id`. */
  readonly generationId: string;
  /** The model that ran it, e.g. `qwen-image-edit`. */
  readonly model: string | undefined;
  /** The prompt the request sent, as Oxen echoes it. */
  readonly prompt: string | undefined;
  /** `queued`, `processing`, `succeeded`, `failed` or `cancelled`. */
  readonly status: OxenJobStatus;
  /** What Oxen charged for it, in USD; `undefined` while it runs or when Oxen reports no cost. */
  readonly costUsd: number | undefined;
  /** When Oxen took the request (its `enqueued_at`, whole seconds). */
  readonly createdAt: Date;
  /** Its outputs' URLs (temporary, signed): one for a succeeded image generation, none otherwise. */
  readonly outputUrls: readonly string[];
}

/** Options of `listBilledGenerations`. */
export interface OxenBilledGenerationsOptions {
  /** The start of the range, inclusive: generations Oxen took at or after it. */
  from: Date | number;
  /** The end of the range, inclusive. @default now */
  to?: Date | number;
  /** Only the generations of this model (Oxen's name, without `oxen:`). */
  model?: string;
  /** Stops the reads. */
  signal?: AbortSignal;
}

/** What Oxen billed over a time range. */
export interface OxenBilledGenerations {
  /** Every generation taken in the range, newest first. */
  readonly generations: readonly OxenBilledGeneration[];
  /** The sum of their costs, in USD. */
  readonly totalUsd: number;
}

/**
 * Reads every page of Oxen's generation history (`GET /api/ai/generations`) back to `from` and keeps
 * the generations taken within the range.
 */
export async function listBilledGenerations(options: {
  http: HttpClient;
  range: OxenBilledGenerationsOptions;
}): Promise<OxenBilledGenerations> {
  const { range } = options;
  const from = Math.floor(epochMs({ time: range.from, field: 'from' }) / 1000);
  const to =
    range.to === undefined
      ? Number.POSITIVE_INFINITY
      : Math.floor(epochMs({ time: range.to, field: 'to' }) / 1000);
  const { rows } = await listGenerationHistory({
    http: options.http,
    model: range.model,
    since: from,
    signal: range.signal,
  });
  const generations = rows.filter((row) => row.enqueued_at <= to).map(billedGeneration);
  const totalUsd = roundUsd(generations.reduce((sum, generation) => sum + (generation.costUsd ?? 0), 0));
  return { generations, totalUsd };
}

function billedGeneration(row: OxenListedGeneration): OxenBilledGeneration {
  return {
    generationId: row.generation_id,
    model: row.model_name ?? undefined,
    prompt: typeof row.prompt === 'string' ? row.prompt : undefined,
    status: row.status,
    costUsd: costUsdOf(row.cost),
    createdAt: new Date(row.enqueued_at * 1000),
    outputUrls: row.status === 'succeeded' && typeof row.result_url === 'string' ? [row.result_url] : [],
  };
}

/** A range bound as epoch milliseconds; refuses anything else before a request is made. */
function epochMs(options: { time: unknown; field: 'from' | 'to' }): number {
  const { time } = options;
  const ms = time instanceof Date ? time.getTime() : time;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new InvalidRequestError({
      issues: [
        {
          path: options.field,
          message: `${options.field} must be a valid Date or epoch milliseconds, e.g. new Date('2026-12-01T00:00:00Z')`,
        },
      ],
    });
  }
  return ms;
}
