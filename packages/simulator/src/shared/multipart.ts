import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';

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

/** Text fields are kept up to this many bytes; the rest of a longer one is dropped. */
const maximumFieldBytes = 1024 * 1024;
/** Largest header block of one part. */
const maximumPartHeaderBytes = 16 * 1024;

function createParser(options: ParseMultipartOptions): BusboyInstance {
  try {
    return Busboy({
      headers: { 'content-type': options.contentType },
      // Any part with a filename is a file, whatever its type; filenames are recorded as the client sent them.
      isPartAFile: (_name, _contentType, filename) => filename !== undefined,
      preservePath: true,
      limits: {
        fieldSize: maximumFieldBytes,
        headerSize: maximumPartHeaderBytes,
        ...(options.maxFileBytes === undefined ? {} : { fileSize: options.maxFileBytes }),
      },
    });
  } catch {
    throw new MultipartError({ message: 'multipart body without a boundary', reason: 'malformed' });
  }
}

function addField(fields: Record<string, string | string[]>, name: string, value: string): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else fields[name] = [existing, value];
}

/**
 * Parses `multipart/form-data` as it streams in, with `@fastify/busboy`. File parts are hashed and
 * counted chunk by chunk and kept only up to `retainBytes`, so a very large upload costs the simulator a
 * bounded amount of memory. The whole body is always read, also when it is refused, so the client gets
 * an answer rather than a reset connection.
 */
export async function parseMultipart(options: ParseMultipartOptions): Promise<MultipartBody> {
  const parser = createParser(options);
  const fields: Record<string, string | string[]> = {};
  const files: MultipartFile[] = [];
  let tooLarge: string | undefined;
  let malformed: string | undefined;

  parser.on('field', (name, value) => addField(fields, name, value));
  parser.on('file', (name, stream, filename, _encoding, contentType) => {
    const hash = createHash('sha256');
    let size = 0;
    let chunks: Buffer[] | undefined = [];
    stream.on('data', (data: Buffer) => {
      size += data.length;
      hash.update(data);
      if (chunks !== undefined) {
        // A copy: busboy may hand out a view of a buffer it reuses for the next chunk.
        if (size <= options.retainBytes) chunks.push(Buffer.from(data));
        else chunks = undefined;
      }
    });
    stream.on('limit', () => {
      tooLarge ??= `file part "${name}" exceeds ${options.maxFileBytes} bytes`;
    });
    // A part cut short also fails the whole parser, which is where the error is reported.
    stream.on('error', () => {});
    stream.on('end', () => {
      const file: MultipartFile = { name, filename, contentType, size, sha256: hash.digest('hex') };
      if (chunks !== undefined) file.bytes = Buffer.concat(chunks);
      files.push(file);
    });
  });
  const parsed = new Promise<void>((resolve) => {
    parser.on('finish', resolve);
    parser.on('error', (error) => {
      const message = error instanceof Error ? error.message : String(error);
      malformed ??= /unexpected end/i.test(message)
        ? 'multipart body ended before its closing boundary'
        : `multipart body could not be parsed: ${message}`;
      resolve();
    });
  });

  let total = 0;
  for await (const chunk of options.stream) {
    const data = chunk as Buffer;
    total += data.length;
    if (total > options.maxBodyBytes) tooLarge ??= `request body exceeds ${options.maxBodyBytes} bytes`;
    // Once the body is refused, the rest is read and dropped.
    if (tooLarge !== undefined || malformed !== undefined) continue;
    if (!parser.write(data)) {
      await Promise.race([new Promise((resolve) => parser.once('drain', resolve)), parsed]);
    }
  }
  if (tooLarge === undefined && malformed === undefined) {
    parser.end();
    await parsed;
  }
  if (tooLarge !== undefined) throw new MultipartError({ message: tooLarge, reason: 'too-large' });
  if (malformed !== undefined) throw new MultipartError({ message: malformed, reason: 'malformed' });
  return { fields, files };
}
