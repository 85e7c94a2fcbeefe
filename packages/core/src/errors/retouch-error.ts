import { redact, redactValue } from '../secrets.ts';
import { hasMarker, markerFor } from './marker.ts';

const marker = markerFor('RetouchError');

/** Options shared by every Retouch error. */
export interface RetouchErrorOptions {
  /** What went wrong and, where there is one, the fix. */
  message: string;
  /** The underlying error. It is copied with registered secrets redacted, never kept as is. */
  cause?: unknown;
}

/**
 * Base class of every error Retouch throws (abort errors excepted: they pass through unwrapped).
 * Use the static `isInstance` checks rather than `instanceof`: they also work when two copies of
 * `@retouch/core` are installed.
 *
 * @example
 * try {
 *   await retouch.edit(request);
 * } catch (error) {
 *   if (RetouchError.isInstance(error)) console.error(error.message);
 * }
 */
export class RetouchError extends Error {
  /** The class name, `'RetouchError'`, which survives `JSON.stringify` and stack traces. */
  override name = 'RetouchError';

  constructor(options: RetouchErrorOptions) {
    super(
      redact(options.message),
      options.cause === undefined ? undefined : { cause: sanitizeCause(options.cause) },
    );
    Object.defineProperty(this, marker, { value: true, enumerable: false });
  }

  /** True for any Retouch error, from any installed copy of the package. */
  static isInstance(error: unknown): error is RetouchError {
    return hasMarker(error, marker);
  }

  /** A plain, secret-free object: what `JSON.stringify(error)` writes. */
  toJSON(): Record<string, unknown> {
    const fields: Record<string, unknown> = { name: this.name, message: this.message };
    for (const [key, value] of Object.entries(this)) {
      if (key !== 'name' && key !== 'message' && key !== 'stack') fields[key] = value;
    }
    if (this.cause !== undefined) fields.cause = serializeCause(this.cause);
    return redactValue(fields) as Record<string, unknown>;
  }
}

/** Copies an error chain with secrets removed, keeping name, message and code. */
function sanitizeCause(cause: unknown, depth = 0): unknown {
  if (RetouchError.isInstance(cause)) return cause;
  if (cause instanceof Error) {
    const copy = new Error(redact(cause.message));
    copy.name = cause.name;
    const code = (cause as { code?: unknown }).code;
    if (code !== undefined) (copy as { code?: unknown }).code = code;
    if (cause.stack) copy.stack = redact(cause.stack);
    if (cause.cause !== undefined && depth < 5) {
      Object.defineProperty(copy, 'cause', {
        value: sanitizeCause(cause.cause, depth + 1),
        enumerable: false,
      });
    }
    return copy;
  }
  if (typeof cause === 'string') return redact(cause);
  return redactValue(cause);
}

function serializeCause(cause: unknown): unknown {
  if (RetouchError.isInstance(cause)) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return {
      name: cause.name,
      message: redact(cause.message),
      ...(code === undefined ? {} : { code }),
      ...(cause.cause === undefined ? {} : { cause: serializeCause(cause.cause) }),
    };
  }
  return redactValue(cause);
}
