import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface StoredFile {
  bytes: Buffer;
  mediaType: string;
  expiresAt: number;
  /** Set by the `result-404` fault: the URL is handed out but the object is gone. */
  missing: boolean;
}

/**
 * Result files behind presigned-style URLs: `/files/<id>.png?expires=<unix ms>&signature=<hmac>`. No bearer
 * token is needed (like the providers' presigned URLs), and the URL stops working after its TTL.
 * With a `directory`, the files and the signing secret are kept there, so URLs handed out before a
 * restart still work after it.
 */
export class FileStore {
  #files = new Map<string, StoredFile>();
  #secret: Buffer;
  readonly #directory: string | undefined;
  readonly ttlMs: number;
  baseUrl = '';

  constructor(options: { ttlMs: number; directory?: string | undefined }) {
    this.ttlMs = options.ttlMs;
    this.#directory = options.directory;
    this.#secret = randomBytes(32);
    if (this.#directory) {
      mkdirSync(join(this.#directory, 'files'), { recursive: true });
      const secretFile = join(this.#directory, 'file-secret');
      if (existsSync(secretFile)) this.#secret = readFileSync(secretFile);
      else writeFileSync(secretFile, this.#secret);
    }
  }

  #sign(options: { name: string; expires: number }): string {
    return createHmac('sha256', this.#secret).update(`${options.name}:${options.expires}`).digest('hex');
  }

  /** Stores bytes and returns their expiring URL. */
  put(options: { bytes: Buffer; mediaType?: string; extension?: string; missing?: boolean }): string {
    this.#prune();
    const name = `${randomUUID()}.${options.extension ?? 'png'}`;
    const expiresAt = Date.now() + this.ttlMs;
    const stored: StoredFile = {
      bytes: options.bytes,
      mediaType: options.mediaType ?? 'image/png',
      expiresAt,
      missing: options.missing ?? false,
    };
    this.#files.set(name, stored);
    if (this.#directory) {
      writeFileSync(join(this.#directory, 'files', name), stored.bytes);
      writeFileSync(
        join(this.#directory, 'files', `${name}.json`),
        JSON.stringify({ mediaType: stored.mediaType, expiresAt, missing: stored.missing }),
      );
    }
    const expires = expiresAt;
    return `${this.baseUrl}/files/${name}?expires=${expires}&signature=${this.#sign({ name, expires })}`;
  }

  /** Looks a URL's file up: its bytes, or why it cannot be served. */
  get(options: {
    name: string;
    expires: string | null;
    signature: string | null;
    now?: number;
  }):
    | { ok: true; bytes: Buffer; mediaType: string }
    | { ok: false; reason: 'expired' | 'forbidden' | 'missing' } {
    const now = options.now ?? Date.now();
    const expires = Number(options.expires);
    if (options.expires === null || options.signature === null || !Number.isFinite(expires)) {
      return { ok: false, reason: 'forbidden' };
    }
    const expected = Buffer.from(this.#sign({ name: options.name, expires }));
    const given = Buffer.from(options.signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'forbidden' };
    }
    const file = this.#files.get(options.name) ?? this.#read(options.name);
    if (expires <= now || (file !== undefined && file.expiresAt <= now)) {
      return { ok: false, reason: 'expired' };
    }
    if (file === undefined || file.missing) return { ok: false, reason: 'missing' };
    return { ok: true, bytes: file.bytes, mediaType: file.mediaType };
  }

  /** The bytes behind a URL this store issued, for inputs that point back at the simulator. */
  bytesForUrl(url: URL): Buffer | undefined {
    const match = /^\/files\/([^/]+)$/.exec(url.pathname);
    if (match === null) return undefined;
    const result = this.get({
      name: match[1]!,
      expires: url.searchParams.get('expires'),
      signature: url.searchParams.get('signature'),
    });
    return result.ok ? result.bytes : undefined;
  }

  /** A file kept in the directory by an earlier run of the simulator. */
  #read(name: string): StoredFile | undefined {
    if (!this.#directory || !/^[\w-]+\.\w+$/.test(name)) return undefined;
    try {
      const meta = JSON.parse(readFileSync(join(this.#directory, 'files', `${name}.json`), 'utf8')) as Omit<
        StoredFile,
        'bytes'
      >;
      const file = { ...meta, bytes: readFileSync(join(this.#directory, 'files', name)) };
      this.#files.set(name, file);
      return file;
    } catch {
      return undefined;
    }
  }

  #prune(): void {
    const now = Date.now();
    for (const [name, file] of this.#files) if (file.expiresAt <= now) this.#files.delete(name);
  }

  clear(): void {
    this.#files.clear();
  }
}
