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

/**
 * The OTLP/HTTP endpoints the environment names: a signal's own variable, else the common one with the
 * signal's path, as the OpenTelemetry specification reads them.
 */
export function otlpEndpoints(env: Readonly<Record<string, string | undefined>>): {
  traces: string | undefined;
  metrics: string | undefined;
} {
  const common = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim().replace(/\/+$/, '') || undefined;
  return {
    traces: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || (common && `${common}/v1/traces`),
    metrics: env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT?.trim() || (common && `${common}/v1/metrics`),
  };
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
  const endpoints = otlpEndpoints(env);
  const otlp = endpoints.traces !== undefined || endpoints.metrics !== undefined;
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
  // The exporters read the other OTEL_EXPORTER_OTLP_* variables (headers, timeouts) themselves.
  if (endpoints.metrics) {
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    readers.push(
      new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: endpoints.metrics }) }),
    );
  }
  if (endpoints.traces) {
    const [{ OTLPTraceExporter }, { TracerProvider, BatchSpanProcessor }] = await Promise.all([
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace'),
    ]);
    const tracerProvider = new TracerProvider({
      resource,
      spanProcessors: [
        new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoints.traces }) }),
      ],
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
