import type { RecordedRequest } from './recording.ts';

/** One request a simulator answered, and its answer, as a traffic observer sees it. */
export interface SimulatorExchange {
  /** The request as recorded (the API key redacted; multipart files summarised with their bytes). */
  request: RecordedRequest;
  /** The status answered. */
  status: number;
  /** The answer's `Content-Type`. */
  contentType: string;
  /** The JSON body answered; `undefined` for other bodies (result files, a truncated body). */
  json: unknown;
}

/** A listener of every exchange of every simulator of this process. */
export type SimulatorTrafficListener = (exchange: SimulatorExchange) => void;

/** One Server-Sent Event a simulator wrote to an open stream. */
export interface SimulatorStreamEvent {
  /** The stream's route, e.g. `GET /api/events`. */
  route: string;
  /** The `event:` line's name. */
  event: string;
  /** The `data:` line, as written. */
  data: string;
}

/** A listener of every event any simulator of this process streams. */
export type SimulatorStreamListener = (event: SimulatorStreamEvent) => void;

// Kept on globalThis so two copies of the package (source and build) share one set of listeners.
const LISTENERS = Symbol.for('@retouch/simulator/traffic-listeners');
const STREAM_LISTENERS = Symbol.for('@retouch/simulator/stream-listeners');

function listeners(): Set<SimulatorTrafficListener> {
  const holder = globalThis as { [LISTENERS]?: Set<SimulatorTrafficListener> };
  holder[LISTENERS] ??= new Set();
  return holder[LISTENERS];
}

/**
 * Calls `listener` with every request any simulator of this process answers (streams excepted),
 * until the returned function is called: a test setup can check all of a suite's traffic against
 * the providers' published schemas, whatever test started the simulator.
 *
 * @example
 * const stop = observeSimulatorTraffic(({ request, status }) => log.push(`${request.method} ${request.path} ${status}`));
 * // ... run the tests ...
 * stop();
 */
export function observeSimulatorTraffic(listener: SimulatorTrafficListener): () => void {
  listeners().add(listener);
  return () => {
    listeners().delete(listener);
  };
}

/** Hands an answered exchange to every listener; a listener that throws does not break the answer. */
export function reportExchange(exchange: SimulatorExchange): void {
  for (const listener of listeners()) {
    try {
      listener(exchange);
    } catch {
      // An observer's failure is its own to report.
    }
  }
}

function streamListeners(): Set<SimulatorStreamListener> {
  const holder = globalThis as { [STREAM_LISTENERS]?: Set<SimulatorStreamListener> };
  holder[STREAM_LISTENERS] ??= new Set();
  return holder[STREAM_LISTENERS];
}

/**
 * Calls `listener` with every event any simulator of this process writes to an event stream, as it
 * is written, until the returned function is called: streams never end in an exchange, so
 * {@link observeSimulatorTraffic} does not see them.
 *
 * @example
 * const stop = observeSimulatorStreamEvents(({ event, data }) => log.push(`${event} ${data}`));
 */
export function observeSimulatorStreamEvents(listener: SimulatorStreamListener): () => void {
  streamListeners().add(listener);
  return () => {
    streamListeners().delete(listener);
  };
}

/** Hands a streamed event to every listener; a listener that throws does not break the stream. */
export function reportStreamEvent(event: SimulatorStreamEvent): void {
  for (const listener of streamListeners()) {
    try {
      listener(event);
    } catch {
      // An observer's failure is its own to report.
    }
  }
}
