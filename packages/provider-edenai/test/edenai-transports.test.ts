import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError } from '@retouch/core';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '@retouch/simulator';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEdenAI } from '../src/index.ts';
import { largePng, pngBytes, requestsTo, retouchEdit, startImageHost } from './helpers.ts';

const EDITS = 'POST /v3/images/edits';
const URL_A = 'https://images.example.com/a.png';
const URL_B = 'https://images.example.com/b.png';

let sim: EdenAISimulator;
let directory: string;

beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
  directory = await mkdtemp(join(tmpdir(), 'retouch-edenai-transports-'));
});
afterAll(async () => {
  await sim.close();
  await rm(directory, { recursive: true, force: true });
});
beforeEach(() => sim.clearRequests());

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Uploads a file straight to the simulator, as a user would have done beforehand. */
async function uploadDirectly(bytes: Uint8Array, name: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/png' }), name);
  const response = await fetch(`${sim.url}/v3/upload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}` },
    body: form,
  });
  return ((await response.json()) as { file_id: string }).file_id;
}

describe('transport "json"', () => {
  // A mask is converted to Eden's form before it is sent, so it never travels as the caller's URL
  // (edenai-mask.test.ts follows it on every transport).
  test("URL inputs: the seed's images[].image_url ImageRefs, exactly", async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    const output = await retouchEdit(provider, {
      model: 'edenai:bfl/flux-kontext-pro',
      prompt: 'Make the sky purple',
      images: [URL_A, URL_B],
      n: 2,
      size: '1024x1024',
      aspectRatio: '16:9',
      outputFormat: 'jpeg',
      providerOptions: { edenai: { user: 'user-7', metadata: { order: 42 }, guidance: 3.5 } },
    });
    const [request] = requestsTo(sim, EDITS);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(request!.body).toEqual({
      model: 'bfl/flux-kontext-pro',
      prompt: 'Make the sky purple',
      images: [{ image_url: URL_A }, { image_url: URL_B }],
      n: 2,
      size: '1024x1024',
      aspect_ratio: '16:9',
      output_format: 'jpeg',
      user: 'user-7',
      metadata: { order: 42 },
      guidance: 3.5,
    });
    expect(output.images).toHaveLength(2);
    expect(output.images[0]!.url).toMatch(new RegExp(`^${sim.url}/`));
    expect(output.cost).toEqual({ usd: 0.08, source: 'reported' });
    expect(output.upstreamProvider).toBe('bfl');
    expect(output.warnings).toEqual([]);
  });

  test('Eden file ids: images[].file_id and a file_id mask, exactly', async () => {
    const picture = pngBytes({ width: 8, height: 8 });
    const imageId = await uploadDirectly(picture, 'picture.png');
    const maskId = await uploadDirectly(pngBytes({ width: 8, height: 8, noise: true }), 'mask.png');
    sim.clearRequests();
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
    const output = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'Add a hat',
      images: [{ fileId: imageId, provider: 'edenai' }],
      mask: { fileId: maskId, provider: 'edenai' },
    });
    // Nothing is uploaded: the edit names the files (the other request is the estimate's price lookup).
    expect(sim.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /v3/images/models',
      EDITS,
    ]);
    expect(requestsTo(sim, EDITS)[0]!.body).toEqual({
      model: 'openai/gpt-image-2',
      prompt: 'Add a hat',
      images: [{ file_id: imageId }],
      mask: { file_id: maskId },
    });
    // gpt-image answers b64_json: the bytes are inline and checked to be an image.
    expect(output.images[0]!.base64).toBeTypeOf('string');
    expect(output.images[0]!.mediaType).toBe('image/png');
    expect((await output.images[0]!.bytes()).subarray(1, 4)).toEqual(new Uint8Array([0x50, 0x4e, 0x47]));
    expect(output.cost).toEqual({ usd: 0.053, source: 'reported' });
    expect(output.upstreamProvider).toBe('openai');
    expect(output.usage).toMatchObject({
      total_tokens: expect.any(Number),
      input_tokens: expect.any(Number),
    });
  });

  test('small local bytes become a data: URL without a warning', async () => {
    const picture = pngBytes();
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    const output = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-1',
      prompt: 'Invert it',
      images: [picture],
    });
    const [request] = requestsTo(sim, EDITS);
    expect(request!.body).toEqual({
      model: 'openai/gpt-image-1',
      prompt: 'Invert it',
      images: [{ image_url: `data:image/png;base64,${Buffer.from(picture).toString('base64')}` }],
    });
    expect(output.warnings).toEqual([]);
    expect(sim.requests.some((recorded) => recorded.path === '/v3/upload')).toBe(false);
  });

  test('a large local input with uploads off is base64-encoded, with a warning saying what to do', async () => {
    const picture = largePng();
    const provider = createEdenAI({
      apiKey: sim.apiKey,
      baseURL: sim.url,
      transport: 'json',
      upload: 'never',
    });
    const output = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-1',
      prompt: 'x',
      images: [picture],
    });
    const body = requestsTo(sim, EDITS)[0]!.body as { images: { image_url: string }[] };
    expect(body.images[0]!.image_url.startsWith('data:image/png;base64,')).toBe(true);
    expect(output.warnings).toEqual([
      {
        type: 'other',
        message: expect.stringMatching(/^images\.0 \(\d+ KB\) was sent base64-encoded .*multipart/),
      },
    ]);
  });
});

describe('transport "multipart"', () => {
  test('image[] parts (bytes and a file on disk), a mask part and the text fields', async () => {
    const first = pngBytes({ width: 6, height: 6 });
    const second = pngBytes({ width: 5, height: 7, noise: true });
    const mask = pngBytes({ width: 6, height: 6, noise: true });
    const path = join(directory, 'photo.png');
    await writeFile(path, second);
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'multipart' });
    const output = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'Blend the two',
      images: [first, { path }],
      mask,
      n: 3,
      size: '1536x1024',
      quality: 'medium',
      outputFormat: 'webp',
      providerOptions: { edenai: { user: 'user-9', metadata: { batch: 'b1' }, background: 'opaque' } },
    });
    const [request] = requestsTo(sim, EDITS);
    expect(request!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const body = request!.body as RecordedMultipartBody;
    expect(body.fields).toEqual({
      model: 'openai/gpt-image-2',
      prompt: 'Blend the two',
      n: '3',
      size: '1536x1024',
      quality: 'medium',
      output_format: 'webp',
      user: 'user-9',
      background: 'opaque',
    });
    // An object is a JSON-body field only (Eden's spec): on an explicit multipart body it is not sent.
    expect(output.warnings).toContainEqual({
      type: 'unsupported-option',
      option: 'providerOptions.edenai.metadata',
      message: expect.stringContaining('transport "json" or "auto"'),
    });
    expect(body.files).toEqual([
      {
        name: 'image[]',
        filename: 'image-0.png',
        contentType: 'image/png',
        size: first.length,
        sha256: sha256(first),
        bytes: expect.any(Uint8Array),
      },
      {
        name: 'image[]',
        filename: 'photo.png',
        contentType: 'image/png',
        size: second.length,
        sha256: sha256(second),
        bytes: expect.any(Uint8Array),
      },
      // Converted to Eden's form first (edenai-mask.test.ts reads its pixels).
      {
        name: 'mask',
        filename: 'mask.png',
        contentType: 'image/png',
        size: expect.any(Number),
        sha256: expect.any(String),
        bytes: expect.any(Uint8Array),
      },
    ]);
    expect(body.files[2]!.sha256).not.toBe(sha256(mask));
    expect(output.images).toHaveLength(3);
    expect(output.cost).toEqual({ usd: 0.159, source: 'reported' });
  });

  test('a URL input is downloaded without the key and sent as a part, with a warning', async () => {
    const picture = pngBytes({ width: 3, height: 3 });
    const host = await startImageHost({ '/cat.png': { body: picture } });
    try {
      const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'multipart' });
      const output = await retouchEdit(provider, {
        model: 'edenai:bfl/flux-kontext-pro',
        prompt: 'x',
        images: [`${host.url}/cat.png?signature=abc`],
      });
      const body = requestsTo(sim, EDITS)[0]!.body as RecordedMultipartBody;
      expect(body.files).toEqual([expect.objectContaining({ name: 'image[]', sha256: sha256(picture) })]);
      expect(host.requests).toHaveLength(1);
      expect(host.requests[0]!.headers.authorization).toBeUndefined();
      expect(output.warnings).toEqual([
        {
          type: 'other',
          message: `images.0: ${host.url}/cat.png was downloaded and sent as a file part, since a multipart body carries files only`,
        },
      ]);
    } finally {
      await host.close();
    }
  });

  test('an Eden file id cannot travel in multipart: refused before any request', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'multipart' });
    const error = await retouchEdit(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [pngBytes(), { fileId: 'file-1', provider: 'edenai' }],
    }).catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect((error as InvalidRequestError).issues[0]!.path).toBe('images.1');
    expect(sim.requests).toHaveLength(0);
  });
});

describe('transport "auto"', () => {
  const provider = () => createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, upload: 'never' });

  test('every input a URL → JSON', async () => {
    await retouchEdit(provider(), {
      model: 'edenai:google/gemini-2.5-flash-image',
      prompt: 'x',
      images: [URL_A, URL_B],
    });
    expect(requestsTo(sim, EDITS)[0]!.headers['content-type']).toBe('application/json');
  });

  test('a local input → multipart, a URL beside it downloaded into a part', async () => {
    const host = await startImageHost({ '/b.png': { body: pngBytes({ width: 2, height: 2 }) } });
    try {
      await retouchEdit(provider(), {
        model: 'edenai:google/gemini-2.5-flash-image',
        prompt: 'x',
        images: [pngBytes(), `${host.url}/b.png`],
      });
      const [request] = requestsTo(sim, EDITS);
      expect(request!.headers['content-type']).toMatch(/^multipart\/form-data/);
      expect((request!.body as RecordedMultipartBody).files.map((file) => file.name)).toEqual([
        'image[]',
        'image[]',
      ]);
    } finally {
      await host.close();
    }
  });

  test('an Eden file id beside a local input → JSON, the local input as a data: URL', async () => {
    const fileId = await uploadDirectly(pngBytes({ width: 9, height: 9 }), 'ref.png');
    sim.clearRequests();
    const local = pngBytes();
    await retouchEdit(provider(), {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [local, { fileId, provider: 'edenai' }],
    });
    expect(requestsTo(sim, EDITS)[0]!.body).toMatchObject({
      images: [
        { image_url: `data:image/png;base64,${Buffer.from(local).toString('base64')}` },
        { file_id: fileId },
      ],
    });
  });
});
