import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '../src/index.ts';

let oxen: OxenSimulator;
let eden: EdenAISimulator;

beforeAll(async () => {
  oxen = await startOxenSimulator({ apiKey: 'secret-oxen-key-123' });
  eden = await startEdenAISimulator({ apiKey: 'secret-eden-key-456', rateLimit: false });
});
afterAll(async () => {
  await oxen.close();
  await eden.close();
});

const oxenRoutes: [string, string][] = [
  ['POST', '/api/ai/images/edit'],
  ['POST', '/api/ai/queue'],
  ['GET', '/api/ai/queue'],
  ['GET', '/api/ai/queue/abc'],
  ['DELETE', '/api/ai/queue/abc'],
  ['GET', '/api/events'],
  ['GET', '/api/ai/models'],
  ['GET', '/api/ai/models/qwen-image-edit'],
  ['GET', '/api/ai/generations'],
  ['GET', '/api/ai/generations/abc'],
];
const edenRoutes: [string, string][] = [
  ['POST', '/v3/images/edits'],
  ['POST', '/v3/upload'],
  ['GET', '/v3/upload'],
  ['POST', '/v3/upload/delete'],
  ['GET', '/v3/images/models'],
];
const badCredentials: [string, Record<string, string>][] = [
  ['no token', {}],
  ['a wrong token', { Authorization: 'Bearer not-the-key' }],
  ['a non-bearer scheme', { Authorization: 'Basic c2VjcmV0' }],
];

describe('Oxen 401 on every route', () => {
  for (const [method, path] of oxenRoutes) {
    it.each(badCredentials)(`${method} ${path} with %s`, async (_name, headers) => {
      const response = await fetch(`${oxen.url}${path}`, {
        method,
        headers: { ...headers, 'Content-Type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { type: 'unauthenticated', title: 'Unauthenticated', detail: 'Invalid or missing API key' },
        status: 'error',
        status_message: 'unauthenticated',
      });
    });
  }
});

describe('Eden AI 401 on every authenticated route', () => {
  for (const [method, path] of edenRoutes) {
    it.each(badCredentials)(`${method} ${path} with %s`, async (_name, headers) => {
      const response = await fetch(`${eden.url}${path}`, {
        method,
        headers: { ...headers, 'Content-Type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        detail: 'Invalid or missing authentication token',
        error_code: 'UNAUTHORIZED',
      });
    });
  }
});

describe('recording', () => {
  it('records method, path, query, headers with the key redacted, parsed body; the key appears nowhere', async () => {
    oxen.clearRequests();
    const response = await fetch(`${oxen.url}/api/ai/queue?status=queued,processing&model=qwen-image-edit`, {
      headers: { Authorization: 'Bearer secret-oxen-key-123', 'X-Echo': 'copy secret-oxen-key-123' },
    });
    expect(response.status).toBe(200);
    await fetch(`${oxen.url}/api/ai/images/edit`, {
      method: 'POST',
      headers: { Authorization: 'Bearer secret-oxen-key-123', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'qwen-image-edit',
        prompt: 'hat',
        input_image: 'https://example.com/a.png',
      }),
    });
    expect(oxen.requests).toHaveLength(2);
    expect(oxen.requests[0]).toMatchObject({
      sequence: expect.any(Number),
      method: 'GET',
      path: '/api/ai/queue',
      route: 'GET /api/ai/queue',
      query: { status: 'queued,processing', model: 'qwen-image-edit' },
      headers: { authorization: 'Bearer [REDACTED]', 'x-echo': 'copy [REDACTED]' },
      authenticated: true,
      billable: false,
      status: 200,
      at: expect.any(Number),
    });
    expect(oxen.requests[1]).toMatchObject({
      body: { model: 'qwen-image-edit', prompt: 'hat', input_image: 'https://example.com/a.png' },
      billable: true,
    });
    expect(oxen.billableCount).toBe(1);
    expect(JSON.stringify(oxen.requests)).not.toContain('secret-oxen-key-123');
    oxen.clearRequests();
    expect([oxen.requests.length, oxen.billableCount]).toEqual([0, 0]);
  });

  it('unauthenticated requests are recorded as such and never billable', async () => {
    eden.clearRequests();
    await fetch(`${eden.url}/v3/images/edits`, {
      method: 'POST',
      headers: { Authorization: 'Bearer wrong', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-image-2',
        prompt: 'x',
        images: [{ image_url: 'data:image/png;base64,AA' }],
      }),
    });
    expect(eden.requests[0]).toMatchObject({ authenticated: false, billable: false, status: 401 });
    expect(eden.billableCount).toBe(0);
  });

  it('unknown paths get the provider 404 body', async () => {
    const response = await fetch(`${oxen.url}/api/nothing`, {
      headers: { Authorization: 'Bearer secret-oxen-key-123' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status_message: 'resource_not_found' });
  });
});
