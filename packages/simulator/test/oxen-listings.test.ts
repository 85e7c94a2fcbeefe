import { afterEach, describe, expect, it } from 'vitest';
import { type OxenSimulator, startOxenSimulator } from '../src/index.ts';
import { eventually, sleep } from './helpers.ts';

/*
 * Oxen's own records, as the published spec describes them: `GET /api/ai/queue` (the active rows,
 * or the rows of an explicit status) and `GET /api/ai/generations` (every generation, queued or
 * synchronous, in pages, with `cost` as a decimal string and the request's parameters in each row);
 * and the faults that leave a request billed with its answer lost.
 */

let sim: OxenSimulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const body = (prompt: string, model = 'qwen-image-edit') => ({
  model,
  prompt,
  input_image: 'https://example.com/a.png',
  aspect_ratio: '1:1',
});

async function call(options: { path: string; method?: string; json?: unknown }) {
  const response = await fetch(`${sim!.url}${options.path}`, {
    method: options.method ?? 'GET',
    headers: { Authorization: `Bearer ${sim!.apiKey}`, 'Content-Type': 'application/json' },
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

type Row = Record<string, unknown>;
const rowsOf = (json: Record<string, unknown>): Row[] => json.generations as Row[];

describe('GET /api/ai/generations', () => {
  it('lists queued and synchronous generations newest first, params merged in, cost as a decimal string', async () => {
    sim = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 5 } });
    const queued = await call({ path: '/api/ai/queue', method: 'POST', json: body('a hat') });
    const id = (rowsOf(queued.json)[0] as { generation_id: string }).generation_id;
    await eventually(() => (sim!.jobStatus(id) === 'succeeded' ? true : undefined));
    expect((await call({ path: '/api/ai/images/edit', method: 'POST', json: body('a scarf') })).status).toBe(
      200,
    );

    const listing = await call({ path: '/api/ai/generations' });
    expect(listing.json).toMatchObject({
      count: 2,
      page_number: 1,
      page_size: 50,
      total_pages: 1,
      total_entries: 2,
      total_cost: '0.0600',
    });
    const [newest, oldest] = rowsOf(listing.json);
    expect(newest).toMatchObject({
      prompt: 'a scarf',
      aspect_ratio: '1:1',
      status: 'succeeded',
      cost: '0.0300',
    });
    expect(oldest).toMatchObject({
      generation_id: id,
      model_name: 'qwen-image-edit',
      prompt: 'a hat',
      input_image: 'https://example.com/a.png',
      media_type: 'image',
      status: 'succeeded',
      cost: '0.0300',
      result_url: expect.any(String),
      enqueued_at: expect.any(Number),
    });
  });

  it('filters by model and status, pages, and reports no total cost when nothing was charged', async () => {
    sim = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 60_000 } });
    for (const prompt of ['one', 'two', 'three']) {
      await call({ path: '/api/ai/queue', method: 'POST', json: body(prompt) });
    }
    await call({ path: '/api/ai/queue', method: 'POST', json: body('other', 'flux-kontext-dev') });
    const page = await call({ path: '/api/ai/generations?model=qwen-image-edit&page=2&page_size=2' });
    expect(page.json).toMatchObject({
      count: 1,
      page_number: 2,
      page_size: 2,
      total_entries: 3,
      total_pages: 2,
      total_cost: null,
    });
    expect(rowsOf(page.json).map((row) => [row.prompt, row.cost])).toEqual([['one', null]]);
    const flux = await call({ path: '/api/ai/generations?model=flux-kontext-dev' });
    expect(rowsOf(flux.json).map((row) => row.prompt)).toEqual(['other']);
    const done = await call({ path: '/api/ai/generations?status=succeeded' });
    expect(done.json).toMatchObject({ count: 0, total_entries: 0 });
    const tooLarge = await call({ path: '/api/ai/generations?page_size=1001' });
    expect(tooLarge.status).toBe(400);
  });
});

describe('GET /api/ai/queue', () => {
  it('lists the active rows with their parameters; a status filter shows terminal rows', async () => {
    sim = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 60_000 } });
    await call({ path: '/api/ai/queue', method: 'POST', json: body('a hat') });
    const active = await call({ path: '/api/ai/queue?model=qwen-image-edit' });
    expect(active.json).toMatchObject({
      count: 1,
      generations: [{ model_name: 'qwen-image-edit', prompt: 'a hat', aspect_ratio: '1:1' }],
    });
    expect((await call({ path: '/api/ai/queue?model=flux-kontext-dev' })).json.count).toBe(0);
    expect((await call({ path: '/api/ai/queue?status=succeeded' })).json.count).toBe(0);
  });
});

describe('faults that bill and lose the answer', () => {
  it('error-after-billing: the edit is done and listed, the answer is a 500', async () => {
    sim = await startOxenSimulator();
    sim.setFaults([{ route: 'POST /api/ai/images/edit', kind: 'error-after-billing', times: 1 }]);
    const answer = await call({ path: '/api/ai/images/edit', method: 'POST', json: body('a hat') });
    expect(answer.status).toBe(500);
    expect(sim.billableCount).toBe(1);
    const listing = await call({ path: '/api/ai/generations' });
    expect(rowsOf(listing.json)).toMatchObject([{ prompt: 'a hat', status: 'succeeded', cost: '0.0300' }]);
  });

  it('slow: the request is answered as usual, after the delay', async () => {
    sim = await startOxenSimulator();
    sim.setFaults([{ route: 'GET /api/ai/models/:name', kind: 'slow', delayMs: 150, times: 1 }]);
    let answered = false;
    const slow = call({ path: '/api/ai/models/qwen-image-edit' }).then((result) => {
      answered = true;
      return result;
    });
    await sleep(50);
    expect(answered).toBe(false);
    expect((await slow).json).toMatchObject({ id: 'qwen-image-edit' });
    expect(sim.requests[0]?.fault).toBe('slow');
  });
});
