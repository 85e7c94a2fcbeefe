import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { type ReadContext, tooLarge, transportError } from './http-errors.ts';

/** An error body is only read for its message: a proxy's 200 KB HTML page must not hide the status. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Decoding a whole body at once keeps no state between calls, so one decoder serves every response. */
const utf8 = new TextDecoder();

export async function readText(response: Response, maxBytes: number, context: ReadContext): Promise<string> {
  // A declared length within the cap is enforced by fetch itself (a longer body is an error), so the
  // body can be read by fetch's own path, without a chunk loop in JavaScript: the common case. Not for
  // a compressed body, whose declared length says nothing of its decoded size.
  const declared = response.headers.get('content-length');
  if (declared !== null && Number(declared) <= maxBytes && !response.headers.has('content-encoding')) {
    try {
      return await response.text();
    } catch (error) {
      throw transportError(error, { ...context, afterResponse: true });
    }
  }
  return utf8.decode(await readCapped(response, maxBytes, context));
}

export async function readCapped(
  response: Response,
  maxBytes: number,
  context: ReadContext,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(context, maxBytes);
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(context, maxBytes);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (InvalidResponseError.isInstance(error)) throw error;
    throw transportError(error, { ...context, afterResponse: true });
  }
  return concat(chunks, total);
}

/**
 * Reads at most {@link MAX_ERROR_BODY_BYTES} of an error body, never failing on size: the status is
 * what matters. A body cut short by the network still yields the status error; an abort or the
 * deadline does not.
 */
export async function readErrorText(response: Response, context: ReadContext): Promise<string> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  try {
    while (total < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
    if (total >= MAX_ERROR_BODY_BYTES) await reader.cancel().catch(() => undefined);
  } catch (error) {
    if (context.attempt.callerSignal?.aborted || context.attempt.timedOut()) {
      throw transportError(error, { ...context, afterResponse: true });
    }
  }
  return new TextDecoder().decode(concat(chunks, total).subarray(0, MAX_ERROR_BODY_BYTES));
}

export function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
