import { ResponseSizeError } from 'ky';

/**
 * An answer held to `maxBytes` as it is read: bytes past the cap fail the read with ky's
 * `ResponseSizeError`, which the transport makes Retouch's typed error. An answer whose
 * `content-length` is within the cap and that is not content-coded cannot exceed it (fetch stops at
 * the declared length), so it goes through untouched. ky's own `maxResponseSize` pipes every answer
 * through a second stream and a new `Response`, which cost each edit more than the rest of ky; here
 * only answers that declare nothing, or a compressed length, pay for the count.
 */
export function capResponse(options: {
  response: Response;
  request: Request;
  maxBytes: number;
  /** Hears the size error when it is raised, for runtimes that hand body errors on as a bare TypeError. */
  onExceeded: (error: ResponseSizeError) => void;
}): Response {
  const { response, maxBytes } = options;
  const body = response.body;
  if (body === null || maxBytes === Number.POSITIVE_INFINITY || withinCap(response.headers, maxBytes)) {
    return response;
  }
  let received = 0;
  const counted = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) {
          const error = new ResponseSizeError(options.request, maxBytes);
          options.onExceeded(error);
          throw error;
        }
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(counted, response);
}

function withinCap(headers: Headers, maxBytes: number): boolean {
  const length = headers.get('content-length');
  if (length === null || headers.has('content-encoding')) return false;
  const declared = Number(length);
  return Number.isSafeInteger(declared) && declared >= 0 && declared <= maxBytes;
}
