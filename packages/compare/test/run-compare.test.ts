import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { runCompare } from '../src/run-compare.ts';
import { temporaryDirectory } from './support/io.ts';
import { SAMPLE_IMAGE_PATH } from './support/sample.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('runCompare', () => {
  it('sends each model its own way through one adapter per provider, as the wire shows', async () => {
    const oxenSimulator = await startOxenSimulator({});
    const edenSimulator = await startEdenAISimulator({});
    cleanups.push(
      () => oxenSimulator.close(),
      () => edenSimulator.close(),
    );
    const oxen = createOxen({
      mode: 'sync',
      baseURL: oxenSimulator.url,
      apiKey: oxenSimulator.apiKey,
      pollIntervalMs: 50,
    });
    const edenai = createEdenAI({
      transport: 'multipart',
      baseURL: edenSimulator.url,
      apiKey: edenSimulator.apiKey,
    });
    cleanups.push(() => oxen.close());
    const outDir = await temporaryDirectory();
    const events: string[] = [];
    const { results, files } = await runCompare({
      providers: [oxen, edenai],
      models: [
        { model: 'oxen:qwen-image-edit' },
        { model: 'oxen:gpt-image-2', providerOptions: { oxen: { mode: 'sse' } } },
        { model: 'oxen:flux-kontext-dev', providerOptions: { oxen: { mode: 'queue' } } },
        {
          model: 'edenai:openai/gpt-image-1-mini',
          mode: 'json + upload',
          providerOptions: { edenai: { transport: 'json', upload: 'always' } },
        },
        { model: 'edenai:google/gemini-2.5-flash-image' },
      ],
      prompt: 'Add a moon',
      images: [{ path: SAMPLE_IMAGE_PATH }],
      outDir,
      onProgress: (event) => events.push(`${event.type}:${event.row}`),
    });
    expect(results.summary).toMatchObject({ runs: 5, succeeded: 5, failed: 0 });
    expect(results.rows.map((row) => [row.provider, row.mode])).toEqual([
      ['oxen', 'sync'],
      ['oxen', 'sse'],
      ['oxen', 'queue'],
      ['edenai', 'json + upload'],
      ['edenai', 'default'],
    ]);
    expect(files.report).toBe(join(outDir, 'report.html'));

    const oxenRoutes = oxenSimulator.requests.map(
      (request) => `${request.route}:${(request.body as { model?: string })?.model ?? ''}`,
    );
    expect(oxenRoutes).toContain('POST /api/ai/images/edit:qwen-image-edit');
    expect(oxenRoutes).not.toContain('POST /api/ai/queue:qwen-image-edit');
    expect(oxenRoutes).toContain('POST /api/ai/queue:gpt-image-2');
    expect(oxenRoutes).toContain('POST /api/ai/queue:flux-kontext-dev');
    expect(oxenRoutes.filter((route) => route.startsWith('GET /api/events'))).toHaveLength(1);
    // The queued job is followed by polling its status, the streamed one by its event alone.
    const jobOf = (model: string) => results.runs.find((run) => run.model === model)!.jobId!;
    const polled = (jobId: string) =>
      oxenSimulator.requests.filter((request) => request.path === `/api/ai/queue/${jobId}`);
    expect(polled(jobOf('oxen:flux-kontext-dev')).length).toBeGreaterThan(0);
    expect(polled(jobOf('oxen:gpt-image-2'))).toEqual([]);
    // No model parameter named after a mode reached Oxen.
    for (const request of oxenSimulator.requests) expect(request.body ?? {}).not.toHaveProperty('mode');

    const edits = edenSimulator.requests.filter((request) => request.route === 'POST /v3/images/edits');
    const mini = edits.find((request) => JSON.stringify(request.body).includes('gpt-image-1-mini'))!;
    expect(mini.headers['content-type']).toContain('application/json');
    expect(mini.body).toEqual({
      model: 'openai/gpt-image-1-mini',
      prompt: 'Add a moon',
      images: [{ file_id: expect.any(String) }],
    });
    expect(edenSimulator.requests.some((request) => request.route === 'POST /v3/upload')).toBe(true);
    const gemini = edits.find((request) =>
      JSON.stringify(request.body).includes('google/gemini-2.5-flash-image'),
    )!;
    expect(gemini.headers['content-type']).toContain('multipart/form-data');

    for (const row of [0, 1, 2, 3, 4]) {
      expect(events).toContain(`started:${row}`);
      expect(events.at(-1)).toMatch(/^succeeded:/);
      expect(events.filter((event) => event === `succeeded:${row}`)).toHaveLength(1);
    }
  });

  it('records a failed edit with its error and keeps comparing', async () => {
    const oxenSimulator = await startOxenSimulator({});
    cleanups.push(() => oxenSimulator.close());
    oxenSimulator.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'status', status: 400, times: 1 }]);
    const outDir = await temporaryDirectory();
    const { results } = await runCompare({
      providers: [createOxen({ mode: 'sync', baseURL: oxenSimulator.url, apiKey: oxenSimulator.apiKey })],
      models: [{ model: 'oxen:qwen-image-edit' }],
      prompt: 'Add a moon',
      images: [{ path: SAMPLE_IMAGE_PATH }],
      repeat: 2,
      retry: { maxRetries: 0 },
      editOptions: { aspectRatio: '3:2' },
      outDir,
    });
    expect(results.rows[0]).toMatchObject({ status: 'partial', succeeded: 1, failed: 1, mode: 'sync' });
    const failed = results.runs.find((entry) => entry.status === 'failed')!;
    expect(failed.error).toMatchObject({ name: 'ApiCallError', statusCode: 400 });
    const html = await readFile(join(outDir, 'report.html'), 'utf8');
    expect(html).toContain('<strong>ApiCallError</strong>');
  });

  it('counts the retries of each run', async () => {
    const edenSimulator = await startEdenAISimulator({});
    cleanups.push(() => edenSimulator.close());
    edenSimulator.setFaults([
      { route: 'POST /v3/images/edits', kind: 'rate-limit', retryAfterSeconds: 0.05, times: 1 },
    ]);
    const events: string[] = [];
    const attempts: (number | undefined)[] = [];
    const { results } = await runCompare({
      providers: [createEdenAI({ baseURL: edenSimulator.url, apiKey: edenSimulator.apiKey })],
      models: [{ model: 'edenai:openai/gpt-image-2' }],
      prompt: 'Add a moon',
      images: [{ path: SAMPLE_IMAGE_PATH }],
      retry: { initialDelayMs: 10 },
      outDir: await temporaryDirectory(),
      onProgress: (event) => {
        events.push(event.type);
        if (event.type === 'retrying') attempts.push(event.attempt);
      },
    });
    expect(results.rows[0]).toMatchObject({ status: 'succeeded', retries: 1 });
    // The first attempt was refused, so the one announced is the second.
    expect(attempts).toEqual([2]);
    expect(results.runs[0]!.retries).toBe(1);
    expect(events.filter((type) => type !== 'status')).toEqual([
      'queued',
      'started',
      'retrying',
      'started',
      'succeeded',
    ]);
  });
});
