import type { Context, Link, SpanContext } from '@opentelemetry/api';
import {
  loadedOpenTelemetry,
  loadOpenTelemetry,
  type OpenTelemetryApi,
  openTelemetryRegistered,
} from './open-telemetry.ts';
import { INSTRUMENTATION_SCOPE } from './telemetry-names.ts';

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

async function api(): Promise<OpenTelemetryApi | undefined> {
  if (!openTelemetryRegistered()) return undefined;
  return loadedOpenTelemetry() ?? (await loadOpenTelemetry());
}

/**
 * Runs `run` inside a new span, child of `parent` when given (else of the active span), so the edits it
 * starts join the same trace. Without an OpenTelemetry SDK it only runs `run`.
 *
 * @example
 * await runInTrace({ name: 'retouch.queue.process', kind: 'consumer', parent: data.trace, run: () => work() });
 */
export async function runInTrace<T>(options: TracedRun<T>): Promise<T> {
  const otel = await api();
  if (!otel) return options.run(undefined);
  const active = otel.context.active();
  const parentSpan = options.parent ? spanContextOf(options.parent) : undefined;
  const parent: Context = parentSpan ? otel.trace.setSpanContext(active, parentSpan) : active;
  const links: Link[] = (options.links ?? []).flatMap((link) => {
    const context = spanContextOf(link);
    return context ? [{ context }] : [];
  });
  const span = otel.trace.getTracer(INSTRUMENTATION_SCOPE).startSpan(
    options.name,
    {
      kind: options.kind === 'producer' ? otel.SpanKind.PRODUCER : otel.SpanKind.CONSUMER,
      links,
    },
    parent,
  );
  try {
    return await otel.context.with(otel.trace.setSpan(parent, span), () =>
      options.run(traceContextOf(span.spanContext())),
    );
  } catch (error) {
    span.setStatus({ code: otel.SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

function traceContextOf(context: SpanContext): TraceContext | undefined {
  if (!/^[0-9a-f]{32}$/.test(context.traceId) || /^0+$/.test(context.traceId)) return undefined;
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${context.traceId}-${context.spanId}-${flags}`;
  const tracestate = context.traceState?.serialize();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

function spanContextOf(carrier: TraceContext): SpanContext | undefined {
  const match = TRACEPARENT.exec(carrier.traceparent);
  if (!match) return undefined;
  return {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16),
    isRemote: true,
  };
}
