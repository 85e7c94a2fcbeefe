/**
 * Secrets in telemetry: no span name, attribute, event or status, no metric attribute and no log line
 * shows an API key, through a workload with faults on both providers (429s, errors after sending,
 * garbled answers, failed jobs, a reset upload) and a refused wrong key. The suite's watch reads all
 * of it, as it reads errors and results.
 */
import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createRetouch, type EditRequest, type RetouchLogFields } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, expect, test } from 'vitest';
import { pngBytes } from './support/png.ts';
import { findingsOf, inspect, secretKey } from './support/secrets.ts';

class OnDemandReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test('no key in any span, event, metric attribute or log line', async () => {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  });
  const reader = new OnDemandReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  cleanups.push(async () => {
    await tracerProvider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    metrics.disable();
    delete (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')];
  });
  const [oxenSim, edenSim] = await Promise.all([
    startOxenSimulator({ apiKey: secretKey('oxen'), jobSchedule: { queuedMs: 5, processingMs: 20 } }),
    startEdenAISimulator({ apiKey: secretKey('edenai'), rateLimit: false }),
  ]);
  cleanups.push(
    () => oxenSim.close(),
    () => edenSim.close(),
  );
  oxenSim.setFaults([
    { route: 'POST /api/ai/queue', kind: 'rate-limit', retryAfterSeconds: 0.1, times: 1 },
    { route: 'POST /api/ai/queue', kind: 'status', status: 500, after: 2, times: 1 },
    { route: 'GET /api/ai/queue/:id', kind: 'malformed-json', times: 1 },
  ]);
  edenSim.setFaults([
    { route: 'POST /v3/images/edits', kind: 'status', status: 503, times: 1 },
    { route: 'POST /v3/images/edits', kind: 'schema-violation', after: 3, times: 1 },
    { route: 'POST /v3/upload', kind: 'reset-before-body', times: 1 },
  ]);
  const lines: { fields: RetouchLogFields; message: string }[] = [];
  const logger = {
    info: (fields: RetouchLogFields, message: string) => lines.push({ fields, message }),
    warn: (fields: RetouchLogFields, message: string) => lines.push({ fields, message }),
  };
  const retouch = createRetouch({
    providers: [
      createOxen({ apiKey: oxenSim.apiKey, baseURL: oxenSim.url, mode: 'queue', pollIntervalMs: 20 }),
      createEdenAI({ apiKey: edenSim.apiKey, baseURL: edenSim.url, upload: 'auto' }),
    ],
    retry: { initialDelayMs: 20, maxDelayMs: 100 },
    fallback: ['edenai:google/gemini-2.5-flash-image'],
    logger,
  });
  cleanups.push(() => retouch.close());
  const requests: EditRequest[] = [
    { model: 'oxen:qwen-image-edit', prompt: 'add a hat', images: ['https://example.com/a.png'] },
    { model: 'oxen:gpt-image-2', prompt: 'add a hat', images: [pngBytes()] },
    { model: 'oxen:flux-kontext-dev', prompt: 'add a hat', images: ['https://example.com/a.png'] },
    { model: 'edenai:openai/gpt-image-2', prompt: 'add a hat', images: [pngBytes()] },
    {
      model: 'edenai:openai/gpt-image-1-mini',
      prompt: 'add a hat',
      images: [pngBytes({ width: 300, height: 300 })],
    },
    { model: 'edenai:bfl/flux-kontext-pro', prompt: 'add a hat', images: ['https://example.com/a.png'] },
  ];
  let outcomes = 0;
  for await (const outcome of retouch.editMany(requests)) {
    outcomes++;
    inspect('telemetry: outcome', outcome.ok ? outcome.result : outcome.error);
  }
  const wrongKey = secretKey('oxen');
  const wrong = createRetouch({
    providers: [createOxen({ apiKey: wrongKey, baseURL: oxenSim.url, mode: 'sync' })],
    logger,
  });
  await wrong.edit(requests[0]!).catch(() => undefined);
  await wrong.close();
  await retouch.close();

  expect(outcomes).toBe(requests.length);
  const finished = spans.getFinishedSpans();
  expect(finished.filter((span) => span.name === 'retouch.edit').length).toBe(requests.length + 1);
  expect(finished.some((span) => span.attributes['http.response.status_code'] === 429)).toBe(true);
  expect(lines.length).toBeGreaterThan(0);
  for (const span of finished) {
    inspect(`telemetry: span ${span.name}`, {
      name: span.name,
      attributes: span.attributes,
      events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
      status: span.status,
      links: span.links,
    });
  }
  const { resourceMetrics } = await reader.collect();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      inspect(
        `telemetry: metric ${metric.descriptor.name}`,
        metric.dataPoints.map((point) => point.attributes),
      );
    }
  }
  for (const line of lines) inspect(`telemetry: log line ${line.fields.event}`, line);
  // The watch sees a key planted where telemetry would carry it.
  const planted = findingsOf(() =>
    inspect('planted span', { attributes: { 'url.full': `x?key=${wrongKey}` } }),
  );
  expect(planted.length).toBeGreaterThan(0);
});
