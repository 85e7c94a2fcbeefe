/**
 * The cost of tracing: the same synchronous Oxen edits through one Retouch client, in rounds with an
 * OpenTelemetry SDK registered (in-memory span and metric exporters, every span kept) and rounds with
 * none, alternated, as an application that turns tracing on would see it.
 */
import { metrics, trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createRetouch } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';
import { OVERHEAD_CONCURRENCY, overheadRequest } from './overhead-edit.ts';
import { allAtOnce, measurePairedRounds, type PairedRounds } from './paired-rounds.ts';
import { startSimulatorProcess } from './simulator-process.ts';

/** Tracing on (measured) against tracing off (baseline), and the spans the measured rounds made. */
export interface TracingComparison extends PairedRounds {
  /** Spans the SDK received in the measured rounds, to show they were made. */
  spansExported: number;
}

export async function measureTracingOverhead(options: {
  edits: number;
  roundsPerArm: number;
  warmupEditsPerArm: number;
}): Promise<TracingComparison> {
  const simulator = await startSimulatorProcess({ provider: 'oxen', options: { syncEditDelayMs: 0 } });
  const oxen = createOxen({ apiKey: simulator.apiKey, baseURL: simulator.url, mode: 'sync' });
  const retouch = createRetouch({
    providers: [oxen],
    limits: { oxen: { concurrency: OVERHEAD_CONCURRENCY } },
  });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  });
  const meterProvider = new MeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
        exportIntervalMillis: 1_000,
      }),
    ],
  });
  let spansExported = 0;
  const register = (): void => {
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  };
  const unregister = (): void => {
    spansExported += spans.getFinishedSpans().length;
    spans.reset();
    trace.disable();
    metrics.disable();
    // Without the API's registry on globalThis, Retouch sees no SDK at all: the state of an app without one.
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')];
  };
  const round = allAtOnce(
    async () => typeof (await retouch.edit(overheadRequest)).images[0]?.url === 'string',
  );
  try {
    const rounds = await measurePairedRounds({
      measured: async (count) => {
        register();
        try {
          return await round(count);
        } finally {
          unregister();
        }
      },
      baseline: round,
      edits: options.edits,
      roundsPerArm: options.roundsPerArm,
      warmupEditsPerArm: options.warmupEditsPerArm,
      afterWarmup: async () => {
        spansExported = 0;
      },
    });
    return { ...rounds, spansExported };
  } finally {
    await retouch.close();
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    await simulator.close();
  }
}
