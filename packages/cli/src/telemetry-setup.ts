/**
 * The OpenTelemetry SDK as `retouch worker` and `retouch batch` start it: Prometheus metrics on
 * `--metrics-port`, and OTLP export of traces and metrics when the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` variables are set (the exporters read the variables themselves:
 * endpoints, headers, protocol details). Nothing is imported unless one of them is asked for.
 */

/** A started SDK: where Prometheus can scrape it, and how to flush and stop it. */
export interface CliTelemetry {
  /** The Prometheus endpoint, when `--metrics-port` was given. */
  readonly metricsUrl: string | undefined;
  /** Whether traces and metrics go to an OTLP endpoint. */
  readonly otlp: boolean;
  /** Flushes what is pending and stops the exporters. */
  close(): Promise<void>;
}

const OTLP_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
] as const;

/** Whether the environment names an OTLP endpoint for traces or metrics. */
export function otlpConfigured(env: Readonly<Record<string, string | undefined>>): boolean {
  return OTLP_VARIABLES.some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * Registers a tracer and a meter provider with the OpenTelemetry API, for the command's Retouch client
 * to find; `undefined` when neither a metrics port nor an OTLP endpoint is configured.
 */
export async function startCliTelemetry(options: {
  env: Readonly<Record<string, string | undefined>>;
  metricsPort?: number | undefined;
  /** The `service.name` unless `OTEL_SERVICE_NAME` says otherwise. */
  serviceName: string;
}): Promise<CliTelemetry | undefined> {
  const { env, metricsPort } = options;
  const otlp = otlpConfigured(env);
  if (metricsPort === undefined && !otlp) return undefined;
  const [
    api,
    { AsyncLocalStorageContextManager },
    { MeterProvider, PeriodicExportingMetricReader },
    resources,
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/resources'),
  ]);
  const resource = resources.resourceFromAttributes({
    'service.name': env.OTEL_SERVICE_NAME?.trim() || options.serviceName,
  });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const readers = [];
  let metricsUrl: string | undefined;
  if (metricsPort !== undefined) {
    const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
    const exporter = new PrometheusExporter({ port: metricsPort, preventServerStart: true });
    await exporter.startServer();
    metricsUrl = `http://localhost:${metricsPort}${PrometheusExporter.DEFAULT_OPTIONS.endpoint}`;
    readers.push(exporter);
  }
  const closers: (() => Promise<void>)[] = [];
  if (otlp) {
    const [{ OTLPMetricExporter }, { OTLPTraceExporter }, { TracerProvider, BatchSpanProcessor }] =
      await Promise.all([
        import('@opentelemetry/exporter-metrics-otlp-http'),
        import('@opentelemetry/exporter-trace-otlp-http'),
        import('@opentelemetry/sdk-trace'),
      ]);
    readers.push(new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter() }));
    const tracerProvider = new TracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
    });
    api.trace.setGlobalTracerProvider(tracerProvider);
    closers.push(() => tracerProvider.shutdown());
  }
  const meterProvider = new MeterProvider({ resource, readers });
  api.metrics.setGlobalMeterProvider(meterProvider);
  closers.push(() => meterProvider.shutdown());
  return {
    metricsUrl,
    otlp,
    async close() {
      await Promise.allSettled(closers.map((close) => close()));
      api.trace.disable();
      api.metrics.disable();
      api.context.disable();
    },
  };
}
