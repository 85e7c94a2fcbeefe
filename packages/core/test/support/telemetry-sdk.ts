/**
 * The OpenTelemetry SDK as an application registers it, with in-memory exporters: the spans ended so
 * far, and the metrics read on demand.
 */
import { metrics, trace } from '@opentelemetry/api';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** A reader that collects only when asked. */
class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** The registered SDK. */
export interface TestTelemetry {
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  /** The spans named `name`. */
  spansNamed(name: string): ReadableSpan[];
  /** The data points of the metric `name` at this moment. */
  points(name: string): DataPoint<number | Histogram>[];
  /** The sum of a counter's points (matching `attributes` when given). */
  total(name: string, attributes?: Record<string, string>): Promise<number>;
  /** Reads the metrics. */
  collect(): Promise<ResourceMetrics>;
  /** Unregisters the SDK. */
  shutdown(): Promise<void>;
}

/** Registers a tracer and a meter provider with in-memory exporters, as an application's setup does. */
export function registerTestTelemetry(): TestTelemetry {
  trace.disable();
  metrics.disable();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  let last: ResourceMetrics | undefined;
  let stopped = false;
  const collect = async (): Promise<ResourceMetrics> => {
    last = (await reader.collect()).resourceMetrics;
    return last;
  };
  const points = (name: string): DataPoint<number | Histogram>[] =>
    (last?.scopeMetrics ?? [])
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === name)
      .flatMap((metric) => metric.dataPoints as DataPoint<number | Histogram>[]);
  return {
    spans: () => exporter.getFinishedSpans(),
    spansNamed: (name) => exporter.getFinishedSpans().filter((span) => span.name === name),
    points,
    async total(name, attributes = {}) {
      await collect();
      return points(name)
        .filter((point) =>
          Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
        )
        .reduce(
          (sum, point) => sum + (typeof point.value === 'number' ? point.value : (point.value.sum ?? 0)),
          0,
        );
    },
    collect,
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      trace.disable();
      metrics.disable();
      // The API leaves its registry on globalThis; without it the next test runs as with no SDK at all.
      delete (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')];
    },
  };
}
