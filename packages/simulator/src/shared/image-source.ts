import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FileStore } from './file-store.ts';
import type { ImageSource } from './image-transform.ts';
import type { MultipartFile } from './multipart.ts';

/**
 * What the simulator does with an input URL on a host other than this machine. Tests have no network, and
 * the seeds' examples use URLs such as `https://example.com/my-photo.jpg`, so by default such a URL stands
 * for a picture generated from the URL itself.
 * - `generate`: do not download; derive a picture from the URL (default).
 * - `forbid`: fail as an unreachable URL does (Oxen: `403 Client Error: Forbidden for url: ...`).
 * - `fetch`: really download it.
 * URLs on 127.0.0.1, localhost or ::1 are always downloaded.
 */
export type RemoteImagePolicy = 'generate' | 'forbid' | 'fetch';

/** An input image that could not be obtained; `message` is worded like the providers' own. */
export class ImageDownloadError extends Error {
  readonly url: string;
  constructor(options: { message: string; url: string }) {
    super(options.message);
    this.name = 'ImageDownloadError';
    this.url = options.url;
  }
}

/** Inputs above this size are hashed rather than kept, to bound the simulator's memory. */
export const retainedImageBytes = 16 * 1024 * 1024;

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether a URL points at this machine. */
export function isLoopbackUrl(url: URL): boolean {
  return loopbackHosts.has(url.hostname);
}

function requestsStyleError(options: { status: number; url: string }): string {
  const side = options.status >= 500 ? 'Server Error' : 'Client Error';
  return `${options.status} ${side}: ${STATUS_CODES[options.status] ?? 'Error'} for url: ${options.url}`;
}

/** Reads the bytes behind a `data:` URL, or `undefined` when it is not one. */
export function decodeDataUrl(value: string): { bytes: Buffer; mediaType: string } | undefined {
  const match = /^data:([^;,]*)((?:;[^;,]*)*?)(;base64)?,(.*)$/s.exec(value);
  if (match === null) return undefined;
  const payload = match[4] ?? '';
  const bytes = match[3]
    ? Buffer.from(payload, 'base64')
    : Buffer.from(decodeURIComponent(payload), 'latin1');
  return { bytes, mediaType: match[1] || 'text/plain' };
}

/** Turns bytes into an {@link ImageSource}. */
export function imageSourceFromBytes(bytes: Uint8Array): ImageSource {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return bytes.length <= retainedImageBytes ? { bytes, sha256 } : { sha256 };
}

/** Turns an uploaded file part into an {@link ImageSource}: its bytes when the parser kept them. */
export function imageSourceFromFile(file: MultipartFile): ImageSource {
  return file.bytes === undefined ? { sha256: file.sha256 } : { bytes: file.bytes, sha256: file.sha256 };
}

async function download(url: string): Promise<ImageSource> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'follow' });
  } catch {
    // An unreachable host reads, through Oxen, as the documented "Forbidden" download failure.
    throw new ImageDownloadError({ message: requestsStyleError({ status: 403, url }), url });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new ImageDownloadError({ message: requestsStyleError({ status: response.status, url }), url });
  }
  const hash = createHash('sha256');
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    hash.update(chunk);
    size += chunk.length;
    if (size <= retainedImageBytes) chunks.push(chunk);
  }
  const sha256 = hash.digest('hex');
  return size <= retainedImageBytes ? { bytes: Buffer.concat(chunks), sha256 } : { sha256 };
}

/** Options of {@link loadImageReference}. */
export interface LoadImageReferenceOptions {
  /** A URL (`https:`, `http:` on this machine, or `data:`). */
  reference: string;
  fileStore: FileStore;
  remoteImages: RemoteImagePolicy;
}

/** Obtains the picture behind an input reference. */
export async function loadImageReference(options: LoadImageReferenceOptions): Promise<ImageSource> {
  const { reference } = options;
  const data = decodeDataUrl(reference);
  if (data !== undefined) return imageSourceFromBytes(data.bytes);
  let url: URL;
  try {
    url = new URL(reference);
  } catch {
    throw new ImageDownloadError({
      message: `Invalid URL '${reference}': No scheme supplied`,
      url: reference,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ImageDownloadError({
      message: `No connection adapters were found for '${reference}'`,
      url: reference,
    });
  }
  if (options.fileStore.baseUrl !== '' && reference.startsWith(`${options.fileStore.baseUrl}/files/`)) {
    const bytes = options.fileStore.bytesForUrl(url);
    if (bytes === undefined) {
      throw new ImageDownloadError({
        message: requestsStyleError({ status: 403, url: reference }),
        url: reference,
      });
    }
    return imageSourceFromBytes(bytes);
  }
  if (isLoopbackUrl(url) || options.remoteImages === 'fetch') return download(reference);
  if (options.remoteImages === 'forbid') {
    throw new ImageDownloadError({
      message: requestsStyleError({ status: 403, url: reference }),
      url: reference,
    });
  }
  return { sha256: createHash('sha256').update(reference).digest('hex') };
}
