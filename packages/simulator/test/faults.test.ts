import { afterEach, describe, expect, it } from 'vitest';
import {
  type EdenAISimulator,
  type FaultRule,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '../src/index.ts';
import { eventually, readEvents, samplePngDataUrl, sleep } from './helpers.ts';

const edit = {
  model: 'qwen-image-edit',
  prompt: 'Add a funny hat',
  input_image: 'https://example.com/a.png',
};
const edenEdit = {
  model: 'bfl/flux-kontext-pro',
  prompt: 'Add a funny hat',
  images: [{ image_url: samplePngDataUrl() }],
};

let oxen: OxenSimulator | undefined;
let eden: EdenAISimulator | undefined;

afterEach(async () => {
  await oxen?.close();
  await eden?.close();
  oxen = undefined;
  eden = undefined;
});

async function startOxen(faults: FaultRule[] = []): Promise<OxenSimulator> {
  oxen = await startOxenSimulator({
    jobSchedule: { queuedMs: 0, processingMs: 20 },
    keepAliveIntervalMs: 20,
  });
  oxen.setFaults(faults);
  return oxen;
}

async function startEden(faults: FaultRule[] = []): Promise<EdenAISimulator> {
  eden = await startEdenAISimulator({ rateLimit: false });
  eden.setFaults(faults);
  return eden;
}

function oxenPost(sim: OxenSimulator, path: string, body: unknown = edit): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

function oxenGet(sim: OxenSimulator, path: string): Promise<Response> {
  return fetch(`${sim.url}${path}`, { headers: { Authorization: `Bearer ${sim.apiKey}` } });
}

function edenPost(sim: EdenAISimulator, body: unknown = edenEdit): Promise<Response> {
  return fetch(`${sim.url}/v3/images/edits`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function enqueue(sim: OxenSimulator): Promise<string> {
  const response = await oxenPost(sim, '/api/ai/queue');
  const body = (await response.json()) as { generations: { generation_id: string }[] };
  return body.generations[0]!.generation_id;
}

describe('rate-limit faults', () => {
  it('Oxen: 429 with Retry-After, then through; not billable', async () => {
    const sim = await startOxen([
      { route: 'POST /api/ai/images/edit', kind: 'rate-limit', retryAfterSeconds: 2, times: 1 },
    ]);
    const limited = await oxenPost(sim, '/api/ai/images/edit');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(await limited.json()).toMatchObject({ status: 'error', error: { title: 'Rate limit exceeded' } });
    expect((await oxenPost(sim, '/api/ai/images/edit')).status).toBe(200);
    expect(sim.billableCount).toBe(1);
    expect(sim.requests.map((request) => [request.fault, request.billable])).toEqual([
      ['rate-limit', false],
      [undefined, true],
    ]);
  });

  it('Eden AI: retry_after in the body by default, or in a header', async () => {
    const sim = await startEden([
      { route: 'POST /v3/images/edits', kind: 'rate-limit', retryAfterSeconds: 1.5, times: 1 },
      {
        route: 'POST /v3/images/edits',
        kind: 'rate-limit',
        retryAfterSeconds: 3,
        retryAfterIn: 'header',
        times: 1,
      },
    ]);
    const body = await edenPost(sim);
    expect(body.status).toBe(429);
    expect(body.headers.get('retry-after')).toBeNull();
    expect(await body.json()).toEqual({
      detail: 'Rate limit exceeded',
      error_code: 'RATE_LIMITED',
      retry_after: 1.5,
    });
    const header = await edenPost(sim);
    expect(header.status).toBe(429);
    expect(header.headers.get('retry-after')).toBe('3');
    expect(await header.json()).toEqual({ detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED' });
    expect(sim.billableCount).toBe(0);
  });

  it('without any retry delay', async () => {
    const sim = await startOxen([{ route: '*', kind: 'rate-limit-without-retry-after', times: 1 }]);
    const response = await oxenGet(sim, '/api/ai/models');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    expect(JSON.stringify(await response.json())).not.toContain('retry_after');
    const edenSim = await startEden([{ route: '*', kind: 'rate-limit-without-retry-after', times: 1 }]);
    const edenResponse = await edenPost(edenSim);
    expect(edenResponse.status).toBe(429);
    expect(edenResponse.headers.get('retry-after')).toBeNull();
    expect(await edenResponse.json()).toEqual({ detail: 'Rate limit exceeded', error_code: 'RATE_LIMITED' });
  });
});

describe('status faults', () => {
  it.each([500, 502, 503])('Oxen %i with its error body, not billable', async (status) => {
    const sim = await startOxen([{ route: 'POST /api/ai/queue', kind: 'status', status, times: 1 }]);
    const response = await oxenPost(sim, '/api/ai/queue');
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ status: 'error', error: { type: 'unknown_error' } });
    expect(sim.billableCount).toBe(0);
    expect(sim.counters.jobsEnqueued).toBe(0);
  });

  it.each([500, 502, 503])('Eden AI %i', async (status) => {
    const sim = await startEden([{ route: 'POST /v3/images/edits', kind: 'status', status, times: 1 }]);
    const response = await edenPost(sim);
    expect(response.status).toBe(status);
    const body = await response.json();
    if (status === 502)
      expect(body).toEqual({ error: { type: 'provider_error', message: 'Upstream provider error' } });
    else expect(body).toHaveProperty('detail');
    expect(sim.billableCount).toBe(0);
  });

  it('Eden AI insufficient-credits fault in both shapes', async () => {
    const sim = await startEden([
      { route: 'POST /v3/images/edits', kind: 'insufficient-credits', shape: 'simple', times: 1 },
      { route: 'POST /v3/images/edits', kind: 'insufficient-credits', times: 1 },
    ]);
    const simple = await edenPost(sim);
    expect([simple.status, await simple.json()]).toEqual([402, { error: 'Insufficient credits' }]);
    const detailed = await edenPost(sim);
    expect(detailed.status).toBe(402);
    expect(await detailed.json()).toMatchObject({ error_code: 'INSUFFICIENT_CREDIT' });
  });
});

describe('connection faults', () => {
  it('reset-before-body: the connection drops before any work, not billable', async () => {
    const sim = await startOxen([{ route: 'POST /api/ai/images/edit', kind: 'reset-before-body', times: 1 }]);
    await expect(oxenPost(sim, '/api/ai/images/edit')).rejects.toThrow();
    expect(sim.requests[0]).toMatchObject({ fault: 'reset-before-body', billable: false, body: undefined });
    expect(sim.requests[0]!.status).toBeUndefined();
    expect(sim.billableCount).toBe(0);
    expect((await oxenPost(sim, '/api/ai/images/edit')).status).toBe(200);
  });

  it('reset-after-body: the work is done and paid, the answer is lost', async () => {
    const sim = await startOxen([{ route: 'POST /api/ai/queue', kind: 'reset-after-body', times: 1 }]);
    await expect(oxenPost(sim, '/api/ai/queue')).rejects.toThrow();
    expect(sim.requests[0]).toMatchObject({ fault: 'reset-after-body', billable: true, body: edit });
    expect(sim.billableCount).toBe(1);
    expect(sim.counters.jobsEnqueued).toBe(1);
    const edenSim = await startEden([{ route: 'POST /v3/images/edits', kind: 'reset-after-body', times: 1 }]);
    await expect(edenPost(edenSim)).rejects.toThrow();
    expect(edenSim.billableCount).toBe(1);
    expect(edenSim.spentUsd).toBe(0.04);
  });

  it('hang: no answer until the client gives up; close() does not wait for it', async () => {
    const sim = await startOxen([{ route: 'GET /api/ai/queue/:id', kind: 'hang' }]);
    await expect(
      fetch(`${sim.url}/api/ai/queue/abc`, {
        headers: { Authorization: `Bearer ${sim.apiKey}` },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    const pending = oxenGet(sim, '/api/ai/queue/abc');
    await eventually(() => (sim.requests.length === 2 ? true : undefined));
    await sim.close();
    await expect(pending).rejects.toThrow();
  });
});

describe('body faults', () => {
  it('malformed-json: 200 with a truncated JSON body, billable', async () => {
    const sim = await startOxen([{ route: 'POST /api/ai/images/edit', kind: 'malformed-json', times: 1 }]);
    const response = await oxenPost(sim, '/api/ai/images/edit');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const text = await response.text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text.startsWith('{"model":"qwen-image-edit"')).toBe(true);
    expect(sim.billableCount).toBe(1);
  });

  it('schema-violation: 200 with valid JSON in the wrong shape', async () => {
    const sim = await startOxen([{ route: 'POST /api/ai/images/edit', kind: 'schema-violation', times: 1 }]);
    const response = await oxenPost(sim, '/api/ai/images/edit');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { images: { url?: unknown }[] };
    expect(body.images[0]!.url).toBeUndefined();
    const edenSim = await startEden([{ route: 'POST /v3/images/edits', kind: 'schema-violation', times: 1 }]);
    const edenBody = (await (await edenPost(edenSim)).json()) as { data: unknown; cost: unknown };
    expect(Array.isArray(edenBody.data)).toBe(false);
    expect(typeof edenBody.cost).toBe('string');
  });
});

describe('job faults', () => {
  it('job-never-finishes: the job stays processing and sends no event', async () => {
    const sim = await startOxen([{ route: 'POST /api/ai/queue', kind: 'job-never-finishes', times: 1 }]);
    const events = readEvents(await oxenGet(sim, '/api/events'));
    const id = await enqueue(sim);
    await eventually(() => (sim.jobStatus(id) === 'processing' ? true : undefined));
    await sleep(100);
    const status = (await (await oxenGet(sim, `/api/ai/queue/${id}`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ status: 'processing', result_url: null, completed_at: null });
    expect(events.events.some((event) => event.event === 'media_generation_completed')).toBe(false);
    expect(sim.billableCount).toBe(1);
    await events.stop();
  });

  it('job-fails: failed with the message, in status and event', async () => {
    const sim = await startOxen([{ route: 'POST /api/ai/queue', kind: 'job-fails', times: 1 }]);
    const events = readEvents(await oxenGet(sim, '/api/events'));
    const id = await enqueue(sim);
    const event = await events.waitFor((received) => received.event === 'media_generation_completed');
    expect(JSON.parse(event.data!)).toEqual({
      generation_id: id,
      status: 'failed',
      media_type: 'image',
      error: 'Insufficient credits',
    });
    const status = (await (await oxenGet(sim, `/api/ai/queue/${id}`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({
      status: 'failed',
      error_message: 'Insufficient credits',
      result_url: null,
    });
    await events.stop();
  });

  it('job-fails on a sync edit and on Eden AI answers an error after the work was accepted', async () => {
    const sim = await startOxen([
      { route: 'POST /api/ai/images/edit', kind: 'job-fails', message: 'NSFW content detected' },
    ]);
    const response = await oxenPost(sim, '/api/ai/images/edit');
    expect(response.status).toBe(500);
    expect(JSON.stringify(await response.json())).toContain('NSFW content detected');
    const edenSim = await startEden([
      { route: 'POST /v3/images/edits', kind: 'job-fails', message: 'Provider refused' },
    ]);
    const edenResponse = await edenPost(edenSim);
    expect(edenResponse.status).toBe(502);
    expect(await edenResponse.json()).toEqual({
      error: { type: 'provider_error', message: 'Provider refused' },
    });
  });

  it('result-404: the result URL of a job, a sync edit or a download 404s', async () => {
    const sim = await startOxen([
      { route: 'POST /api/ai/queue', kind: 'result-404', times: 1 },
      { route: 'POST /api/ai/images/edit', kind: 'result-404', times: 1 },
    ]);
    const id = await enqueue(sim);
    const done = await eventually(async () => {
      const body = (await (await oxenGet(sim, `/api/ai/queue/${id}`)).json()) as Record<string, unknown>;
      return body.status === 'succeeded' ? body : undefined;
    });
    expect((await fetch(done.result_url as string)).status).toBe(404);
    const sync = (await (await oxenPost(sim, '/api/ai/images/edit')).json()) as { images: { url: string }[] };
    expect((await fetch(sync.images[0]!.url)).status).toBe(404);

    const edenSim = await startEden([{ route: 'GET /files/:id', kind: 'result-404', times: 1 }]);
    const edenBody = (await (await edenPost(edenSim)).json()) as { data: { url: string }[] };
    expect((await fetch(edenBody.data[0]!.url)).status).toBe(404);
    expect((await fetch(edenBody.data[0]!.url)).status).toBe(200);
  });

  it('sse-drop: the stream ends mid-job and the completion is lost; polling still sees it', async () => {
    const sim = await startOxen([{ route: 'GET /api/events', kind: 'sse-drop', times: 1 }]);
    const dropped = readEvents(await oxenGet(sim, '/api/events'));
    const id = await enqueue(sim);
    expect(['ended', 'error']).toContain(await dropped.ended);
    expect(dropped.events.some((event) => event.event === 'media_generation_completed')).toBe(false);
    await eventually(() => (sim.jobStatus(id) === 'succeeded' ? true : undefined));
    const second = readEvents(await oxenGet(sim, '/api/events'));
    const nextId = await enqueue(sim);
    await second.waitFor(
      (event) => event.event === 'media_generation_completed' && event.data!.includes(nextId),
    );
    expect(sim.counters.eventStreamsOpened).toBe(2);
    await second.stop();
  });
});

describe('rule selection', () => {
  it('after and times pick exactly the requests meant', async () => {
    const sim = await startOxen([
      { route: 'GET /api/ai/models', kind: 'status', status: 503, after: 1, times: 1 },
    ]);
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await oxenGet(sim, '/api/ai/models')).status);
    expect(statuses).toEqual([200, 503, 200]);
  });

  it('a concrete path matches too, and other routes are untouched', async () => {
    const sim = await startOxen([
      { route: 'GET /api/ai/models/flux-kontext-dev', kind: 'status', status: 500 },
    ]);
    expect((await oxenGet(sim, '/api/ai/models/flux-kontext-dev')).status).toBe(500);
    expect((await oxenGet(sim, '/api/ai/models/qwen-image-edit')).status).toBe(200);
  });

  it('probability with a seed repeats exactly', async () => {
    const sim = await startOxen();
    const run = async () => {
      sim.setFaults([{ route: 'GET /api/ai/models', kind: 'status', status: 503, probability: 0.5 }], {
        seed: 42,
      });
      const statuses: number[] = [];
      for (let index = 0; index < 24; index++) statuses.push((await oxenGet(sim, '/api/ai/models')).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(200);
    expect(first).toContain(503);
  });

  it('an empty script clears the faults', async () => {
    const sim = await startOxen([{ route: '*', kind: 'status', status: 500 }]);
    expect((await oxenGet(sim, '/api/ai/models')).status).toBe(500);
    sim.setFaults([]);
    expect((await oxenGet(sim, '/api/ai/models')).status).toBe(200);
  });
});
