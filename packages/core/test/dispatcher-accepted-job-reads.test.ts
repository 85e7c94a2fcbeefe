import { ApiCallError, createRetouch, type EditRequest, type ProgressEvent } from '@retouch/core';
import { afterEach, describe, expect, test } from 'vitest';
import { createHttpProvider, type ScriptedServer, startScriptedServer } from './support/http-provider.ts';

const request = (extra: Partial<EditRequest> = {}): EditRequest => ({
  model: 'wire:model',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
  ...extra,
});

const servers: ScriptedServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function start(): Promise<ScriptedServer> {
  const server = await startScriptedServer();
  servers.push(server);
  return server;
}

describe('reads of an accepted job', () => {
  test('are retried past maxRetries: five failed reads with maxRetries 2 still bring the paid result', async () => {
    const server = await start();
    server.script(
      'GET /jobs',
      ...Array.from({ length: 5 }, () => ({ status: 500, body: { error: 'boom' } })),
    );
    const events: ProgressEvent[] = [];
    const retouch = createRetouch({
      providers: [createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 10 })],
      retry: { maxRetries: 2, initialDelayMs: 10, maxDelayMs: 20 },
      onProgress: (event) => events.push(event),
    });
    const job = await retouch.submit(request());
    const result = await job.result();

    expect(result.jobId).toBe('job-1');
    expect(server.billed).toHaveLength(1);
    expect(server.receivedOn('GET /jobs').length).toBeGreaterThanOrEqual(7);
    const retries = events.filter((event) => event.type === 'retrying');
    expect(retries).toHaveLength(5);
    expect(retries.at(-1)!.reason).toMatch(/job job-1 was accepted and may be billed/);
    expect(retries.at(-1)!.reason).toMatch(/no deadline/);
    expect(retries.at(-1)!.reason).toMatch(/5 failed reads in a row/);
    await retouch.close();
  });

  test('a read that hangs is abandoned early enough for another read to bring the result before the deadline', async () => {
    const server = await start();
    server.script('GET /jobs', 'hang');
    const retouch = createRetouch({
      providers: [createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 10 })],
      retry: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    const job = await retouch.submit(request({ timeoutMs: 3_000 }));
    const result = await job.result();

    expect(result.jobId).toBe('job-1');
    expect(server.receivedOn('GET /jobs').length).toBeGreaterThanOrEqual(2);
    expect(server.billed).toHaveLength(1);
    await retouch.close();
  });

  test('a 404 on the status of a job that was accepted fails it, saying the provider no longer knows the job', async () => {
    const server = await start();
    server.script('GET /jobs', { status: 404, body: { error: { type: 'resource_not_found' } } });
    const retouch = createRetouch({
      providers: [createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 10 })],
    });
    const job = await retouch.submit(request());
    const error = await job.result().catch((caught: unknown) => caught);

    expect(ApiCallError.isInstance(error)).toBe(true);
    expect((error as ApiCallError).statusCode).toBe(404);
    expect((error as Error).message).toMatch(/no longer knows job job-1/);
    expect(server.receivedOn('GET /jobs')).toHaveLength(1);
    await retouch.close();
  });

  test('with a deadline, failing reads go on until the deadline, which then fails the job as a timeout', async () => {
    const server = await start();
    server.script('GET /jobs', ...Array.from({ length: 500 }, () => ({ status: 503 })));
    const retouch = createRetouch({
      providers: [createHttpProvider({ baseURL: server.url, jobs: true, pollIntervalMs: 10 })],
      retry: { maxRetries: 1, initialDelayMs: 10, maxDelayMs: 20 },
    });
    const job = await retouch.submit(request({ timeoutMs: 600 }));
    const error = await job.result().catch((caught: unknown) => caught);

    expect((error as Error).name).toBe('TimeoutError');
    expect((error as Error).message).toMatch(/timeoutMs \(600 ms\)/);
    expect(server.receivedOn('GET /jobs').length).toBeGreaterThan(3);
    await retouch.close();
  });
});
