import {
  ApiCallError,
  createRetouch,
  type EditRequest,
  type ProgressEvent,
  RateLimitError,
  TimeoutError,
} from '@retouch/core';
import { afterEach, describe, expect, test } from 'vitest';
import {
  createHttpProvider,
  type ScriptedServer,
  startScriptedServer,
  unusedPort,
} from './support/http-provider.ts';

const request: EditRequest = {
  model: 'wire:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
};
const fastRetry = { maxRetries: 3, initialDelayMs: 20, maxDelayMs: 100 };
// A fixed rate: these tests are about what is resent, not about the lane learning a rate.
const limits = { wire: { requestsPerSecond: 50 } };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('no double submission: a billable POST is resent only when provably not accepted', () => {
  test('429 with a Retry-After header: resent after the pause, billed once', async () => {
    server = await startScriptedServer();
    server.script('POST /edit', {
      status: 429,
      headers: { 'retry-after': '0.2' },
      body: { detail: 'slow down' },
    });
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: fastRetry,
    });
    const result = await retouch.edit(request);

    expect(result.cost).toEqual({ usd: 0.02, source: 'reported' });
    const posts = server.receivedOn('POST /edit');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(200);
    expect(server.billed).toHaveLength(1);
    await retouch.close();
  });

  test("429 with Eden AI's retry_after body field: the lane waits for it", async () => {
    server = await startScriptedServer();
    server.script('POST /edit', {
      status: 429,
      body: { detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED', retry_after: 0.25 },
    });
    const events: ProgressEvent[] = [];
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: fastRetry,
      onProgress: (event) => events.push(event),
    });
    await retouch.edit(request);
    const posts = server.receivedOn('POST /edit');
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(250);
    expect(events.find((event) => event.type === 'retrying')).toMatchObject({ delayMs: expect.any(Number) });
    expect(server.billed).toHaveLength(1);
    await retouch.close();
  });

  test('503: resent, billed once', async () => {
    server = await startScriptedServer();
    server.script('POST /edit', { status: 503, body: { detail: 'maintenance' } });
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: fastRetry,
    });
    await retouch.edit(request);
    expect(server.receivedOn('POST /edit')).toHaveLength(2);
    expect(server.billed).toHaveLength(1);
    expect(retouch.stats().retries).toBe(1);
    await retouch.close();
  });

  test('connection refused before anything was sent: resent once the provider is back', async () => {
    const port = await unusedPort();
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: `http://127.0.0.1:${port}` })],
      retry: { maxRetries: 5, initialDelayMs: 150, maxDelayMs: 300 },
    });
    let starting: Promise<ScriptedServer> | undefined;
    const unsubscribe = retouch.subscribe((event) => {
      if (event.type === 'retrying') starting ??= startScriptedServer({ port });
    });
    const result = await retouch.edit(request);
    server = await starting;
    unsubscribe();

    expect(result.images).toHaveLength(1);
    expect(server!.receivedOn('POST /edit')).toHaveLength(1);
    expect(server!.billed).toHaveLength(1);
    await retouch.close();
  });

  test('502 after the body was sent: not resent, and the error says the edit may have been accepted', async () => {
    server = await startScriptedServer();
    server.script('POST /edit', { status: 502, body: { detail: 'upstream provider error' } });
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: fastRetry,
    });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 502, provablyNotProcessed: false });
    expect((error as Error).message).toMatch(/may have accepted this billable request \(POST answered 502\)/);
    expect((error as Error).message).toMatch(/retryUnsafeSubmissions/);
    expect(server.receivedOn('POST /edit')).toHaveLength(1);
    expect(retouch.stats()).toMatchObject({ failed: 1, retries: 0 });
    await retouch.close();
  });

  test('502 with retryUnsafeSubmissions: resent, as the user chose (and billed twice)', async () => {
    server = await startScriptedServer();
    server.script('POST /edit', { status: 502, body: { detail: 'upstream provider error' } });
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: { ...fastRetry, retryUnsafeSubmissions: true },
    });
    await retouch.edit(request);
    expect(server.receivedOn('POST /edit')).toHaveLength(2);
    expect(server.billed).toHaveLength(2);
    await retouch.close();
  });

  test('connection reset after the body was sent: not resent', async () => {
    server = await startScriptedServer();
    server.script('POST /edit', 'reset');
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: fastRetry,
    });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true, provablyNotProcessed: false });
    expect((error as Error).message).toMatch(/may have accepted this billable request/);
    expect(server.receivedOn('POST /edit')).toHaveLength(1);
    await retouch.close();
  });

  test('no answer within the per-attempt timeout: not resent', async () => {
    server = await startScriptedServer();
    server.script('POST /edit', 'hang');
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url, timeoutMs: 150 })],
      retry: fastRetry,
    });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);

    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ stage: 'request' });
    expect((error as Error).message).toMatch(
      /may have accepted this billable request \(no response within 150 ms\)/,
    );
    expect(server.receivedOn('POST /edit')).toHaveLength(1);
    await retouch.close();
  });

  test('repeated 429s: retried up to maxRateLimitRetries, then the error says it gave up', async () => {
    server = await startScriptedServer();
    for (let index = 0; index < 4; index++) {
      server.script('POST /edit', {
        status: 429,
        headers: { 'retry-after': '0' },
        body: { detail: 'slow down' },
      });
    }
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: { ...fastRetry, maxRetries: 0, maxRateLimitRetries: 2 },
    });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);

    expect(RateLimitError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/gave up after 2 retries/);
    expect(server.receivedOn('POST /edit')).toHaveLength(3);
    expect(server.billed).toHaveLength(0);
    await retouch.close();
  });

  test('a queue enqueue is billable too, while its status polls retry freely', async () => {
    server = await startScriptedServer();
    server.script('GET /jobs', { status: 502, body: {} }, 'reset');
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 20 })],
      retry: fastRetry,
    });
    const job = await retouch.submit(request);
    const result = await job.result();

    expect(result.jobId).toBe(job.providerJobId);
    expect(server.receivedOn('POST /jobs')).toHaveLength(1);
    expect(server.receivedOn('GET /jobs').length).toBeGreaterThanOrEqual(4);
    expect(retouch.stats().retries).toBe(2);

    server.script('POST /jobs', { status: 500, body: { error: { type: 'unknown_error' } } });
    const error = await retouch.submit(request).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/may have accepted this billable request \(POST answered 500\)/);
    expect(server.receivedOn('POST /jobs')).toHaveLength(2);
    await retouch.close();
  });

  test('the API key goes to the provider only, and never into an error', async () => {
    server = await startScriptedServer();
    server.script('POST /edit', { status: 502, body: { detail: 'bad key wire-secret-key-123 echoed' } });
    const retouch = createRetouch({
      limits,
      providers: [createHttpProvider({ baseURL: server.url })],
      retry: fastRetry,
    });
    const error = await retouch.edit(request).catch((caught: unknown) => caught);
    expect(server.received[0]!.authorization).toBe('Bearer wire-secret-key-123');
    expect(JSON.stringify(error)).not.toContain('wire-secret-key-123');
    expect((error as Error).message).not.toContain('wire-secret-key-123');
    await retouch.close();
  });
});
