import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';

/** A file part of a multipart body. */
export interface MultipartFile {
  /** The form field name, e.g. `image[]`. */
  name: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** The whole content, or `undefined` when it exceeded `retainBytes` and was not kept. */
  bytes?: Buffer;
}

/** A parsed multipart body. Text fields repeat as arrays when a name occurs more than once. */
export interface MultipartBody {
  fields: Record<string, string | string[]>;
  files: MultipartFile[];
}

/** Thrown when the body is not valid multipart or exceeds a limit. */
export class MultipartError extends Error {
  readonly reason: 'malformed' | 'too-large';
  constructor(options: { message: string; reason: 'malformed' | 'too-large' }) {
    super(options.message);
    this.name = 'MultipartError';
    this.reason = options.reason;
  }
}

/** Options of {@link parseMultipart}. */
export interface ParseMultipartOptions {
  stream: Readable;
  contentType: string;
  /** File parts larger than this are hashed and counted but not kept in memory. */
  retainBytes: number;
  /** Total body bytes accepted; beyond it the rest is drained and a `too-large` error thrown. */
  maxBodyBytes: number;
  /** Largest single file part accepted (e.g. Eden AI uploads: 100 MB). */
  maxFileBytes?: number;
}

/** Extracts the boundary parameter of a `multipart/form-data` content type. */
export function multipartBoundary(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function parseHeaderBlock(block: string): { name: string; filename?: string; contentType: string } {
  let name = '';
  let filename: string | undefined;
  let contentType = 'text/plain';
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === 'content-disposition') {
      const nameMatch = /;\s*name="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /;\s*name=([^;\s]+)/i.exec(value);
      const fileMatch =
        /;\s*filename="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /;\s*filename=([^;\s]+)/i.exec(value);
      name = nameMatch?.[1] ?? '';
      if (fileMatch) filename = fileMatch[1];
    } else if (header === 'content-type') {
      contentType = value;
    }
  }
  return filename === undefined ? { name, contentType } : { name, filename, contentType };
}

interface PartState {
  name: string;
  filename?: string;
  contentType: string;
  size: number;
  hash: Hash;
  chunks: Buffer[] | undefined;
}

/**
 * Parses `multipart/form-data` as it streams in. File parts are hashed and counted chunk by chunk and kept
 * only up to `retainBytes`, so a very large upload costs the simulator a bounded amount of memory.
 */
export async function parseMultipart(options: ParseMultipartOptions): Promise<MultipartBody> {
  const boundary = multipartBoundary(options.contentType);
  if (boundary === undefined) {
    throw new MultipartError({ message: 'multipart body without a boundary', reason: 'malformed' });
  }
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields: Record<string, string | string[]> = {};
  const files: MultipartFile[] = [];
  let pending: Buffer = Buffer.from('\r\n');
  let state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  let part: PartState | undefined;
  let total = 0;
  let tooLarge: string | undefined;

  const feed = (data: Buffer) => {
    if (part === undefined || data.length === 0) return;
    part.size += data.length;
    if (part.filename === undefined) {
      if (part.size <= 1024 * 1024) part.chunks!.push(data);
      return;
    }
    part.hash.update(data);
    if (options.maxFileBytes !== undefined && part.size > options.maxFileBytes) {
      tooLarge ??= `file part "${part.name}" exceeds ${options.maxFileBytes} bytes`;
    }
    if (part.chunks !== undefined) {
      if (part.size <= options.retainBytes) part.chunks.push(Buffer.from(data));
      else part.chunks = undefined;
    }
  };

  const finishPart = () => {
    if (part === undefined) return;
    if (part.filename === undefined) {
      const value = Buffer.concat(part.chunks ?? []).toString('utf8');
      const existing = fields[part.name];
      if (existing === undefined) fields[part.name] = value;
      else if (Array.isArray(existing)) existing.push(value);
      else fields[part.name] = [existing, value];
    } else {
      const file: MultipartFile = {
        name: part.name,
        filename: part.filename,
        contentType: part.contentType,
        size: part.size,
        sha256: part.hash.digest('hex'),
      };
      if (part.chunks !== undefined) file.bytes = Buffer.concat(part.chunks);
      files.push(file);
    }
    part = undefined;
  };

  const process = () => {
    for (;;) {
      if (state === 'done') {
        pending = Buffer.alloc(0);
        return;
      }
      if (state === 'preamble') {
        const index = pending.indexOf(delimiter);
        if (index < 0) {
          pending = pending.subarray(Math.max(0, pending.length - delimiter.length));
          return;
        }
        pending = pending.subarray(index + delimiter.length);
        state = 'after-delimiter';
      } else if (state === 'after-delimiter') {
        if (pending.length < 2) return;
        if (pending[0] === 0x2d && pending[1] === 0x2d) {
          state = 'done';
          continue;
        }
        const lineEnd = pending.indexOf('\r\n');
        if (lineEnd < 0) return;
        pending = pending.subarray(lineEnd + 2);
        state = 'headers';
      } else if (state === 'headers') {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) {
          if (pending.length > 16 * 1024) {
            throw new MultipartError({ message: 'multipart part headers too long', reason: 'malformed' });
          }
          return;
        }
        const headers = parseHeaderBlock(pending.subarray(0, end).toString('utf8'));
        pending = pending.subarray(end + 4);
        part = {
          ...headers,
          size: 0,
          hash: createHash('sha256'),
          chunks: [],
        };
        state = 'body';
      } else {
        const index = pending.indexOf(delimiter);
        if (index < 0) {
          const keep = delimiter.length - 1;
          if (pending.length > keep) {
            feed(pending.subarray(0, pending.length - keep));
            pending = pending.subarray(pending.length - keep);
          }
          return;
        }
        feed(pending.subarray(0, index));
        finishPart();
        pending = pending.subarray(index + delimiter.length);
        state = 'after-delimiter';
      }
    }
  };

  for await (const chunk of options.stream) {
    const data = chunk as Buffer;
    total += data.length;
    if (total > options.maxBodyBytes) tooLarge ??= `request body exceeds ${options.maxBodyBytes} bytes`;
    if (tooLarge !== undefined) continue;
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    process();
  }
  if (tooLarge !== undefined) throw new MultipartError({ message: tooLarge, reason: 'too-large' });
  if ((state as string) !== 'done') {
    throw new MultipartError({
      message: 'multipart body ended before its closing boundary',
      reason: 'malformed',
    });
  }
  return { fields, files };
}
