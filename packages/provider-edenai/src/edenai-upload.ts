import { createHash } from 'node:crypto';
import { type HttpClient, imageToBlob, type NormalizedImage } from '@retouch/core';
import { EDENAI_PATHS, edenaiUploadResponseSchema } from './edenai-api.ts';

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
   */
  async upload(options: {
    contentHash: string;
    image: NormalizedImage;
    fileName: string;
    http: HttpClient;
    signal?: AbortSignal;
    timeoutMs?: number | false;
    /** Awaited just before the upload request is sent (not when the upload is cached or shared). */
    beforeRequest?: () => Promise<void>;
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
export function uploadCacheFor(options: { baseURL: string; apiKey: string }): EdenAIUploadCache {
  const account = createHash('sha256').update(options.apiKey).digest('hex');
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
  beforeRequest?: () => Promise<void>;
}): Promise<UploadedFile> {
  await options.beforeRequest?.();
  const form = new FormData();
  // A file is a disk-backed Blob: the upload streams it.
  form.append('file', await imageToBlob(options.image), options.fileName);
  form.append('expires_in_days', String(UPLOAD_EXPIRES_IN_DAYS));
  const started = Date.now();
  const { data } = await options.http.request({
    method: 'POST',
    path: EDENAI_PATHS.upload,
    form,
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
