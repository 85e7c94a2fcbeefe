import { createHash } from 'node:crypto';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiCallError, createRetouch } from '@retouch/core';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { maxInWindow, recordingFetch } from '../../core/test/support/request-windows.ts';
import { runOnVirtualClock, useVirtualClock } from '../../core/test/support/virtual-clock.ts';
import { uploadCacheFor } from '../src/edenai-upload.ts';
import { createEdenAI } from '../src/index.ts';
import { editWith, largePng, pngBytes, requestsTo, retouchEdit, withRetouch } from './helpers.ts';

const EDITS = 'POST /v3/images/edits';
const UPLOAD = 'POST /v3/upload';
const MODELS = [
  'openai/gpt-image-2',
  'openai/gpt-image-1',
  'openai/gpt-image-1-mini',
  'bfl/flux-kontext-pro',
];

let sim: EdenAISimulator;
beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.clearRequests();
  sim.setFaults([]);
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Ten models, one picture: the comparison the upload cache exists for. */
function tenModels(picture: Uint8Array) {
  return Array.from({ length: 10 }, (_, index) => ({
    model: `edenai:${MODELS[index % MODELS.length]}`,
    prompt: `Variant ${index}`,
    images: [picture],
  }));
}

describe('upload "always"', () => {
  test('a local input is uploaded (file part "file", one-day expiry) and sent by file_id', async () => {
    const picture = pngBytes({ width: 7, height: 7, noise: true });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    await retouchEdit(provider, { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [picture] });
    const [upload] = requestsTo(sim, UPLOAD);
    expect(upload!.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(upload!.body).toEqual({
      fields: { expires_in_days: '1' },
      files: [
        {
          name: 'file',
          filename: 'image-0.png',
          contentType: 'image/png',
          size: picture.length,
          sha256: sha256(picture),
          bytes: expect.any(Uint8Array),
        },
      ],
    });
    // The estimate's price lookup, the upload, then the edit that names it.
    expect(sim.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v3/images/models',
      UPLOAD,
      EDITS,
    ]);
    const [edit] = requestsTo(sim, EDITS);
    expect(edit!.headers['content-type']).toBe('application/json');
    expect(edit!.body).toEqual({
      model: 'openai/gpt-image-2',
      prompt: 'x',
      images: [{ file_id: expect.stringMatching(/^[0-9a-f-]{36}$/) }],
    });
  });

  test('ten models, one picture, one after another: one upload, ten JSON edits', async () => {
    const picture = pngBytes({ width: 16, height: 16, noise: true });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    await withRetouch(provider, async (retouch) => {
      for (const request of tenModels(picture)) await retouch.edit(request);
    });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);
    const edits = requestsTo(sim, EDITS);
    expect(edits).toHaveLength(10);
    const ids = new Set(
      edits.map((edit) => (edit.body as { images: { file_id: string }[] }).images[0]!.file_id),
    );
    expect(ids.size).toBe(1);
  });

  test('ten concurrent edits of one picture share one upload in flight', async () => {
    const picture = pngBytes({ width: 16, height: 16, noise: true });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    await withRetouch(provider, (retouch) =>
      Promise.all(tenModels(picture).map((request) => retouch.edit(request))),
    );
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);
    expect(requestsTo(sim, EDITS)).toHaveLength(10);
  });

  test('the cache is per account and host: another key uploads again', async () => {
    const picture = pngBytes({ width: 12, height: 12, noise: true });
    await retouchEdit(createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' }), {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [picture],
    });
    // Same host written differently (trailing /v3) is the same scope.
    await retouchEdit(createEdenAI({ apiKey: sim.apiKey, baseURL: `${sim.url}/v3`, upload: 'always' }), {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [picture],
    });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);
    const otherKey = await retouchEdit(
      createEdenAI({ apiKey: 'another-account-key', baseURL: sim.url, upload: 'always' }),
      {
        model: 'edenai:openai/gpt-image-2',
        prompt: 'x',
        images: [picture],
      },
    ).catch((error: unknown) => error);
    expect(requestsTo(sim, UPLOAD)).toHaveLength(2);
    expect(ApiCallError.isInstance(otherKey)).toBe(true);
  });

  test('a file Eden no longer has is forgotten after the rejected edit, and uploaded again next time', async () => {
    const picture = pngBytes({ width: 10, height: 10, noise: true });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    await retouchEdit(provider, { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [picture] });
    const fileId = (requestsTo(sim, EDITS)[0]!.body as { images: { file_id: string }[] }).images[0]!.file_id;
    await fetch(`${sim.url}/v3/upload/delete`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ file_ids: [fileId] }),
    });
    const error = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [picture],
    }).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error) && error.statusCode).toBe(400);
    expect((error as Error).message).toContain(`File not found: ${fileId}`);
    await retouchEdit(provider, { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [picture] });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(2);
  });

  test('a failed upload sends no edit, is marked as not processed, and is not cached', async () => {
    sim.setFaults([{ route: UPLOAD, kind: 'status', status: 500, times: 1 }]);
    const picture = pngBytes({ width: 11, height: 11, noise: true });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    const error = await editWith(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [picture],
    }).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, isRetryable: true, provablyNotProcessed: true });
    expect((error as Error).message).toContain('uploading images.0 failed, so the edit was not sent');
    expect(requestsTo(sim, EDITS)).toHaveLength(0);
    await editWith(provider, { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [picture] });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(2);
    expect(requestsTo(sim, EDITS)).toHaveLength(1);
  });
  test("an input over Eden's 100 MB upload limit goes multipart instead, with a warning", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'retouch-edenai-limit-'));
    try {
      // A sparse file: a PNG header, then zeros up to just over the limit, written instantly.
      const path = join(directory, 'huge.png');
      await writeFile(path, pngBytes().subarray(0, 33));
      await truncate(path, 100_000_001);
      const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
      const output = await retouchEdit(provider, {
        model: 'edenai:openai/gpt-image-2',
        prompt: 'x',
        images: [{ path }],
      });
      expect(requestsTo(sim, UPLOAD)).toHaveLength(0);
      const [edit] = requestsTo(sim, EDITS);
      expect((edit!.body as RecordedMultipartBody).files[0]).toMatchObject({
        name: 'image[]',
        size: 100_000_001,
      });
      expect(output.warnings).toEqual([
        {
          type: 'other',
          message:
            "images.0 (100.0 MB) is larger than Eden's 100.0 MB upload limit, so the edit was sent as multipart instead of uploading",
        },
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('upload "auto"', () => {
  test('a small picture is never uploaded', async () => {
    const picture = pngBytes({ width: 8, height: 8, noise: true });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    await withRetouch(provider, async (retouch) => {
      for (const request of tenModels(picture).slice(0, 3)) await retouch.edit(request);
    });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(0);
    expect(
      requestsTo(sim, EDITS).every((edit) => edit.headers['content-type']?.startsWith('multipart/')),
    ).toBe(true);
  });

  test('a large picture goes multipart the first time, then is uploaded once and sent by file_id', async () => {
    const picture = largePng();
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    await withRetouch(provider, async (retouch) => {
      for (const request of tenModels(picture)) await retouch.edit(request);
    });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);
    const edits = requestsTo(sim, EDITS);
    expect(
      edits.map((edit) => (edit.headers['content-type']!.startsWith('multipart/') ? 'multipart' : 'json')),
    ).toEqual(['multipart', ...Array(9).fill('json')]);
    expect((edits[0]!.body as RecordedMultipartBody).files[0]!.sha256).toBe(sha256(picture));
  });

  test('ten concurrent edits of a large picture: one inline, one upload shared by the nine others', async () => {
    const picture = largePng();
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    await withRetouch(provider, (retouch) =>
      Promise.all(tenModels(picture).map((request) => retouch.edit(request))),
    );
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);
    const kinds = requestsTo(sim, EDITS).map((edit) =>
      edit.headers['content-type']!.startsWith('multipart/') ? 'multipart' : 'json',
    );
    expect(kinds.filter((kind) => kind === 'multipart')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'json')).toHaveLength(9);
  });

  test('with transport "json", a large input is uploaded rather than base64-encoded', async () => {
    const picture = largePng();
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    const output = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [picture],
    });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(1);
    expect(requestsTo(sim, EDITS)[0]!.body).toMatchObject({ images: [{ file_id: expect.any(String) }] });
    expect(output.warnings).toEqual([]);
  });
});

describe('the upload cache', () => {
  test('an upload near its expires_at is not used: the picture is uploaded again', async () => {
    const picture = pngBytes({ width: 13, height: 13, noise: true });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    await retouchEdit(provider, { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [picture] });
    const upload = requestsTo(sim, UPLOAD)[0]!;
    expect(upload.status).toBe(200);
    const cache = await uploadCacheFor({ baseURL: sim.url, apiKey: sim.apiKey });
    const hash = sha256(picture);
    expect(cache.has(hash)).toBe(true);
    // The simulator's file expires in one day; five minutes before that the cache no longer trusts it.
    expect(cache.has(hash, Date.now() + 24 * 60 * 60 * 1000 - 5 * 60 * 1000)).toBe(false);
    await retouchEdit(provider, { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [picture] });
    expect(requestsTo(sim, UPLOAD)).toHaveLength(2);
  });

  test('an upload in flight outlives a waiter that gives up, and stops when every waiter has', async () => {
    sim.setFaults([{ route: UPLOAD, kind: 'hang', times: 1 }]);
    const picture = pngBytes({ width: 14, height: 14, noise: true });
    const cache = await uploadCacheFor({ baseURL: sim.url, apiKey: sim.apiKey });
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'always' });
    const request = { model: 'edenai:openai/gpt-image-2', prompt: 'x', images: [picture] };
    const first = new AbortController();
    const second = new AbortController();
    const firstEdit = editWith(provider, request, { signal: first.signal });
    const hash = sha256(picture);
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await until(() => requestsTo(sim, UPLOAD).length === 1);
    const secondEdit = editWith(provider, request, { signal: second.signal });
    await until(() => cache.waiting(hash) === 2);

    first.abort(new Error('first caller gave up'));
    await expect(firstEdit).rejects.toThrow('first caller gave up');
    expect(cache.waiting(hash)).toBe(1);
    expect(cache.has(hash)).toBe(true);

    second.abort(new Error('second caller gave up'));
    await expect(secondEdit).rejects.toThrow('second caller gave up');
    expect(cache.has(hash)).toBe(false);

    await editWith(provider, request);
    expect(requestsTo(sim, UPLOAD)).toHaveLength(2);
    expect(requestsTo(sim, EDITS)).toHaveLength(1);
  });
});

describe('uploads and the rate limit', () => {
  // The client and the simulator (its account limit included) run on a virtual clock over real
  // sockets: each arrival is stamped within a step of the lane's start, however loaded the machine
  // is (core's test/support/virtual-clock.ts).
  beforeEach(() => {
    useVirtualClock();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('an upload and its edit both keep to the lane rate: no 429 from an account limit above it', async () => {
    // Each edit uploads its own picture first, so it sends two requests. Counting only the edits,
    // 4 a second would put 8 requests a second on an account that allows 5.
    const limited = await startEdenAISimulator({ rateLimit: { requestsPerSecond: 5 } });
    const sent = recordingFetch();
    try {
      const retouch = createRetouch({
        providers: [
          createEdenAI({ apiKey: limited.apiKey, baseURL: limited.url, upload: 'always', fetch: sent.fetch }),
        ],
        limits: { edenai: { requestsPerSecond: 4, concurrency: 4 } },
      });
      const edits = Array.from({ length: 6 }, (_, index) =>
        retouch.edit({
          model: 'edenai:bfl/flux-kontext-pro',
          prompt: `Variant ${index}`,
          images: [pngBytes({ width: 5 + index, noise: true })],
        }),
      );
      const results = await runOnVirtualClock({
        work: Promise.all(edits),
        inTransit: () => limited.requests.length < sent.handOffs.length,
      });
      expect(results).toHaveLength(6);
      expect(requestsTo(limited, UPLOAD)).toHaveLength(6);
      expect(requestsTo(limited, EDITS)).toHaveLength(6);
      expect(limited.counters.rateLimited).toBe(0);
      expect(retouch.stats().retries).toBe(0);
      await retouch.close();
    } finally {
      await limited.close();
    }
  });

  test('with requestsPerSecond R, no sliding second at Eden holds more than R requests of any kind', async () => {
    // Uploads (file_id path), the edits, the estimate's price lookup and the downloads of the results
    // from Eden's own host all count: R per second in total, whatever the adapter sends.
    const R = 3;
    const server = await startEdenAISimulator({ rateLimit: false });
    const sent = recordingFetch();
    try {
      const provider = createEdenAI({
        apiKey: server.apiKey,
        baseURL: server.url,
        upload: 'always',
        fetch: sent.fetch,
      });
      const pictures = [1, 2, 3].map((index) => pngBytes({ width: 6 + index, noise: true }));
      await withRetouch(
        provider,
        (retouch) =>
          runOnVirtualClock({
            work: (async () => {
              const results = await Promise.all(
                [0, 1, 2, 0, 1].map((picture, index) =>
                  retouch.edit({
                    model: 'edenai:bfl/flux-kontext-pro',
                    prompt: `Variant ${index}`,
                    images: [pictures[picture]!],
                  }),
                ),
              );
              await Promise.all(results.map((result) => result.images[0]!.bytes()));
            })(),
            inTransit: () => server.requests.length < sent.handOffs.length,
          }),
        { limits: { edenai: { requestsPerSecond: R } } },
      );
      expect(requestsTo(server, UPLOAD)).toHaveLength(3);
      const edits = requestsTo(server, EDITS);
      expect(edits).toHaveLength(5);
      for (const edit of edits) {
        expect(edit.body).toMatchObject({ images: [{ file_id: expect.any(String) }] });
      }
      const downloads = server.requests.filter(
        (request) => request.method === 'GET' && request.path !== '/v3/images/models',
      );
      expect(downloads).toHaveLength(5);
      expect(requestsTo(server, 'GET /v3/images/models')).toHaveLength(1);
      expect(server.requests).toHaveLength(14);
      expect(
        maxInWindow(
          server.requests.map((request) => request.at),
          1000,
        ),
      ).toBeLessThanOrEqual(R);
    } finally {
      await server.close();
    }
  }, 30_000);
});
