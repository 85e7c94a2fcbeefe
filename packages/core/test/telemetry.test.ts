import { createRetouch, type EditRequest, type RetouchLogFields } from '@retouch/core';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createHttpProvider, type ScriptedServer, startScriptedServer } from './support/http-provider.ts';
import { registerTestTelemetry, type TestTelemetry } from './support/telemetry-sdk.ts';

const request: EditRequest = {
  model: 'wire:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
};
const fastRetry = { maxRetries: 3, initialDelayMs: 10, maxDelayMs: 50 };
const limits = { wire: { requestsPerSecond: 200 } };
const bothLimits = { ...limits, spare: { requestsPerSecond: 200 } };

let telemetry: TestTelemetry;
const servers: ScriptedServer[] = [];
beforeEach(() => {
  telemetry = registerTestTelemetry();
});
afterEach(async () => {
  await telemetry.shutdown();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(): Promise<ScriptedServer> {
  const started = await startScriptedServer();
  servers.push(started);
  return started;
}

describe('traces', () => {
  test('a 429 then a success: one edit span, two attempt spans, the wait, the Retry-After and the cost', async () => {
    const wire = await server();
    wire.script('POST /edit', {
      status: 429,
      headers: { 'retry-after': '0.05' },
      body: { detail: 'slow down' },
    });
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: wire.url })],
      retry: fastRetry,
    });
    const result = await retouch.edit(request);
    await retouch.close();

    const [edit, ...others] = telemetry.spansNamed('retouch.edit');
    expect(others).toHaveLength(0);
    expect(edit!.attributes).toMatchObject({
      'gen_ai.operation.name': 'generate_content',
      'gen_ai.provider.name': 'wire',
      'gen_ai.request.model': 'model-a',
      'retouch.outcome': 'succeeded',
      'retouch.cost.usd': 0.02,
      'retouch.cost.source': 'reported',
      'retouch.retries': 1,
      'retouch.fallbacks': 0,
    });
    expect(result.cost?.usd).toBe(0.02);

    const attempts = telemetry.spansNamed('retouch.attempt');
    expect(attempts.map((span) => span.attributes['retouch.attempt'])).toEqual([1, 2]);
    for (const attempt of attempts)
      expect(attempt.parentSpanContext?.spanId).toBe(edit!.spanContext().spanId);

    const requests = telemetry.spansNamed('POST');
    expect(requests.map((span) => span.attributes['http.response.status_code'])).toEqual([429, 200]);
    expect(requests.map((span) => span.parentSpanContext?.spanId)).toEqual(
      attempts.map((span) => span.spanContext().spanId),
    );
    expect(requests[0]!.attributes['retouch.retry_after_ms']).toBe(50);
    // Each request carries its wait at the lane's gate (the second one's spans the pause after the 429).
    for (const span of requests) expect(span.attributes['retouch.lane.wait_ms']).toEqual(expect.any(Number));
    expect(requests[0]!.attributes['url.full']).toBe(`${wire.url}/edit`);
  });

  test('a fallback names both providers, and the failed send that may be billed is an event', async () => {
    const primary = await server();
    const spare = await server();
    primary.script('POST /edit', { status: 500, body: { detail: 'boom' } });
    const retouch = createRetouch({
      limits: bothLimits,
      providers: [
        createHttpProvider({ baseURL: primary.url }),
        createHttpProvider({ baseURL: spare.url, id: 'spare' }),
      ],
      retry: fastRetry,
      fallback: ['spare:model-b'],
    });
    const result = await retouch.edit(request);
    await retouch.close();

    expect(result.model).toBe('spare:model-b');
    const [edit] = telemetry.spansNamed('retouch.edit');
    expect(edit!.attributes).toMatchObject({
      'gen_ai.provider.name': 'spare',
      'gen_ai.request.model': 'model-a',
      'gen_ai.response.model': 'model-b',
      'retouch.fallbacks': 1,
      'retouch.models_tried': ['wire:model-a', 'spare:model-b'],
      'retouch.providers_tried': ['wire', 'spare'],
    });
    expect(edit!.events.map((event) => event.name)).toEqual(['retouch.possibly_billed', 'retouch.fallback']);
    expect(await telemetry.total('retouch.possibly_billed')).toBe(1);
  });
});

describe('metrics', () => {
  test('after 100 edits the totals equal the results: edits, cost and 429s', async () => {
    const wire = await server();
    // Every seventh answer a 429; the costs vary, so the sum checks every one.
    const scripted = Array.from({ length: 100 }, (_, index) =>
      index % 7 === 3
        ? { status: 429, headers: { 'retry-after': '0.01' }, body: { detail: 'slow down' } }
        : { status: 200, body: { images: [{ b64_json: 'iVBORw0KGgo=' }], cost: 0.01 + (index % 3) * 0.01 } },
    );
    wire.script('POST /edit', ...scripted);
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: wire.url })],
      retry: { ...fastRetry, maxRateLimitRetries: 10 },
      budget: { maxUsd: 100, unknownCost: 'allow' },
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => retouch.edit(request)));
    await retouch.close();

    const spent = results.reduce((sum, result) => sum + (result.cost?.usd ?? 0), 0);
    const rateLimited = wire.receivedOn('POST /edit').length - results.length;
    expect(rateLimited).toBeGreaterThan(0);
    expect(await telemetry.total('retouch.edits')).toBe(100);
    expect(await telemetry.total('retouch.edits', { 'retouch.outcome': 'succeeded' })).toBe(100);
    expect(await telemetry.total('retouch.cost')).toBeCloseTo(spent, 9);
    expect(await telemetry.total('retouch.rate_limited')).toBe(rateLimited);
    expect(telemetry.spansNamed('retouch.edit')).toHaveLength(100);
    const durations = telemetry.points('retouch.edit.duration');
    expect(durations.reduce((count, point) => count + (point.value as { count: number }).count, 0)).toBe(100);
  });

  test('the gauges read the lanes and the budget left', async () => {
    const wire = await server();
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: wire.url })],
      budget: { maxUsd: 1, unknownCost: 'allow' },
    });
    await retouch.edit(request);
    await telemetry.collect();
    expect(telemetry.points('retouch.budget.remaining').map((point) => point.value)).toEqual([0.98]);
    expect(telemetry.points('retouch.lane.in_flight')).toMatchObject([
      { attributes: { 'gen_ai.provider.name': 'wire' }, value: 0 },
    ]);
    expect(telemetry.points('retouch.lane.queue_depth')).toHaveLength(1);
    await retouch.close();
  });

  test('a refusal by the budget is counted', async () => {
    const wire = await server();
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: wire.url })],
      budget: { maxUsd: 1 },
    });
    await expect(retouch.edit(request)).rejects.toThrow(/cannot be estimated/);
    await retouch.close();
    expect(await telemetry.total('retouch.budget.refusals')).toBe(1);
  });
});

describe('the logger', () => {
  test('is told of retries, possibly billed edits and fallbacks, with the key redacted', async () => {
    await telemetry.shutdown();
    const primary = await server();
    const spare = await server();
    primary.script('POST /edit', { status: 429, headers: { 'retry-after': '0.01' } }, { status: 500 });
    const lines: { level: string; fields: RetouchLogFields; message: string }[] = [];
    const logger = {
      info: (fields: RetouchLogFields, message: string) => lines.push({ level: 'info', fields, message }),
      warn: (fields: RetouchLogFields, message: string) => lines.push({ level: 'warn', fields, message }),
    };
    const retouch = createRetouch({
      limits: bothLimits,
      providers: [
        createHttpProvider({ baseURL: primary.url, apiKey: 'sk-live-telemetry-key-0123456789' }),
        createHttpProvider({ baseURL: spare.url, id: 'spare' }),
      ],
      retry: fastRetry,
      fallback: ['spare:model-b'],
      logger,
    });
    await retouch.edit(request);
    await retouch.close();
    expect(lines.map((line) => line.fields.event)).toEqual([
      'retouch.retry',
      'retouch.possibly_billed',
      'retouch.fallback',
    ]);
    expect(lines.every((line) => line.level === 'warn')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('sk-live-telemetry-key-0123456789');
    telemetry = registerTestTelemetry();
  });

  test('createRetouch names the fix for a logger that is not one', () => {
    expect(() =>
      createRetouch({
        providers: [createHttpProvider({ baseURL: 'http://127.0.0.1:9' })],
        logger: {} as never,
      }),
    ).toThrow(/logger.*info\(\) and warn\(\)/);
  });
});

test('with no SDK registered, an edit has no observer and makes no span', async () => {
  await telemetry.shutdown();
  const wire = await server();
  const retouch = createRetouch({ limits, providers: [createHttpProvider({ baseURL: wire.url })] });
  await retouch.edit(request);
  await retouch.close();
  expect(telemetry.spans()).toHaveLength(0);
  telemetry = registerTestTelemetry();
});
