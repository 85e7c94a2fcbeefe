import {
  type Cost,
  type EditWarning,
  type GeneratedImage,
  InvalidResponseError,
  roundUsd,
} from '@retouch/core';
import {
  createGeneratedImage,
  type HttpClient,
  mediaTypeForFormat,
  type ProviderJobStatus,
} from '@retouch/core/provider-utils';
import { type OxenCompletedEvent, type OxenGenerationStatus, oxenTimeToEpochMs } from './oxen-api.ts';
import { failedGenerationError } from './oxen-error.ts';
import type { OxenJobContexts } from './oxen-job-contexts.ts';
import { joinJobId, readGenerationCost } from './oxen-queue.ts';

/*
 * One status for a job of several generations, from Oxen's status rows or its completion events:
 * what the dispatcher reads, with the images, the cost and the times of a finished job.
 */

/** One generation's state, from a status row or a completion event. */
export interface GenerationPart {
  generationId: string;
  status: 'queued' | 'processing' | 'succeeded' | 'failed' | 'cancelled';
  url?: string | undefined;
  error?: string | undefined;
  modelId?: string | undefined;
  outputFormat?: string | undefined;
  startedAt?: number | undefined;
  completedAt?: number | undefined;
  raw: unknown;
}

/** A status row as a {@link GenerationPart}. */
export function partFromRow(row: OxenGenerationStatus): GenerationPart {
  return {
    generationId: row.generation_id,
    status: row.status,
    url: row.result_url ?? undefined,
    error: row.error_message ?? undefined,
    modelId: row.model_name ?? undefined,
    outputFormat: typeof row.output_format === 'string' ? row.output_format : undefined,
    startedAt: oxenTimeToEpochMs(row.started_at),
    completedAt: oxenTimeToEpochMs(row.completed_at),
    raw: row,
  };
}

/** A completion event as a {@link GenerationPart}; its start time comes from an earlier status read. */
export function partFromEvent(options: {
  event: OxenCompletedEvent & { status: 'succeeded' | 'failed' };
  startedAt: number | undefined;
}): GenerationPart {
  const { event } = options;
  return {
    generationId: event.generation_id,
    status: event.status,
    url: event.status === 'succeeded' ? (event.url ?? undefined) : undefined,
    error: event.status === 'failed' ? (event.error ?? undefined) : undefined,
    modelId: event.model,
    startedAt: options.startedAt,
    raw: event,
  };
}

/**
 * Folds the generations of one job into one status: running while any runs, succeeded when any image
 * was made (with a warning for the others), failed or cancelled otherwise. A succeeded job's images are
 * built here, with the billed cost read when asked for and the bytes downloaded for `b64_json`, all
 * through `http`.
 */
export async function foldGenerations(options: {
  parts: GenerationPart[];
  contexts: OxenJobContexts;
  /** The provider's `reportCost`, for generations whose context is not remembered. */
  reportCost: boolean;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<ProviderJobStatus> {
  const { parts, contexts } = options;
  const raw = parts.length === 1 ? parts[0]!.raw : parts.map((part) => part.raw);
  if (parts.some((part) => part.status === 'queued' || part.status === 'processing')) {
    return { state: parts.some((part) => part.status === 'processing') ? 'running' : 'queued', raw };
  }
  const succeeded = parts.filter((part) => part.status === 'succeeded');
  const failed = parts.filter((part) => part.status === 'failed');
  const cancelled = parts.filter((part) => part.status === 'cancelled');
  if (succeeded.length === 0) {
    const first = failed[0];
    if (!first) return { state: 'cancelled', raw };
    return {
      state: 'failed',
      error: failedGenerationError({
        generationId: first.generationId,
        providerMessage: first.error,
        modelId: first.modelId ?? contexts.get(first.generationId)?.modelId,
      }),
      raw,
    };
  }
  const warnings: EditWarning[] = [];
  if (failed.length > 0 || cancelled.length > 0) {
    warnings.push({
      type: 'other',
      message: `${failed.length + cancelled.length} of ${parts.length} generations did not produce an image (${[
        ...failed.map((part) => `${part.generationId} failed: ${part.error ?? 'no reason given'}`),
        ...cancelled.map((part) => `${part.generationId} was cancelled`),
      ].join('; ')})`,
    });
  }
  const images = await Promise.all(succeeded.map((part) => imageOf({ ...options, part })));
  const cost = await costOf({ ...options, parts: succeeded, warnings });
  const startedAt = minimum(succeeded.map((part) => part.startedAt));
  const completedAt = maximum(succeeded.map((part) => part.completedAt));
  return {
    state: 'succeeded',
    output: {
      images,
      ...(cost ? { cost } : {}),
      warnings,
      raw,
      jobId: joinJobId(parts.map((part) => part.generationId)),
      ...(startedAt !== undefined ? { startedAt } : {}),
      ...(completedAt !== undefined ? { completedAt } : {}),
    },
  };
}

async function imageOf(options: {
  part: GenerationPart;
  contexts: OxenJobContexts;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<GeneratedImage> {
  const { part, http } = options;
  if (!part.url) {
    throw new InvalidResponseError({
      message: `oxen: generation ${part.generationId} succeeded without a result URL`,
      provider: 'oxen',
      path: 'result_url',
    });
  }
  const context = options.contexts.get(part.generationId);
  if (context?.responseFormat === 'b64_json') {
    const downloaded = await http.download(part.url, { signal: options.signal });
    return createGeneratedImage({
      provider: 'oxen',
      bytes: downloaded.bytes,
    });
  }
  const mediaType = mediaTypeOf(part.url, context?.outputFormat ?? part.outputFormat);
  return createGeneratedImage({ provider: 'oxen', url: part.url, ...(mediaType ? { mediaType } : {}), http });
}

async function costOf(options: {
  parts: GenerationPart[];
  warnings: EditWarning[];
  contexts: OxenJobContexts;
  reportCost: boolean;
  http: HttpClient;
  signal: AbortSignal;
}): Promise<Cost | undefined> {
  const { parts, warnings, signal } = options;
  const contexts = parts.map((part) => options.contexts.get(part.generationId));
  const estimates = contexts.map((context) => context?.costPerImage);
  const estimated: Cost | undefined = estimates.every((estimate) => estimate !== undefined)
    ? {
        usd: roundUsd(estimates.reduce((total, estimate) => total + estimate!.usd, 0)),
        source: 'estimated',
      }
    : undefined;
  const report = contexts.some((context) => context?.reportCost) || options.reportCost;
  if (!report) return estimated;
  const fallback = estimated ? '; the cost is estimated from published prices' : '';
  try {
    const costs = await Promise.all(
      parts.map((part) =>
        readGenerationCost({ http: options.http, generationId: part.generationId, signal }),
      ),
    );
    if (costs.every((cost) => cost !== undefined)) {
      return { usd: roundUsd(costs.reduce((total, cost) => total + cost!, 0)), source: 'reported' };
    }
    warnings.push({
      type: 'other',
      message: `Oxen has not reported the cost of every generation yet${fallback}`,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    warnings.push({
      type: 'other',
      message: `the billed cost could not be read (${error instanceof Error ? error.message : String(error)})${fallback}`,
    });
  }
  return estimated;
}

/**
 * The media type of a result: the file name's extension when the URL has one (it names what Oxen
 * stored), else the output format asked for or the model's default.
 */
export function mediaTypeOf(url: string | undefined, outputFormat: string | undefined): string | undefined {
  const parsed = url === undefined ? null : URL.parse(url);
  if (parsed !== null && /\.(png|jpe?g|webp|gif)$/i.test(parsed.pathname)) {
    return undefined;
  }
  return mediaTypeForFormat(outputFormat);
}

function minimum(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length > 0 ? Math.min(...present) : undefined;
}

function maximum(values: (number | undefined)[]): number | undefined {
  const present = values.filter((value): value is number => value !== undefined);
  return present.length > 0 ? Math.max(...present) : undefined;
}
