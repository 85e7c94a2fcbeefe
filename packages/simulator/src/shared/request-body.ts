import type { IncomingMessage } from 'node:http';
import { type MultipartBody, parseMultipart } from './multipart.ts';

/** A parsed request body, as handlers see it. */
export type ParsedBody =
  | { type: 'none' }
  | { type: 'json'; value: unknown }
  | { type: 'invalid-json'; text: string; message: string; position: number }
  | { type: 'multipart'; value: MultipartBody }
  | { type: 'other'; contentType: string; size: number };

/** A body past the server's byte limit; the provider answers it with its own 413. */
export class BodyTooLargeError extends Error {}

/** The byte limits a body is read under. */
export interface BodyLimits {
  /** Largest JSON (or other non-multipart) body. */
  maxJsonBodyBytes: number;
  /** Largest multipart body. */
  maxMultipartBodyBytes: number;
  /** Largest multipart file part, when the route sets one. */
  maxFileBytes?: number | undefined;
  /** Multipart file parts above this size are hashed, not kept. */
  retainUploadBytes: number;
}

async function readAll(options: { request: IncomingMessage; limit: number }): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  // The rest of an oversized body is still drained, so the client sees the 413 rather than a reset.
  for await (const chunk of options.request) {
    size += (chunk as Buffer).length;
    if (size > options.limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  if (tooLarge) throw new BodyTooLargeError(`request body exceeds ${options.limit} bytes`);
  return Buffer.concat(chunks);
}

function jsonErrorPosition(message: string): number {
  const match = /position (\d+)/.exec(message);
  return match ? Number(match[1]) : 0;
}

/**
 * Reads a request's body by its content type: multipart through busboy, JSON (or no content type) parsed,
 * anything else only measured. Throws {@link BodyTooLargeError} or a `MultipartError`.
 */
export async function readBody(options: {
  request: IncomingMessage;
  limits: BodyLimits;
}): Promise<ParsedBody> {
  const { request, limits } = options;
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) {
    const value = await parseMultipart({
      stream: request,
      contentType: request.headers['content-type'] ?? '',
      retainBytes: limits.retainUploadBytes,
      maxBodyBytes: limits.maxMultipartBodyBytes,
      ...(limits.maxFileBytes === undefined ? {} : { maxFileBytes: limits.maxFileBytes }),
    });
    return { type: 'multipart', value };
  }
  const bytes = await readAll({ request, limit: limits.maxJsonBodyBytes });
  if (bytes.length === 0) return { type: 'none' };
  if (contentType.startsWith('application/json') || contentType.includes('+json') || contentType === '') {
    const text = bytes.toString('utf8');
    try {
      return { type: 'json', value: JSON.parse(text) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { type: 'invalid-json', text, message, position: jsonErrorPosition(message) };
    }
  }
  return { type: 'other', contentType, size: bytes.length };
}
