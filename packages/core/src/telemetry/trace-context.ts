/**
 * A span's place in a trace as W3C Trace Context writes it, in plain JSON: what carries a trace from
 * the process that queued an edit to the one that runs it (see `@retouch/queue`).
 *
 * @example
 * { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }
 */
export interface TraceContext {
  /** `version-traceid-spanid-flags`, as the `traceparent` header. */
  traceparent: string;
  /** Vendor state, as the `tracestate` header, when there is some. */
  tracestate?: string;
}

/** What `runInTrace` runs under. */
export interface TracedRun<T> {
  /** The span's name, e.g. `retouch.queue.process`. */
  name: string;
  /** The remote parent: the span of the process that queued the work. */
  parent?: TraceContext | undefined;
  /** Spans related without being parents: the worker that started a job this one resumes. */
  links?: readonly TraceContext[];
  /** `producer` where work is queued, `consumer` where it is run. */
  kind: 'producer' | 'consumer';
  /** Runs with the span active; gets the span's own context, `undefined` when nothing is traced. */
  run: (own: TraceContext | undefined) => Promise<T>;
}
