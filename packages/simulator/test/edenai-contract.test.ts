import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '../src/index.ts';
import { renderEdit } from '../src/shared/image-transform.ts';
import { decodePng, encodePng } from '../src/shared/png.ts';
import { samplePng, samplePngDataUrl, sleep, startImageServer } from './helpers.ts';

let sim: EdenAISimulator;

beforeEach(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
});
afterEach(async () => {
  await sim.close();
});

function auth(): Record<string, string> {
  return { Authorization: `Bearer ${sim.apiKey}` };
}

async function postJson(
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { ...auth(), 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function postForm(
  path: string,
  form: FormData,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${sim.url}${path}`, { method: 'POST', headers: auth(), body: form });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const responseShape = {
  created: expect.any(Number),
  data: expect.any(Array),
  output_format: 'png',
  size: expect.stringMatching(/^\d+x\d+$/),
  cost: expect.any(Number),
  provider: expect.any(String),
};

describe('seed 004: POST /v3/images/edits as JSON', () => {
  it('gpt-image-* with a data: URL, mask and every documented field: b64_json items, usage, cost, provider', async () => {
    const body = {
      model: 'openai/gpt-image-2',
      prompt: 'Add a funny hat',
      n: 2,
      size: '1024x1024',
      user: 'user-1234',
      metadata: { campaign: 'spring' },
      extra_headers: { 'X-Trace-Id': 'abc' },
      images: [{ image_url: samplePngDataUrl() }],
      mask: { image_url: samplePngDataUrl() },
      quality: 'high',
    };
    const { status, json } = await postJson('/v3/images/edits', body);
    expect(status).toBe(200);
    expect(json).toMatchObject({ ...responseShape, provider: 'openai', cost: 0.106 });
    expect(json.usage).toEqual({
      total_tokens: expect.any(Number),
      input_tokens: expect.any(Number),
      output_tokens: expect.any(Number),
    });
    const data = json.data as {
      b64_json: string | null;
      url: string | null;
      revised_prompt: string | null;
    }[];
    expect(data).toHaveLength(2);
    for (const item of data) {
      expect(item.url).toBeNull();
      expect(item.revised_prompt).toBeNull();
      expect(decodePng(Buffer.from(item.b64_json!, 'base64'))).toBeDefined();
    }
    expect(sim.requests[0]).toMatchObject({ body, billable: true });
    expect(sim.billableCount).toBe(1);
  });

  it('n outputs differ, and a mask limits the edit to its transparent pixels', async () => {
    const input = decodePng(samplePng())!;
    const maskPixels = new Uint8Array(input.width * input.height * 4).fill(255);
    for (let y = 0; y < input.height; y++) {
      for (let x = 0; x < input.width / 2; x++) maskPixels[(y * input.width + x) * 4 + 3] = 0;
    }
    const mask = encodePng({ width: input.width, height: input.height, pixels: maskPixels });
    const { json } = await postJson('/v3/images/edits', {
      model: 'openai/gpt-image-1',
      prompt: 'x',
      n: 2,
      images: [{ image_url: samplePngDataUrl() }],
      mask: { image_url: `data:image/png;base64,${mask.toString('base64')}` },
    });
    const [first, second] = (json.data as { b64_json: string }[]).map(
      (item) => decodePng(Buffer.from(item.b64_json, 'base64'))!,
    );
    expect(first!.pixels).not.toEqual(second!.pixels);
    const right = (input.width - 1) * 4;
    // The transparent (left) half is edited, the opaque right half is kept as it was.
    expect(first!.pixels.slice(0, 4)).not.toEqual(input.pixels.slice(0, 4));
    expect(first!.pixels.slice(right, right + 4)).toEqual(input.pixels.slice(right, right + 4));
  });

  it('each model gives the same input its own look, the same one every time', async () => {
    const edit = async (model: string) => {
      const { json } = await postJson('/v3/images/edits', {
        model,
        prompt: 'Add a moon',
        images: [{ image_url: samplePngDataUrl() }],
      });
      return Buffer.from((json.data as { b64_json: string }[])[0]!.b64_json, 'base64');
    };
    const [mini, gpt, again] = [
      await edit('openai/gpt-image-1-mini'),
      await edit('openai/gpt-image-2'),
      await edit('openai/gpt-image-1-mini'),
    ];
    expect(mini.equals(gpt)).toBe(false);
    expect(mini.equals(again)).toBe(true);
    expect(decodePng(mini)!.pixels).not.toEqual(decodePng(samplePng())!.pixels);
  });

  it('other providers answer url items served by the simulator, and take https URLs', async () => {
    const { status, json } = await postJson('/v3/images/edits', {
      model: 'google/gemini-2.5-flash-image',
      prompt: 'Make the background blue',
      images: [{ image_url: 'https://example.com/photo.png' }, { image_url: samplePngDataUrl() }],
    });
    expect(status).toBe(200);
    expect(json).toMatchObject({ ...responseShape, provider: 'google', cost: 0.039, usage: null });
    const [item] = json.data as { url: string; b64_json: null }[];
    expect(item!.b64_json).toBeNull();
    const image = await fetch(item!.url);
    expect(image.status).toBe(200);
    expect(decodePng(new Uint8Array(await image.arrayBuffer()))).toBeDefined();
  });

  it('accepts a file_id from POST /v3/upload', async () => {
    const form = new FormData();
    form.append('file', new Blob([samplePng()], { type: 'image/png' }), 'photo.png');
    form.append('purpose', 'image-edit');
    form.append('expires_in_days', '7');
    const upload = await postForm('/v3/upload', form);
    expect(upload.status).toBe(200);
    expect(upload.json).toEqual({
      file_id: expect.any(String),
      file_name: 'photo.png',
      file_size: samplePng().length,
      file_mimetype: 'image/png',
      purpose: 'image-edit',
      metadata: {},
      created_at: expect.any(String),
      expires_at: expect.any(String),
    });
    expect(sim.billableCount).toBe(0);
    const { status, json } = await postJson('/v3/images/edits', {
      model: 'openai/gpt-image-1',
      prompt: 'Add a funny hat',
      images: [{ file_id: upload.json.file_id }],
    });
    expect(status).toBe(200);
    const output = Buffer.from((json.data as { b64_json: string }[])[0]!.b64_json, 'base64');
    // The uploaded file is the canvas: the output is the model's look of it.
    const expected = renderEdit({
      canvas: { bytes: samplePng(), sha256: '' },
      model: 'openai/gpt-image-1',
      prompt: 'Add a funny hat',
    });
    expect(output.equals(expected.png)).toBe(true);
    const listed = await fetch(`${sim.url}/v3/upload?purpose=image-edit`, { headers: auth() });
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(1);
    const deleted = await postJson('/v3/upload/delete', { file_ids: [upload.json.file_id] });
    expect(deleted.json).toEqual({ deleted_count: 1 });
    const gone = await postJson('/v3/images/edits', {
      model: 'openai/gpt-image-1',
      prompt: 'x',
      images: [{ file_id: upload.json.file_id }],
    });
    expect(gone.status).toBe(400);
    expect(gone.json).toMatchObject({ error: { type: 'validation_error' } });
  });

  it('an image_url it cannot download is a 400 validation_error', async () => {
    const images = await startImageServer({});
    try {
      const { status, json } = await postJson('/v3/images/edits', {
        model: 'bfl/flux-kontext-pro',
        prompt: 'x',
        images: [{ image_url: `${images.url}/missing.png` }],
      });
      expect(status).toBe(400);
      expect(json).toEqual({
        error: { type: 'validation_error', message: expect.stringContaining('404 Client Error') },
      });
      expect(sim.billableCount).toBe(0);
    } finally {
      await images.close();
    }
  });
});

describe('seed 004: POST /v3/images/edits as multipart', () => {
  it('parses image[] parts, the mask part and text fields', async () => {
    const form = new FormData();
    form.append('model', 'openai/gpt-image-2');
    form.append('prompt', 'Add a funny hat');
    form.append('n', '1');
    form.append('size', '1024x1024');
    form.append('image[]', new Blob([samplePng()], { type: 'image/png' }), 'a.png');
    form.append('image[]', new Blob([samplePng({ width: 3, height: 3 })], { type: 'image/png' }), 'b.png');
    form.append('mask', new Blob([samplePng()], { type: 'image/png' }), 'mask.png');
    const { status, json } = await postForm('/v3/images/edits', form);
    expect(status).toBe(200);
    expect(json).toMatchObject({ ...responseShape, provider: 'openai', cost: 0.053 });
    const recorded = sim.requests[0]!.body as RecordedMultipartBody;
    expect(recorded.fields).toEqual({
      model: 'openai/gpt-image-2',
      prompt: 'Add a funny hat',
      n: '1',
      size: '1024x1024',
    });
    expect(recorded.files.map((file) => [file.name, file.filename, file.contentType])).toEqual([
      ['image[]', 'a.png', 'image/png'],
      ['image[]', 'b.png', 'image/png'],
      ['mask', 'mask.png', 'image/png'],
    ]);
    expect(recorded.files[0]!.sha256).toBe(createHash('sha256').update(samplePng()).digest('hex'));
    expect(sim.billableCount).toBe(1);
  });

  it('streams a large part without keeping it: size and hash are still exact', async () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 7);
    const form = new FormData();
    form.append('model', 'bfl/flux-kontext-pro');
    form.append('prompt', 'x');
    form.append('image[]', new Blob([big], { type: 'image/png' }), 'big.png');
    const { status, json } = await postForm('/v3/images/edits', form);
    expect(status).toBe(200);
    expect((json.data as unknown[]).length).toBe(1);
    const file = (sim.requests[0]!.body as RecordedMultipartBody).files[0]!;
    expect(file.size).toBe(big.length);
    expect(file.sha256).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('missing image[] is a 422 detail list', async () => {
    const form = new FormData();
    form.append('model', 'openai/gpt-image-2');
    form.append('prompt', 'x');
    const { status, json } = await postForm('/v3/images/edits', form);
    expect(status).toBe(422);
    expect(json).toEqual({
      detail: [{ type: 'missing', loc: ['body', 'image[]'], msg: 'Field required', input: null }],
    });
  });
});

describe('documented Eden AI errors', () => {
  const valid = {
    model: 'openai/gpt-image-2',
    prompt: 'x',
    images: [{ image_url: 'data:image/png;base64,AAAA' }],
  };

  it.each([
    [
      'an ImageRef with both file_id and image_url',
      { ...valid, images: [{ file_id: 'f', image_url: 'https://a/b.png' }] },
      ['body', 'images', 0],
      'value_error',
    ],
    ['an ImageRef with neither', { ...valid, images: [{}] }, ['body', 'images', 0], 'value_error'],
    [
      'an ImageRef with another key',
      { ...valid, images: [{ image_url: 'data:image/png;base64,AA', url: 'x' }] },
      ['body', 'images', 0, 'url'],
      'extra_forbidden',
    ],
    ['an empty prompt', { ...valid, prompt: '' }, ['body', 'prompt'], 'string_too_short'],
    [
      'a prompt over 32000 characters',
      { ...valid, prompt: 'a'.repeat(32001) },
      ['body', 'prompt'],
      'string_too_long',
    ],
    ['n = 0', { ...valid, n: 0 }, ['body', 'n'], 'greater_than_equal'],
    ['n = 11', { ...valid, n: 11 }, ['body', 'n'], 'less_than_equal'],
    ['no images', { ...valid, images: [] }, ['body', 'images'], 'too_short'],
    [
      '17 images',
      { ...valid, images: Array.from({ length: 17 }, () => valid.images[0]) },
      ['body', 'images'],
      'too_long',
    ],
    [
      'a remote URL for openai/gpt-image-*',
      { ...valid, images: [{ image_url: 'https://example.com/a.png' }] },
      ['body', 'images', 0, 'image_url'],
      'value_error',
    ],
    ['a missing model', { prompt: 'x', images: valid.images }, ['body', 'model'], 'missing'],
    [
      'a credential in extra_headers',
      { ...valid, extra_headers: { Authorization: 'Bearer other' } },
      ['body', 'extra_headers'],
      'value_error',
    ],
  ])('422 for %s', async (_name, body, loc, type) => {
    const { status, json } = await postJson('/v3/images/edits', body);
    expect(status).toBe(422);
    expect(json).toEqual({
      detail: expect.arrayContaining([expect.objectContaining({ loc, type, msg: expect.any(String) })]),
    });
    expect(sim.billableCount).toBe(0);
  });

  it('422 json_invalid for a body that is not JSON', async () => {
    const response = await fetch(`${sim.url}/v3/images/edits`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: '{"model": ',
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({
      detail: [{ type: 'json_invalid', loc: ['body', expect.any(Number)] }],
    });
  });

  it('401 for a missing or wrong token', async () => {
    for (const headers of [{}, { Authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      const response = await fetch(`${sim.url}/v3/images/edits`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(valid),
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        detail: 'Invalid or missing authentication token',
        error_code: 'UNAUTHORIZED',
      });
    }
    expect(sim.billableCount).toBe(0);
  });

  it('402 in both documented shapes when credits run out', async () => {
    for (const shape of ['detailed', 'simple'] as const) {
      const poor = await startEdenAISimulator({
        rateLimit: false,
        credits: 0.06,
        insufficientCreditsShape: shape,
      });
      try {
        const request = () =>
          fetch(`${poor.url}/v3/images/edits`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${poor.apiKey}`, 'Content-Type': 'application/json' },
            body: JSON.stringify(valid),
          });
        expect((await request()).status).toBe(200);
        expect(poor.credits).toBeCloseTo(0.007);
        const refused = await request();
        expect(refused.status).toBe(402);
        const body = await refused.json();
        if (shape === 'simple') expect(body).toEqual({ error: 'Insufficient credits' });
        else {
          expect(body).toEqual({
            detail: 'User does not have sufficient credits',
            error_code: 'INSUFFICIENT_CREDIT',
            required_credits: 0.053,
            available_credits: 0.007,
          });
        }
        expect(poor.billableCount).toBe(1);
      } finally {
        await poor.close();
      }
    }
  });

  it('404 {"details":"Not Found"} for an unknown path', async () => {
    const response = await fetch(`${sim.url}/v3/nothing-here`, { headers: auth() });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ details: 'Not Found' });
  });

  it('400 and 403 {"error":{"type","message"}}', async () => {
    const unknown = await postJson('/v3/images/edits', { ...valid, model: 'acme/nothing' });
    expect(unknown).toEqual({
      status: 400,
      json: { error: { type: 'validation_error', message: expect.any(String) } },
    });
    const forbidden = await startEdenAISimulator({
      rateLimit: false,
      forbiddenModels: ['openai/gpt-image-2'],
    });
    try {
      const response = await fetch(`${forbidden.url}/v3/images/edits`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${forbidden.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(valid),
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        error: { type: 'permission_error', message: expect.any(String) },
      });
    } finally {
      await forbidden.close();
    }
  });

  it('413 for an upload over the limit', async () => {
    const small = await startEdenAISimulator({ rateLimit: false, maxUploadBytes: 1000 });
    try {
      const form = new FormData();
      form.append('file', new Blob([Buffer.alloc(2000)]), 'big.bin');
      const response = await fetch(`${small.url}/v3/upload`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${small.apiKey}` },
        body: form,
      });
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ detail: expect.stringContaining('Payload too large') });
    } finally {
      await small.close();
    }
  });

  it('upload validates expires_in_days and requires file', async () => {
    const form = new FormData();
    form.append('expires_in_days', '31');
    const { status, json } = await postForm('/v3/upload', form);
    expect(status).toBe(422);
    expect((json.detail as { loc: unknown[] }[]).map((entry) => entry.loc)).toEqual([
      ['body', 'file'],
      ['body', 'expires_in_days'],
    ]);
  });
});

describe('models', () => {
  it('GET /v3/models is public and serves ModelObjects in the documented shape', async () => {
    const response = await fetch(`${sim.url}/v3/models`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: { id: string }[] };
    expect(body.object).toBe('list');
    expect(body.data.find((model) => model.id === 'google/gemini-2.5-flash-image')).toEqual({
      id: 'google/gemini-2.5-flash-image',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'google',
      model_name: 'gemini-2.5-flash-image',
      context_length: null,
      description: expect.any(String),
      source: null,
      capabilities: { input_modalities: ['text', 'image'], output_modalities: ['image'] },
      pricing: { output_cost_per_image: 0.039 },
      list_pricing: { output_cost_per_image: 0.039 },
      discount: 0,
      regions: [{ code: 'us', name: 'United States' }],
    });
    expect(body.data.map((model) => model.id)).toContain('openai/gpt-4o-mini');
  });

  it('GET /v3/images/models lists image models only, generation-only ones included', async () => {
    const images = await fetch(`${sim.url}/v3/images/models`, { headers: auth() });
    const imageIds = ((await images.json()) as { data: { id: string }[] }).data.map((model) => model.id);
    expect(imageIds).toContain('bfl/flux-kontext-pro');
    expect(imageIds).toContain('google/imagen-4.0-generate-001');
    expect(imageIds).not.toContain('openai/gpt-4o-mini');
  });

  it('the EU host lists EU models only and answers 451 for the others', async () => {
    const eu = await startEdenAISimulator({ rateLimit: false, region: 'eu' });
    try {
      const listed = await fetch(`${eu.url}/v3/images/models`, {
        headers: { Authorization: `Bearer ${eu.apiKey}` },
      });
      const ids = ((await listed.json()) as { data: { id: string }[] }).data.map((model) => model.id);
      expect(ids).toContain('openai/gpt-image-2');
      expect(ids).not.toContain('google/gemini-2.5-flash-image');
      const response = await fetch(`${eu.url}/v3/images/edits`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${eu.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          model: 'google/gemini-2.5-flash-image',
          prompt: 'x',
          images: [{ image_url: 'https://a.test/b.png' }],
        }),
      });
      expect(response.status).toBe(451);
      expect(await response.json()).toEqual({
        error: {
          message: 'Provider(s)/model(s) google/gemini-2.5-flash-image are not available on the EU endpoint.',
          type: 'request_forbidden',
          param: null,
          code: 'region_not_allowed',
        },
      });
      expect(eu.billableCount).toBe(0);
    } finally {
      await eu.close();
    }
  });
});

describe('result URLs', () => {
  it('expire after the TTL', async () => {
    const short = await startEdenAISimulator({ rateLimit: false, resultTtlMs: 80 });
    try {
      const response = await fetch(`${short.url}/v3/images/edits`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${short.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          model: 'bfl/flux-kontext-pro',
          prompt: 'x',
          images: [{ image_url: 'https://a.test/b.png' }],
        }),
      });
      const url = ((await response.json()) as { data: { url: string }[] }).data[0]!.url;
      expect((await fetch(url)).status).toBe(200);
      await sleep(120);
      expect((await fetch(url)).status).toBe(403);
    } finally {
      await short.close();
    }
  });
});
