import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createEditQueue, createEditWorker } from '../src/index.ts';
import { describeWithRedis, uniqueName, until, useRedisServer } from './support/redis.ts';
import {
  createWireProvider,
  startWireServer,
  type WireServer,
  wireRequest,
} from './support/wire-provider.ts';

const redisUrl = useRedisServer();
let server: WireServer | undefined;
let directory: string;
let exporter: InMemorySpanExporter;
let provider: TracerProvider;
const opened: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'retouch-queue-trace-'));
  exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
  await server?.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
  delete (globalThis as Record<symbol, unknown>)[Symbol.for('opentelemetry.js.api.1')];
  await rm(directory, { recursive: true, force: true });
});

describeWithRedis('traces across processes', () => {
  test("a worker's span is a child of the span that added the edit, and the edit's span is its child", async () => {
    server = await startWireServer();
    const name = uniqueName('traced');
    const edits = createEditQueue({ connection: redisUrl(), name });
    opened.push(edits);
    const worker = createEditWorker({
      connection: redisUrl(),
      name,
      providers: [createWireProvider({ baseURL: server.url, jobs: false })],
      output: join(directory, 'out'),
      handleSignals: false,
    });
    opened.push(worker);
    const added = await trace.getTracer('test').startActiveSpan('nightly batch', async (span) => {
      try {
        return await edits.add(wireRequest('add a hat'), { jobId: 'traced-1' });
      } finally {
        span.end();
      }
    });
    await added.result();
    await worker.close();

    const spans = exporter.getFinishedSpans();
    const named = (spanName: string) => spans.find((span) => span.name === spanName)!;
    const batch = named('nightly batch');
    const add = named('retouch.queue.add');
    const processed = named('retouch.queue.process');
    const edit = named('retouch.edit');
    expect(add.parentSpanContext?.spanId).toBe(batch.spanContext().spanId);
    expect(processed.parentSpanContext?.spanId).toBe(add.spanContext().spanId);
    expect(processed.parentSpanContext?.isRemote).toBe(true);
    expect(edit.parentSpanContext?.spanId).toBe(processed.spanContext().spanId);
    for (const span of [add, processed, edit])
      expect(span.spanContext().traceId).toBe(batch.spanContext().traceId);
  });

  test('a worker that resumes a job links its span to the span of the worker that started it', async () => {
    server = await startWireServer({ jobMs: 1_500 });
    const name = uniqueName('resumed');
    const edits = createEditQueue({ connection: redisUrl(), name });
    opened.push(edits);
    const settings = {
      connection: redisUrl(),
      name,
      providers: [createWireProvider({ baseURL: server.url, jobs: true })],
      output: join(directory, 'out'),
      handleSignals: false,
    };
    const first = createEditWorker({ ...settings, shutdownGraceMs: 50 });
    opened.push(first);
    const edit = await edits.add(wireRequest('hand me over'), { jobId: 'resumed-1' });
    await until(() => server!.arrivals.some((arrival) => arrival.route === 'GET /jobs/:id'));
    await first.close();
    const second = createEditWorker(settings);
    opened.push(second);
    expect((await edit.result()).resumed).toBe(true);
    await second.close();

    const processed = exporter.getFinishedSpans().filter((span) => span.name === 'retouch.queue.process');
    expect(processed).toHaveLength(2);
    const [started, resumed] = processed;
    expect(started!.links).toEqual([]);
    expect(resumed!.links.map((link) => link.context.spanId)).toEqual([started!.spanContext().spanId]);
    // Both continue the trace of the span that added the job.
    const add = exporter.getFinishedSpans().find((span) => span.name === 'retouch.queue.add')!;
    for (const span of processed) expect(span.parentSpanContext?.spanId).toBe(add.spanContext().spanId);
  });
});
