import {
  ApiCallError,
  GenerationFailedError,
  InsufficientCreditsError,
  type RetouchError,
} from '@retouch/core';
import type { ProviderErrorInfo } from '@retouch/core/provider-utils';

const MODEL_NOT_FOUND = /model not found/i;
const INPUT_NOT_DOWNLOADABLE = /403 Client Error|Forbidden for url|Client Error: .* for url/i;
const INSUFFICIENT_CREDITS = /insufficient (credits|funds|balance)/i;

/**
 * Reads both Oxen error bodies:
 * `{"error":{"type":"invalid_params","title":"...","detail":"..."},"status":"error","status_message":"invalid_params"}`
 * and `{"error":{"message":"Model not found: bad-model-name"}}`. The message gains the fix where
 * Oxen's own text does not say it.
 */
export function parseOxenErrorBody(status: number, body: unknown): ProviderErrorInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  let message: string | undefined;
  let code: string | undefined;
  if (typeof error === 'string') {
    message = error;
  } else if (typeof error === 'object' && error !== null) {
    const inner = error as Record<string, unknown>;
    const parts = [inner.title, inner.detail, inner.message].filter(
      (part): part is string => typeof part === 'string' && part.trim() !== '',
    );
    // Oxen often repeats the title inside the detail; saying it once reads better.
    const unique = parts.filter((part, index) => !parts.slice(0, index).some((earlier) => earlier === part));
    message = unique.length > 0 ? unique.join(': ') : undefined;
    if (typeof inner.type === 'string') code = inner.type;
  }
  if (code === undefined && typeof record.status_message === 'string' && record.status === 'error') {
    code = record.status_message;
  }
  if (message === undefined && typeof record.message === 'string') message = record.message;
  if (message === undefined && code === undefined) return undefined;

  const info: ProviderErrorInfo = {};
  if (code !== undefined) info.code = code;
  if (code === 'unauthenticated' || status === 401) info.kind = 'authentication';
  if (status === 429) info.kind = 'rate-limit';
  if (message !== undefined && INSUFFICIENT_CREDITS.test(message)) info.kind = 'insufficient-credits';
  if (message !== undefined && MODEL_NOT_FOUND.test(message)) {
    info.code ??= 'model_not_found';
    message = `${message}. Call listModels() on the Oxen provider for the edit models it serves`;
  }
  if (message !== undefined) info.message = message;
  return info;
}

/**
 * Sharpens an error from a billable call. Oxen reports an input URL it could not download as a
 * request failure (`403 Client Error: Forbidden for url: ...`), whatever status it uses: that is
 * the caller's input, not the key's permissions and not a transient fault, so it becomes a
 * non-retryable `ApiCallError` that says how to fix it.
 */
export function refineOxenError(error: unknown): unknown {
  if (!ApiCallError.isInstance(error) || error.statusCode === undefined) return error;
  const text = describeBody(error.responseBody) ?? '';
  if (!INPUT_NOT_DOWNLOADABLE.test(text)) return error;
  return new ApiCallError({
    message: `oxen: Oxen could not download an input image (${text}). input_image URLs must be publicly downloadable without authentication or bot protection; use a public URL, or pass the image bytes or { path } to send it inline.`,
    provider: error.provider,
    url: error.url,
    method: error.method,
    statusCode: error.statusCode,
    isRetryable: false,
    provablyNotProcessed: false,
    ...(error.requestId ? { requestId: error.requestId } : {}),
    responseBody: error.responseBody,
    code: 'input_image_not_downloadable',
    cause: error,
  });
}

/**
 * The error of a generation Oxen ran and reported as failed (`error_message` on the queue row, or
 * `error` on the completion event). `Insufficient credits` is its own type: retrying cannot help.
 */
export function failedGenerationError(options: {
  generationId: string;
  providerMessage: string | undefined;
  modelId?: string | undefined;
}): RetouchError {
  const reason = options.providerMessage?.trim() || 'no reason given';
  const model = options.modelId ? ` (${options.modelId})` : '';
  if (INSUFFICIENT_CREDITS.test(reason)) {
    return new InsufficientCreditsError({
      message: `oxen: generation ${options.generationId}${model} failed: ${reason}. Add credits to the Oxen account (or the target namespace) and submit again.`,
      provider: 'oxen',
    });
  }
  const hint = INPUT_NOT_DOWNLOADABLE.test(reason)
    ? ' Oxen could not download an input image: input_image URLs must be publicly downloadable; use a public URL or pass the image bytes.'
    : MODEL_NOT_FOUND.test(reason)
      ? ' Call listModels() on the Oxen provider for the edit models it serves.'
      : '';
  return new GenerationFailedError({
    message: `oxen: generation ${options.generationId}${model} failed: ${reason}.${hint}`,
    provider: 'oxen',
    jobId: options.generationId,
    providerMessage: reason,
  });
}

function describeBody(body: unknown): string | undefined {
  if (typeof body === 'string') return body;
  if (typeof body !== 'object' || body === null) return undefined;
  const info = parseOxenErrorBody(0, body);
  return info?.message;
}
