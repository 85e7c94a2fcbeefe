import { decodeBase64, encodeBase64 } from './base64.ts';
import type { GeneratedImage } from './edit-result.ts';
import { InvalidResponseError } from './errors/invalid-response-error.ts';
import type { HttpClient } from './http/http-client.ts';
import { sniffImageMediaType } from './media-type.ts';
import { abortable } from './timers.ts';

/** Options of {@link createGeneratedImage}. */
export interface GeneratedImageOptions {
  /** Provider id, for errors. */
  provider: string;
  /** Where the provider serves the image. */
  url?: string;
  /** The image inline, base64-encoded. */
  base64?: string;
  /** The image inline, as bytes (checked like `base64`). */
  bytes?: Uint8Array;
  /** The media type if known from the response (`output_format`); otherwise sniffed or guessed. */
  mediaType?: string;
  /** The provider's HTTP client, used to download `url` (it decides whether the key may be sent). */
  http?: HttpClient;
  /** Largest download accepted, in bytes. */
  maxBytes?: number;
}

/**
 * Builds a {@link GeneratedImage} for an adapter's result. A `base64` payload is checked to be an
 * image up front (a hostile or broken provider cannot hand the user non-image bytes); `bytes()`
 * downloads a URL once and caches it.
 */
export function createGeneratedImage(options: GeneratedImageOptions): GeneratedImage {
  let decoded: Uint8Array | undefined;
  let mediaType = options.mediaType;
  if (options.base64 !== undefined || options.bytes !== undefined) {
    try {
      decoded = options.bytes ?? decodeBase64(options.base64!);
    } catch {
      decoded = new Uint8Array();
    }
    const sniffed = sniffImageMediaType(decoded);
    if (!sniffed) {
      throw new InvalidResponseError({
        message: `${options.provider}: an output image's b64_json does not decode to a PNG, JPEG, WebP or GIF image`,
        provider: options.provider,
        path: 'b64_json',
        excerpt: options.base64?.slice(0, 40) ?? '(bytes)',
      });
    }
    mediaType = sniffed;
  }
  mediaType ??= guessMediaType(options.url) ?? 'image/png';
  let pending: Promise<Uint8Array> | undefined;
  const image: GeneratedImage & { toJSON(): unknown } = {
    ...(options.url !== undefined ? { url: options.url } : {}),
    // The result carries inline images as base64 (what it serializes and what users read).
    ...(options.base64 !== undefined
      ? { base64: options.base64 }
      : options.bytes !== undefined
        ? { base64: encodeBase64(options.bytes) }
        : {}),
    mediaType,
    bytes(bytesOptions = {}) {
      if (decoded) return Promise.resolve(decoded);
      const { signal } = bytesOptions;
      if (signal?.aborted) return Promise.reject(signal.reason);
      // One download serves every caller: the signal of the call that starts it stops it, and each
      // caller's own signal ends that caller's wait.
      if (!pending) {
        const forget = (): void => {
          if (pending === started) pending = undefined;
        };
        const started: Promise<Uint8Array> = download(signal).catch((error: unknown) => {
          forget();
          throw error;
        });
        pending = started;
        if (signal) {
          // Forgotten at once, not when the aborted download has unwound: a call right after starts afresh.
          signal.addEventListener('abort', forget, { once: true });
          started.then(
            () => signal.removeEventListener('abort', forget),
            () => signal.removeEventListener('abort', forget),
          );
        }
      }
      return signal ? abortable(pending, signal) : pending;
    },
    toJSON() {
      return {
        ...(image.url !== undefined ? { url: image.url } : {}),
        ...(image.base64 !== undefined ? { base64: image.base64 } : {}),
        mediaType: image.mediaType,
      };
    },
  };
  async function download(signal: AbortSignal | undefined): Promise<Uint8Array> {
    if (!options.url || !options.http) {
      throw new InvalidResponseError({
        message: `${options.provider}: the output image has neither bytes nor a URL`,
        provider: options.provider,
      });
    }
    const body = await options.http.download(options.url, {
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      ...(signal ? { signal } : {}),
    });
    if (!sniffImageMediaType(body.bytes)) {
      throw new InvalidResponseError({
        message: `${options.provider}: the result URL did not serve an image`,
        provider: options.provider,
        url: options.url,
      });
    }
    return body.bytes;
  }
  return image;
}

function guessMediaType(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url, 'http://x')) return undefined;
  // An unparsable URL is reported by bytes() as an InvalidResponseError, not thrown here as a TypeError.
  const match = /\.(png|jpe?g|webp|gif)(?:$|[?#])/i.exec(new URL(url, 'http://x').pathname);
  if (!match) return undefined;
  const extension = match[1]!.toLowerCase();
  return extension === 'jpg' || extension === 'jpeg' ? 'image/jpeg' : `image/${extension}`;
}
