import { ApiCallError, type ApiCallErrorOptions, type EditWarning } from '@retouch/core';
import {
  extensionFor,
  type HttpClient,
  imageContentHash,
  imageFileName,
  imageToBlob,
  isLocalImage,
  type NormalizedImage,
  sha256Hex,
} from '@retouch/core/provider-utils';
import { EDENAI_PATHS, loadWire } from './edenai-api.ts';
import type { EdenAITransport, EdenAIUploadMode } from './edenai-edit-options.ts';

/**
 * Uploads to Eden AI: when a local input is uploaded with `POST /v3/upload` rather than sent inline
 * ({@link routeInputs}), and the cache that keeps one upload per content and account.
 */

/** In `upload: 'auto'`, smaller inputs are cheaper to send inline than to upload with an extra request. */
export const AUTO_UPLOAD_MIN_BYTES = 256 * 1024;

/** The largest file `POST /v3/upload` takes ("100 MB", read as the smaller decimal megabytes). */
export const MAX_UPLOAD_BYTES = 100_000_000;

/** How long Eden keeps a file Retouch uploads: edits use it within minutes, so a day is plenty. */
export const UPLOAD_EXPIRES_IN_DAYS = 1;

/** A cached file is not used this close to its `expires_at`: an edit started now must still find it. */
const EXPIRY_MARGIN_MS = 10 * 60 * 1000;

/** Contents remembered per account, so a long-running process does not grow without bound. */
const MAX_REMEMBERED = 10_000;

/** Drops the oldest entries (insertion order) beyond the limit. */
function prune(collection: Map<string, unknown> | Set<string>): void {
  for (const key of collection.keys()) {
    if (collection.size <= MAX_REMEMBERED) return;
    collection.delete(key);
  }
}

/** A file on Eden AI, as an edit references it. */
export interface UploadedFile {
  fileId: string;
  /** Epoch milliseconds after which Eden deletes the file. */
  expiresAt: number;
}

interface CacheEntry {
  promise: Promise<UploadedFile>;
  /** Set once the upload finished. */
  file?: UploadedFile;
  /** Callers still waiting; the upload is aborted when every one of them gave up. */
  waiters: number;
  controller: AbortController;
}

/**
 * Uploads of one Eden account (API key) on one API host, keyed by the SHA-256 of the content, so a
 * picture sent to ten models is uploaded once. Concurrent requests for the same content share one
 * upload in flight; an entry is dropped when the upload fails, when its file nears `expires_at`, or
 * when Eden rejects an edit that referenced it.
 */
export class EdenAIUploadCache {
  readonly #entries = new Map<string, CacheEntry>();
  /** Content sent inline (multipart or `data:` URL) at least once: a second use is worth an upload. */
  readonly #sentInline = new Set<string>();

  /** Whether this content is uploaded (and not near expiry) or being uploaded. */
  has(contentHash: string, now: number = Date.now()): boolean {
    const entry = this.#entries.get(contentHash);
    if (!entry) return false;
    if (entry.file && entry.file.expiresAt - EXPIRY_MARGIN_MS <= now) {
      this.#entries.delete(contentHash);
      return false;
    }
    return true;
  }

  /** Records that this content went to Eden inline. */
  markSentInline(contentHash: string): void {
    this.#sentInline.delete(contentHash);
    this.#sentInline.add(contentHash);
    prune(this.#sentInline);
  }

  /** Whether this content already went to Eden inline. */
  wasSentInline(contentHash: string): boolean {
    return this.#sentInline.has(contentHash);
  }

  /** Forgets an upload, e.g. after Eden said the file is gone. */
  evict(contentHash: string): void {
    this.#entries.delete(contentHash);
  }

  /** How many callers are waiting for this content's upload to finish. */
  waiting(contentHash: string): number {
    return this.#entries.get(contentHash)?.waiters ?? 0;
  }

  /**
   * Returns the uploaded file for this content, uploading it unless it is cached or in flight.
   * `signal` aborts only this caller's wait; the upload itself stops when every waiter has gone.
   * The upload is sent through `http`, the calling edit's client, so the lane paces it.
   */
  async upload(options: {
    contentHash: string;
    image: NormalizedImage;
    fileName: string;
    http: HttpClient;
    signal?: AbortSignal;
    timeoutMs?: number | false;
  }): Promise<UploadedFile> {
    const { contentHash } = options;
    options.signal?.throwIfAborted();
    let entry = this.has(contentHash) ? this.#entries.get(contentHash) : undefined;
    if (!entry) {
      const controller = new AbortController();
      const created: CacheEntry = {
        waiters: 0,
        controller,
        promise: uploadFile({ ...options, signal: controller.signal }).then(
          (file) => {
            created.file = file;
            return file;
          },
          (error: unknown) => {
            if (this.#entries.get(contentHash) === created) this.#entries.delete(contentHash);
            throw error;
          },
        ),
      };
      // Rejections are delivered to waiters; this keeps an abandoned upload's failure from being unhandled.
      created.promise.catch(() => {});
      this.#entries.set(contentHash, created);
      prune(this.#entries);
      entry = created;
    }
    if (entry.file) return entry.file;
    return this.#wait(contentHash, entry, options.signal);
  }

  #wait(contentHash: string, entry: CacheEntry, signal: AbortSignal | undefined): Promise<UploadedFile> {
    entry.waiters += 1;
    return new Promise<UploadedFile>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        entry.waiters -= 1;
        if (entry.waiters === 0 && !entry.file) {
          if (this.#entries.get(contentHash) === entry) this.#entries.delete(contentHash);
          entry.controller.abort(signal?.reason);
        }
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (file) => {
          if (settled) return;
          settled = true;
          entry.waiters -= 1;
          signal?.removeEventListener('abort', onAbort);
          resolve(file);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          entry.waiters -= 1;
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}

/** Caches by account and host: the same key on the EU host holds different files. */
const caches = new Map<string, EdenAIUploadCache>();

/**
 * The upload cache shared by every Eden AI provider instance of this process that uses the same
 * API key on the same host. The key itself is never stored, only a digest of it.
 */
export async function uploadCacheFor(options: {
  baseURL: string;
  apiKey: string;
}): Promise<EdenAIUploadCache> {
  const account = await sha256Hex(options.apiKey);
  const scope = `${options.baseURL}\n${account}`;
  let cache = caches.get(scope);
  if (!cache) {
    cache = new EdenAIUploadCache();
    caches.set(scope, cache);
  }
  return cache;
}

async function uploadFile(options: {
  image: NormalizedImage;
  fileName: string;
  http: HttpClient;
  signal: AbortSignal;
  timeoutMs?: number | false;
}): Promise<UploadedFile> {
  const { edenaiUploadResponseSchema } = await loadWire();
  const form = new FormData();
  // A file is a disk-backed Blob: the upload streams it.
  form.append('file', await imageToBlob(options.image), options.fileName);
  form.append('expires_in_days', String(UPLOAD_EXPIRES_IN_DAYS));
  const started = Date.now();
  const { data } = await options.http.request({
    method: 'POST',
    path: EDENAI_PATHS.upload,
    form,
    // Storing a file is free: a failed edit after it has cost nothing.
    billable: false,
    schema: edenaiUploadResponseSchema,
    signal: options.signal,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const expiresAt = data.expires_at ? Date.parse(data.expires_at) : Number.NaN;
  return {
    fileId: data.file_id,
    expiresAt: Number.isFinite(expiresAt) ? expiresAt : started + UPLOAD_EXPIRES_IN_DAYS * 86_400_000,
  };
}

/** One input image on its way to Eden: where it sits in the request, and its current form. */
export interface InputSlot {
  /** The request field, e.g. `images.0` or `mask`. */
  readonly path: string;
  readonly role: 'image' | 'mask';
  /** Position among the images (0 for the mask). */
  readonly index: number;
  image: NormalizedImage;
  /** SHA-256 of the content, for local inputs that may be uploaded. */
  contentHash?: string;
  /** Set when the input goes by `file_id`. */
  fileId?: string;
  /** True when the cache held this content before the edit (so the content is reused). */
  reused?: boolean;
}

/** What {@link routeInputs} needs: the plan's delivery settings and the edit's client. */
export interface InputRouting {
  /** The plan's transport; `auto` is decided here, against the upload cache. */
  transport: EdenAITransport;
  /** The plan's upload mode. */
  upload: EdenAIUploadMode;
  /** Whether the model takes Eden file ids (Gemini models are sent inline instead). */
  acceptsFileIds: boolean;
  uploads: EdenAIUploadCache;
  /** The edit's client, bound to the provider's lane. */
  http: HttpClient;
  signal?: AbortSignal;
  /** Per-attempt timeout of upload requests. */
  timeoutMs: number | false;
}

/**
 * Decides which local inputs are uploaded and which transport carries the edit, then uploads
 * (through `context.http`, so each upload waits for room in the lane). Returns the transport.
 */
export async function routeInputs(options: {
  context: InputRouting;
  slots: InputSlot[];
  warnings: EditWarning[];
}): Promise<'json' | 'multipart'> {
  const { context, slots, warnings } = options;
  const locals = slots.filter((slot) => isLocalImage(slot.image));
  const mayUpload = context.upload !== 'never' && context.transport !== 'multipart' && context.acceptsFileIds;

  if (mayUpload) {
    for (const slot of locals) {
      const size = localSize(slot.image);
      if (size > MAX_UPLOAD_BYTES || (context.upload === 'auto' && size < AUTO_UPLOAD_MIN_BYTES)) continue;
      slot.contentHash = await imageContentHash(slot.image);
    }
  }
  // From here to the marks below nothing awaits, so concurrent edits of one picture see each other:
  // the first sends it inline, the next ones find it "reused" and share one upload.
  for (const slot of locals) {
    if (slot.contentHash === undefined) continue;
    slot.reused = context.uploads.has(slot.contentHash) || context.uploads.wasSentInline(slot.contentHash);
  }
  const uploadable = (slot: InputSlot) => slot.contentHash !== undefined;
  const heavyInline = (slot: InputSlot) =>
    !uploadable(slot) && localSize(slot.image) >= AUTO_UPLOAD_MIN_BYTES;
  const reasonToUpload = (slot: InputSlot) =>
    uploadable(slot) && (context.upload === 'always' || slot.reused === true);

  let transport: 'json' | 'multipart';
  if (context.transport !== 'auto') transport = context.transport;
  else if (locals.length === 0 || slots.some((slot) => slot.image.kind === 'file-id')) transport = 'json';
  else if (locals.some(reasonToUpload) && !locals.some(heavyInline)) transport = 'json';
  else transport = 'multipart';

  if (transport === 'multipart') {
    for (const slot of locals) if (slot.contentHash) context.uploads.markSentInline(slot.contentHash);
    if (context.upload === 'always') {
      for (const slot of locals.filter((slot) => localSize(slot.image) > MAX_UPLOAD_BYTES)) {
        warnings.push({
          type: 'other',
          message: `${slot.path} (${formatBytes(localSize(slot.image))}) is larger than Eden's ${formatBytes(MAX_UPLOAD_BYTES)} upload limit, so the edit was sent as multipart instead of uploading`,
        });
      }
    }
    return transport;
  }

  const toUpload = locals.filter(uploadable);
  const uploads = await Promise.all(
    toUpload.map(async (slot) => {
      try {
        return await context.uploads.upload({
          contentHash: slot.contentHash!,
          image: slot.image,
          fileName: partFileName(slot),
          http: context.http,
          ...(context.signal ? { signal: context.signal } : {}),
          timeoutMs: context.timeoutMs,
        });
      } catch (error) {
        throw notSent(error, `uploading ${slot.path} failed, so the edit was not sent`);
      }
    }),
  );
  toUpload.forEach((slot, position) => {
    slot.fileId = uploads[position]!.fileId;
  });
  for (const slot of locals) {
    if (slot.fileId || localSize(slot.image) < AUTO_UPLOAD_MIN_BYTES) continue;
    warnings.push({
      type: 'other',
      message: `${slot.path} (${formatBytes(localSize(slot.image))}) was sent base64-encoded in the JSON body, a third larger than the file: transport "multipart" streams it, and upload "auto" or "always" sends it once`,
    });
  }
  return transport;
}

function localSize(image: NormalizedImage): number {
  switch (image.kind) {
    case 'bytes':
      return image.data.byteLength;
    case 'blob':
    case 'file':
      return image.size;
    default:
      return 0;
  }
}

/** The file name of a part: the file's own name, or `image-<n>.<ext>` / `mask.<ext>`. */
export function partFileName(slot: InputSlot): string {
  const image = slot.image;
  if (image.kind === 'file') return imageFileName(image, slot.index);
  const extension = extensionFor(
    image.kind === 'bytes' || image.kind === 'blob' ? image.mediaType : 'image/png',
  );
  return slot.role === 'mask' ? `mask.${extension}` : `image-${slot.index}.${extension}`;
}

/**
 * Rebuilds an HTTP error from a step before the edit (an upload, an input download) so the
 * dispatcher knows no edit was sent and a retry cannot pay twice.
 */
export function notSent(error: unknown, context: string): unknown {
  if (!ApiCallError.isInstance(error) || error.provablyNotProcessed) return error;
  const Constructor = error.constructor as new (options: ApiCallErrorOptions) => ApiCallError;
  return new Constructor({
    message: `${context}: ${error.message}`,
    provider: error.provider,
    url: error.url,
    method: error.method,
    ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
    isRetryable: error.isRetryable,
    provablyNotProcessed: true,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    ...(error.requestId !== undefined ? { requestId: error.requestId } : {}),
    ...(error.responseBody !== undefined ? { responseBody: error.responseBody } : {}),
    ...(error.code !== undefined ? { code: error.code } : {}),
    cause: error,
  });
}

function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  return `${Math.round(bytes / 1000)} KB`;
}
