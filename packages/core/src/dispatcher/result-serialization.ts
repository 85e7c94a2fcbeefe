import type { EditResult, EditWarning, GeneratedImage } from '../edit-result.ts';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { createGeneratedImage } from '../generated-image.ts';
import type { HttpClient } from '../http/http-client.ts';
import type { SerializedEditResult } from '../schemas/edit-result-schema.ts';
import { redactValue } from '../secrets.ts';

/** The result as JSON, without image bytes. */
export function serializeResult(result: EditResult): SerializedEditResult {
  return {
    images: result.images.map((image) => ({
      ...(image.url !== undefined ? { url: image.url } : {}),
      mediaType: image.mediaType,
    })),
    provider: result.provider,
    model: result.model,
    ...(result.cost ? { cost: result.cost } : {}),
    warnings: result.warnings,
    timings: result.timings,
    ...(result.jobId !== undefined ? { jobId: result.jobId } : {}),
    ...(result.upstreamProvider !== undefined ? { upstreamProvider: result.upstreamProvider } : {}),
    ...(result.usage !== undefined ? { usage: result.usage } : {}),
    ...(result.attempts !== undefined ? { attempts: result.attempts } : {}),
    raw: redactValue(result.raw),
  };
}

/**
 * Rebuilds a result from a snapshot. URL images download through `http` (a client that holds no key);
 * inline images were not kept, and their `bytes()` says so.
 */
export function deserializeResult(
  serialized: SerializedEditResult,
  options: { http: () => HttpClient },
): EditResult {
  const http = options.http;
  const provider = serialized.provider;
  const images = serialized.images.map((image): GeneratedImage => {
    if (image.url !== undefined) {
      return createGeneratedImage({ provider, url: image.url, mediaType: image.mediaType, http: http() });
    }
    if (image.base64 !== undefined) {
      return createGeneratedImage({ provider, base64: image.base64, mediaType: image.mediaType });
    }
    return {
      mediaType: image.mediaType,
      bytes: () =>
        Promise.reject(
          new InvalidResponseError({
            message: `${provider}: this image was returned inline and job snapshots keep no image bytes; save the images when the job succeeds`,
            provider,
          }),
        ),
    };
  });
  return {
    images,
    provider,
    model: serialized.model,
    ...(serialized.cost ? { cost: serialized.cost } : {}),
    warnings: serialized.warnings as EditWarning[],
    timings: serialized.timings,
    ...(serialized.jobId !== undefined ? { jobId: serialized.jobId } : {}),
    ...(serialized.upstreamProvider !== undefined ? { upstreamProvider: serialized.upstreamProvider } : {}),
    ...(serialized.usage !== undefined ? { usage: serialized.usage } : {}),
    ...(serialized.attempts !== undefined ? { attempts: serialized.attempts } : {}),
    raw: serialized.raw,
  };
}

/** The name and message of an error, secrets removed. */
export function summarizeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}
