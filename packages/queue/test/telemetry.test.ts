import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { createEditQueue, createEditWorker } from '../src/index.ts';
import { describeWithRedis, uniqueName, useRedisServer } from './support/redis.ts';
import {
  createWireProvider,
  startWireServer,
  type WireServer,
  wireRequest,
} from './support/wire-provider.ts';

const redisUrl = useRedisServer();
let server: WireServer | undefined;
let directory: string;
const exporter = new InMemorySpanExporter();
let provider: TracerProvider;
const opened: { close(): Promise<void> }[] = [];

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'retouch-queue-trace-'));
  provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  for (const each of opened.splice(0).reverse()) await each.close();
  await server?.close();
  await provider.shutdown();
  exporter.reset();
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
});
