/**
 * The span of `runInTrace`, loaded only once an SDK is registered: its module names
 * OpenTelemetry's types, which the public declarations must not.
 */
import type { Context, Link, SpanContext } from '@opentelemetry/api';
import {
  loadedOpenTelemetry,
  loadOpenTelemetry,
  type OpenTelemetryApi,
  openTelemetryRegistered,
} from './open-telemetry.ts';
import { INSTRUMENTATION_SCOPE } from './telemetry-names.ts';
import type { TraceContext, TracedRun } from './trace-context.ts';

async function api(): Promise<OpenTelemetryApi | undefined> {
  if (!openTelemetryRegistered()) return undefined;
  return loadedOpenTelemetry() ?? (await loadOpenTelemetry());
}

/** `runInTrace` once an SDK is registered: the span, its parent, its links, and `run` inside it. */
export async function runInSpan<T>(options: TracedRun<T>): Promise<T> {
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
