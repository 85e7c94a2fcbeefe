import {
  ApiCallError,
  AuthenticationError,
  InvalidResponseError,
  RateLimitError,
  TimeoutError,
} from '@retouch/core';
import type { HttpClient } from '@retouch/core/provider-utils';
import type { OxenListedGeneration } from './oxen-api.ts';
import { listActiveGenerations, listGenerationHistory } from './oxen-records.ts';

/*
 * Finding a generation again after its billable request got no usable answer: a connection reset
 * after the body was sent, a timeout, a 5xx, or a malformed answer to a request Oxen accepted. Oxen
 * keeps its own records (`GET /api/ai/queue` for active rows, `GET /api/ai/generations` for the
 * history, each row carrying the request's parameters), so the generation is looked up there rather
 * than given up as possibly billed, or sent again and billed twice.
 *
 * A row matches on its model, its prompt, the other parameters it echoes and its enqueue time, which
 * must fall between the moment the request left (less {@link CLOCK_SKEW_SECONDS}) and now (plus the
 * same). The match must be unambiguous: exactly as many rows as the request makes, none the provider
 * already accounts for (`OxenClaims`), no identical request of the provider still unanswered, and no
 * row of the model in that window whose prompt is not shown. Anything else fails as possibly billed,
 * saying why.
 * Sync-mode edits are assumed to be listed among the generations like queued ones: the published
 * spec does not say, and a live test (`pnpm test:live`) checks it.
 */

/** How far Oxen's clock may be from this machine's; its times are whole seconds. */
export const CLOCK_SKEW_SECONDS = 10;
/** History pages read for a lost request: it is at most seconds old, and the history is newest first. */
const MAX_HISTORY_PAGES = 10;
/** Parameters not compared: Oxen may store an input image and echo its own URL for it. */
const NOT_COMPARED = new Set(['model', 'num_generations', 'prompt', 'input_image', 'mask_url']);

/**
 * Whether a billable request's failure leaves open that Oxen accepted it: anything but a refusal
 * Oxen answered before doing the work, a request never sent, or the caller's own abort.
 */
export function isAmbiguousSend(options: { error: unknown; signal: AbortSignal }): boolean {
  const { error } = options;
  if (options.signal.aborted) return false;
  if (InvalidResponseError.isInstance(error)) return true;
  if (TimeoutError.isInstance(error)) return error.stage === 'request';
  if (RateLimitError.isInstance(error) || AuthenticationError.isInstance(error)) return false;
  if (!ApiCallError.isInstance(error)) return false;
  if (error.provablyNotProcessed || error.code === 'input_image_not_downloadable') return false;
  const status = error.statusCode;
  return status === undefined || status >= 500 || status === 408 || status === 409;
}

/** A billable request whose answer was lost. */
export interface LostRequest {
  /** The body as sent. */
  body: Readonly<Record<string, unknown>>;
  /** How many generations it makes. */
  count: number;
  /** When it was handed to the client (epoch ms), before any wait in the lane. */
  sentAt: number;
}

/**
 * The rows a lost request made, or why they cannot be told apart from others; `none` when the
 * records were read whole and hold nothing that could be the request.
 */
export type LostRequestSearch = { found: OxenListedGeneration[] } | { reason: string; none?: true };

/**
 * Looks a lost request's generations up in Oxen's records. `exclude` names rows already accounted
 * for (generations this process enqueued, or another output of the same call).
 */
export async function findLostGenerations(options: {
  http: HttpClient;
  lost: LostRequest;
  exclude: (row: OxenListedGeneration) => boolean;
  signal: AbortSignal;
}): Promise<LostRequestSearch> {
  const { lost } = options;
  const model = String(lost.body.model);
  const from = Math.floor(lost.sentAt / 1000) - CLOCK_SKEW_SECONDS;
  const to = Math.ceil(Date.now() / 1000) + CLOCK_SKEW_SECONDS;
  const [active, history] = await Promise.all([
    listActiveGenerations({ http: options.http, model, signal: options.signal }),
    listGenerationHistory({
      http: options.http,
      model,
      since: from,
      maxPages: MAX_HISTORY_PAGES,
      signal: options.signal,
    }),
  ]);
  // The history's row of a generation says more (its cost, the parameters) than the queue's.
  const rows = new Map<string, OxenListedGeneration>();
  for (const row of [...active, ...history.rows]) {
    rows.set(row.generation_id, { ...rows.get(row.generation_id), ...row });
  }
  const inWindow = [...rows.values()].filter(
    (row) =>
      row.enqueued_at >= from &&
      row.enqueued_at <= to &&
      (row.model_name == null || row.model_name === model) &&
      !options.exclude(row),
  );
  const unknownPrompt = inWindow.filter((row) => typeof row.prompt !== 'string');
  const matches = inWindow.filter((row) => row.prompt === lost.body.prompt && sameParameters(row, lost.body));
  if (matches.length === lost.count && unknownPrompt.length === 0) return { found: matches };
  const window = `enqueued between ${isoOf(from)} and ${isoOf(to)}`;
  const wanted = `${lost.count} generation${lost.count === 1 ? '' : 's'}`;
  if (unknownPrompt.length > 0) {
    return {
      reason: `Oxen lists ${unknownPrompt.length} generation${unknownPrompt.length === 1 ? '' : 's'} of ${model} ${window} without its prompt, so this request's cannot be told apart`,
    };
  }
  if (matches.length > lost.count) {
    return {
      reason: `Oxen lists ${matches.length} generations of ${model} with this prompt ${window} where this request made ${lost.count}, so which are this request's cannot be told`,
    };
  }
  const cut = history.complete
    ? ''
    : ` (only the newest ${MAX_HISTORY_PAGES} pages of its history were read)`;
  return {
    ...(matches.length === 0 && history.complete ? { none: true as const } : {}),
    reason:
      matches.length === 0
        ? `Oxen's records hold no generation of ${model} with this prompt ${window}${cut}`
        : `Oxen's records hold ${matches.length} of the ${wanted} of ${model} with this prompt ${window}${cut}`,
  };
}

/** Whether a row's echoed parameters agree with the request's (a parameter it does not echo agrees). */
function sameParameters(row: OxenListedGeneration, body: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(body).every(
    ([key, value]) =>
      NOT_COMPARED.has(key) || !(key in row) || JSON.stringify(row[key]) === JSON.stringify(value),
  );
}

function isoOf(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The error of a lost request that could not be found again: the same error (its class and fields,
 * so the dispatcher still counts it as possibly billed), with the reason added to its message.
 */
export function notRecovered<E>(error: E, options: { reason: string }): E {
  if (!(error instanceof Error)) return error;
  const message = `${error.message} (not found again in Oxen's records: ${options.reason}; it may have been billed)`;
  const copy = Object.create(Object.getPrototypeOf(error), Object.getOwnPropertyDescriptors(error)) as Error;
  Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
  return copy as E;
}

/**
 * The rows of a lost request, or the original error, noted with why it was not found, when the
 * records do not single them out or cannot be read.
 */
export async function recoverLostRequest(options: {
  http: HttpClient;
  error: unknown;
  lost: LostRequest;
  exclude: (row: OxenListedGeneration) => boolean;
  /** Identical requests of this client still waiting for their answer: their rows look the same. */
  othersInFlight: number;
  signal: AbortSignal;
}): Promise<OxenListedGeneration[]> {
  if (options.othersInFlight > 0) {
    throw notRecovered(options.error, {
      reason: `${options.othersInFlight} identical request${options.othersInFlight === 1 ? ' is' : 's are'} still waiting for an answer, so this request's generation cannot be told apart`,
    });
  }
  let search: LostRequestSearch;
  try {
    search = await findLostGenerations(options);
  } catch (readError) {
    if (options.signal.aborted) throw options.error;
    const detail = readError instanceof Error ? readError.message : String(readError);
    throw notRecovered(options.error, { reason: `they could not be read (${detail})` });
  }
  if ('reason' in search) throw notRecovered(options.error, { reason: search.reason });
  return search.found;
}

/** The warning of a result resumed from Oxen's records after its answer was lost. */
export function recoveredWarning(options: { error: unknown; generationIds: readonly string[] }): {
  type: 'other';
  message: string;
} {
  const cause = options.error instanceof Error ? options.error.message : String(options.error);
  const ids = options.generationIds.join(', ');
  return {
    type: 'other',
    message: `Oxen's answer was lost (${cause}); the generation${options.generationIds.length === 1 ? '' : 's'} it made (${ids}) ${options.generationIds.length === 1 ? 'was' : 'were'} found in Oxen's records and resumed, not sent again`,
  };
}
