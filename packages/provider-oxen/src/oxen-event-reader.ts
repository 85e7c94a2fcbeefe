import type { EventSourceMessage } from 'eventsource-parser';
import { loadOxenWire, OXEN_COMPLETED_EVENT, type OxenCompletedEvent, type OxenWire } from './oxen-api.ts';

/** A `media_generation_completed` event: how a generation ended, as Oxen announced it. */
export type OxenCompletion = OxenCompletedEvent & { status: 'succeeded' | 'failed' };

/**
 * Reads one connection of Oxen's event stream until it ends, errs, goes silent for `idleTimeoutMs`
 * or sends an event or line longer than `maxEventSize`, handing each completion to `onCompletion`;
 * the stream carries unrelated events too, and those are skipped. Returns whether anything came
 * (an event or a keep-alive comment), which tells a healthy connection from a failing one.
 */
export async function readOxenEvents(options: {
  body: ReadableStream<Uint8Array>;
  /** Aborts the request: the reader aborts it when it gives up on the connection. */
  connection: AbortController;
  idleTimeoutMs: number;
  maxEventSize: number;
  onCompletion: (completion: OxenCompletion) => void;
}): Promise<boolean> {
  const { body, connection, idleTimeoutMs } = options;
  let delivered = false;
  // Loaded when a stream first opens: a program in sync or queue mode never needs the parser.
  const [{ createParser }, { parseOxenCompletedEvent }] = await Promise.all([
    import('eventsource-parser'),
    loadOxenWire(),
  ]);
  const parser = createParser({
    maxBufferSize: options.maxEventSize,
    onEvent: (message) => {
      delivered = true;
      const completion = completionOf(message, parseOxenCompletedEvent);
      if (completion) options.onCompletion(completion);
    },
    onComment: () => {
      delivered = true;
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') connection.abort();
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let idle = setTimeout(() => connection.abort(), idleTimeoutMs);
  const onAbort = (): void => {
    reader.cancel().catch(() => undefined);
  };
  connection.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || connection.signal.aborted) break;
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(), idleTimeoutMs);
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch {
    // A reset, an abort or an overflow ends this connection; the stream decides whether to reopen.
  } finally {
    clearTimeout(idle);
    connection.signal.removeEventListener('abort', onAbort);
    // Aborting the request, not only cancelling the reader, makes the HTTP layer drop the socket.
    connection.abort();
    reader.cancel().catch(() => undefined);
  }
  return delivered;
}

/** The completion a message announces, or `undefined` for another event or a malformed one. */
function completionOf(
  message: EventSourceMessage,
  parse: OxenWire['parseOxenCompletedEvent'],
): OxenCompletion | undefined {
  if (message.event !== OXEN_COMPLETED_EVENT) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(message.data);
  } catch {
    return undefined;
  }
  const event = parse(payload);
  if (!event) return undefined;
  if (event.status !== 'succeeded' && event.status !== 'failed') return undefined;
  return event as OxenCompletion;
}
