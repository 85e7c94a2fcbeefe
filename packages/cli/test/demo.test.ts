import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { runCompare } from '../src/compare.ts';
import { type CompareResults, CSV_COLUMNS } from '../src/results.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run, temporaryDirectory } from './support/io.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('retouch demo', () => {
  it('compares five models over the simulators and writes the report, JSON and CSV', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(['demo', '--repeat', '1'], { cwd });
    expect(result.stderr).toContain('Retouch demo: 5 models');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('5 edits: 5 succeeded, 0 failed');
    expect(result.stdout).toContain('Report:  .retouch-out/demo/report.html');
    const outDir = join(cwd, '.retouch-out', 'demo');
    await access(join(outDir, 'report.html'));
    const results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as CompareResults;
    expect(results.simulated).toBe(true);
    expect(results.rows.map((row) => [row.model, row.mode, row.status])).toEqual([
      ['oxen:qwen-image-edit', 'sync', 'succeeded'],
      ['oxen:gpt-image-2-edit', 'sse', 'succeeded'],
      ['oxen:flux-kontext-dev', 'queue', 'succeeded'],
      ['edenai:google/gemini-2.5-flash-image', 'json + upload', 'succeeded'],
      ['edenai:openai/gpt-image-1-mini', 'multipart', 'succeeded'],
    ]);
    for (const row of results.rows) {
      expect(row.costPerImageUsd).toBeGreaterThan(0);
      expect(row.latency!.medianMs).toBeGreaterThan(0);
    }
    const csv = (await readFile(join(outDir, 'results.csv'), 'utf8')).split('\r\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + 5 + 1);
    for (const input of results.inputs) await access(join(outDir, input.file!));
    for (const saved of results.runs.flatMap((entry) => entry.images)) await access(join(outDir, saved.file));
  });
});

describe('runCompare', () => {
  it('sends each model through its own adapter mode in one client, as the wire shows', async () => {
    const oxenSimulator = await startOxenSimulator({});
    const edenSimulator = await startEdenAISimulator({});
    cleanups.push(
      () => oxenSimulator.close(),
      () => edenSimulator.close(),
    );
    const oxen = (mode: 'sync' | 'sse') =>
      createOxen({ mode, baseURL: oxenSimulator.url, apiKey: oxenSimulator.apiKey, pollIntervalMs: 50 });
    const edenai = (transport: 'json' | 'multipart', upload?: 'always') =>
      createEdenAI({
        transport,
        ...(upload ? { upload } : {}),
        baseURL: edenSimulator.url,
        apiKey: edenSimulator.apiKey,
      });
    const outDir = await temporaryDirectory();
    const events: string[] = [];
    const { results, files } = await runCompare({
      providers: [oxen('sync'), edenai('multipart')],
      models: [
        { model: 'oxen:qwen-image-edit', mode: 'sync' },
        { model: 'oxen:gpt-image-2-edit', mode: 'sse', adapter: oxen('sse') },
        { model: 'edenai:google/gemini-2.5-flash-image', mode: 'json', adapter: edenai('json', 'always') },
        { model: 'edenai:openai/gpt-image-1-mini', mode: 'multipart' },
      ],
      prompt: 'Add a moon',
      images: [{ path: SAMPLE_IMAGE_PATH }],
      outDir,
      onProgress: (event) => events.push(`${event.type}:${event.row}`),
    });
    expect(results.summary).toMatchObject({ runs: 4, succeeded: 4, failed: 0 });
    expect(results.rows.map((row) => row.provider)).toEqual(['oxen', 'oxen', 'edenai', 'edenai']);
    expect(files.report).toBe(join(outDir, 'report.html'));

    const oxenRoutes = oxenSimulator.requests.map(
      (request) => `${request.route}:${(request.body as { model?: string })?.model ?? ''}`,
    );
    expect(oxenRoutes).toContain('POST /api/ai/images/edit:qwen-image-edit');
    expect(oxenRoutes).toContain('POST /api/ai/queue:gpt-image-2-edit');
    expect(oxenRoutes).toContain('GET /api/events:');
    expect(oxenRoutes).not.toContain('POST /api/ai/queue:qwen-image-edit');

    const edits = edenSimulator.requests.filter((request) => request.route === 'POST /v3/images/edits');
    const gemini = edits.find((request) =>
      JSON.stringify(request.body).includes('google/gemini-2.5-flash-image'),
    )!;
    expect(gemini.headers['content-type']).toContain('application/json');
    expect((gemini.body as { images: unknown[] }).images).toEqual([{ file_id: expect.any(String) }]);
    expect(edenSimulator.requests.some((request) => request.route === 'POST /v3/upload')).toBe(true);
    const mini = edits.find((request) => JSON.stringify(request.body).includes('gpt-image-1-mini'))!;
    expect(mini.headers['content-type']).toContain('multipart/form-data');

    for (const row of [0, 1, 2, 3]) {
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
    const { results } = await runCompare({
      providers: [createEdenAI({ baseURL: edenSimulator.url, apiKey: edenSimulator.apiKey })],
      models: [{ model: 'edenai:openai/gpt-image-2' }],
      prompt: 'Add a moon',
      images: [{ path: SAMPLE_IMAGE_PATH }],
      retry: { initialDelayMs: 10 },
      outDir: await temporaryDirectory(),
      onProgress: (event) => events.push(event.type),
    });
    expect(results.rows[0]).toMatchObject({ status: 'succeeded', retries: 1 });
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
