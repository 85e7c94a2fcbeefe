import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './faults.ts';
import type { ParsedBody } from './request-body.ts';

/** What replaces an API key wherever the simulator records it. */
export const redactedMarker = '[REDACTED]';

/** A summary of one uploaded file in a recorded multipart body (the bytes themselves are not kept). */
export interface RecordedFile {
  /** The form field name, e.g. `image[]`, `mask`, `file`. */
  name: string;
  /** The file name the client gave. */
  filename: string;
  /** The part's `Content-Type`. */
  contentType: string;
  /** Bytes received. */
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  /** The content itself, when small enough to be kept (16 MiB), so a test can read what arrived. */
  bytes?: Uint8Array;
}

/** How a multipart body is recorded: its text fields and a summary of each file part. */
export interface RecordedMultipartBody {
  /** Text fields; a name sent more than once maps to an array. */
  fields: Record<string, string | string[]>;
  /** File parts, in order. */
  files: RecordedFile[];
}

/**
 * One request as the simulator received it.
 *
 * @example
 * const [submission] = sim.requests.filter((request) => request.path === '/api/ai/queue');
 * expect(submission.body).toMatchObject({ model: 'qwen-image-edit' });
 * expect(submission.headers.authorization).toBe('Bearer [REDACTED]');
 */
export interface RecordedRequest {
  /** Sequence number, from 1, in arrival order. */
  sequence: number;
  /** The HTTP method. */
  method: string;
  /** The path without the query string. */
  path: string;
  /** The matched route, e.g. `GET /api/ai/queue/:id`; `undefined` for an unknown path. */
  route: string | undefined;
  /** Query parameters; a name given more than once maps to an array. */
  query: Record<string, string | string[]>;
  /** Lower-case header names; the API key is replaced by `[REDACTED]` wherever it appears. */
  headers: Record<string, string>;
  /**
   * The body: parsed JSON, a {@link RecordedMultipartBody}, the raw text of a body that is not valid JSON,
   * or `undefined` when there was none (or it was never read, e.g. under `reset-before-body`).
   */
  body: unknown;
  /** Whether the request had the right bearer token. */
  authenticated: boolean;
  /** Whether this request was accepted for paid work (an edit that ran, a job that was enqueued). */
  billable: boolean;
  /** The injected fault, if any. */
  fault?: FaultKind;
  /** The status answered; `undefined` when the connection was reset or the request hung. */
  status?: number;
  /** Arrival time, milliseconds since the epoch. */
  at: number;
}

/** Copies headers with the API key redacted: a recording must be safe to print. */
export function redactHeaders(options: {
  headers: IncomingHttpHeaders;
  apiKey: string;
}): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, rawValue] of Object.entries(options.headers)) {
    if (rawValue === undefined) continue;
    let value = Array.isArray(rawValue) ? rawValue.join(', ') : rawValue;
    if (name === 'authorization') {
      const scheme = /^(\S+)\s+/.exec(value)?.[1];
      value = scheme === undefined ? redactedMarker : `${scheme} ${redactedMarker}`;
    } else if (options.apiKey !== '' && value.includes(options.apiKey)) {
      value = value.split(options.apiKey).join(redactedMarker);
    }
    result[name] = value;
  }
  return result;
}

/** Query parameters as recorded: a name given more than once maps to an array. */
export function recordedQuery(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const existing = query[name];
    if (existing === undefined) query[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else query[name] = [existing, value];
  }
  return query;
}

/** A body as recorded: file parts are summarized, and their bytes kept only when the parser kept them. */
export function recordedBody(body: ParsedBody): unknown {
  switch (body.type) {
    case 'none':
      return undefined;
    case 'json':
      return body.value;
    case 'invalid-json':
      return body.text;
    case 'multipart': {
      const summary: RecordedMultipartBody = {
        fields: body.value.fields,
        files: body.value.files.map((file) => ({
          name: file.name,
          filename: file.filename,
          contentType: file.contentType,
          size: file.size,
          sha256: file.sha256,
          ...(file.bytes === undefined ? {} : { bytes: file.bytes }),
        })),
      };
      return summary;
    }
    case 'other':
      return { contentType: body.contentType, size: body.size };
  }
}
