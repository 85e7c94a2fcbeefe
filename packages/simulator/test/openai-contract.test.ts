import { afterEach, describe, expect, it } from 'vitest';
import {
  createTestImage,
  type OpenAISimulator,
  type RecordedMultipartBody,
  startOpenAISimulator,
} from '../src/index.ts';
import { decodePng } from '../src/shared/png.ts';
import { samplePng } from './helpers.ts';

let sim: OpenAISimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function png(bytes: Uint8Array, name = 'image.png'): File {
  return new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'image/png' });
}

async function postEdit(
  simulator: OpenAISimulator,
  form: FormData,
  headers: Record<string, string> = { Authorization: `Bearer ${simulator.apiKey}` },
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(`${simulator.url}/v1/images/edits`, { method: 'POST', headers, body: form });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

function editForm(
  fields: Record<string, string>,
  files: [string, File][] = [['image', png(samplePng())]],
): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  for (const [name, file] of files) form.append(name, file);
  return form;
}

const errorShape = (param: string | null, code: string | null) => ({
  error: { message: expect.any(String), type: 'invalid_request_error', param, code },
});

describe('POST /v1/images/edits, GPT image models', () => {
  it('answers created, b64_json items and token usage for several images, n and size; records the parts', async () => {
    sim = await startOpenAISimulator();
    const photo = samplePng({ width: 16, height: 16 });
    const form = editForm(
      { model: 'gpt-image-1', prompt: 'Add a hat', n: '2', size: '1024x1536', quality: 'high' },
      [
        ['image[]', png(photo, 'photo.png')],
        ['image[]', png(samplePng({ width: 8, height: 8 }), 'reference.png')],
      ],
    );
    const { status, json } = await postEdit(sim, form);
    expect(status).toBe(200);
    expect(json).toEqual({
      created: expect.any(Number),
      data: [{ b64_json: expect.any(String) }, { b64_json: expect.any(String) }],
      background: 'opaque',
      output_format: 'png',
      quality: 'high',
      size: '16x16',
      usage: {
        input_tokens: expect.any(Number),
        input_tokens_details: { image_tokens: 388, text_tokens: 3 },
        output_tokens: 2 * 6240,
        output_tokens_details: { image_tokens: 2 * 6240, text_tokens: 0 },
        total_tokens: expect.any(Number),
      },
    });
    const [first, second] = (json.data as { b64_json: string }[]).map((item) =>
      Buffer.from(item.b64_json, 'base64'),
    );
    expect(decodePng(first!)).toMatchObject({ width: 16, height: 16 });
    expect(first!.equals(second!)).toBe(false);
    expect(sim.billableCount).toBe(1);
    expect(sim.counters.imagesGenerated).toBe(2);
    // gpt-image-1: 3 text tokens at $5/M, 388 image tokens at $10/M, 12480 output tokens at $40/M.
    expect(sim.spentUsd).toBeCloseTo((3 * 5 + 388 * 10 + 12_480 * 40) / 1e6, 6);
    const [recorded] = sim.requests;
    expect(recorded).toMatchObject({ route: 'POST /v1/images/edits', status: 200, billable: true });
    expect(recorded!.headers.authorization).toBe('Bearer [REDACTED]');
    const body = recorded!.body as RecordedMultipartBody;
    expect(body.fields).toEqual({
      model: 'gpt-image-1',
      prompt: 'Add a hat',
      n: '2',
      size: '1024x1536',
      quality: 'high',
    });
    expect(body.files.map((file) => [file.name, file.filename])).toEqual([
      ['image[]', 'photo.png'],
      ['image[]', 'reference.png'],
    ]);
  });

  it('edits only where the mask is fully transparent, as the reference defines the mask', async () => {
    sim = await startOpenAISimulator();
    const photo = createTestImage({ width: 8, height: 8, color: [200, 40, 40] });
    const leftTransparent = createTestImage({
      width: 8,
      height: 8,
      color: ({ x }) => (x < 4 ? [0, 0, 0, 0] : [0, 0, 0, 255]),
    });
    const { status, json } = await postEdit(
      sim,
      editForm({ model: 'gpt-image-1', prompt: 'Paint it' }, [
        ['image', png(photo)],
        ['mask', png(leftTransparent, 'mask.png')],
      ]),
    );
    expect(status).toBe(200);
    const output = decodePng(Buffer.from((json.data as { b64_json: string }[])[0]!.b64_json, 'base64'))!;
    const pixel = (x: number) => [...output.pixels.subarray(x * 4, x * 4 + 3)];
    expect(pixel(6)).toEqual([200, 40, 40]);
    expect(pixel(1)).not.toEqual([200, 40, 40]);
  });

  it('defaults to gpt-image-1.5 and refuses what the model does not take, naming the field', async () => {
    sim = await startOpenAISimulator();
    const cases: [Record<string, string>, string, string][] = [
      [{ prompt: 'x', response_format: 'url' }, 'response_format', 'unknown_parameter'],
      [{ prompt: 'x', n: '11' }, 'n', 'integer_out_of_range'],
      [{ prompt: 'x', size: '640x480' }, 'size', 'invalid_value'],
      [{ prompt: 'x', quality: 'hd' }, 'quality', 'invalid_value'],
      [{ prompt: 'x', aspect_ratio: '1:1' }, 'aspect_ratio', 'unknown_parameter'],
      [{ prompt: 'x', model: 'gpt-4o' }, 'model', 'invalid_value'],
      [{ model: 'gpt-image-1' }, 'prompt', 'missing_required_parameter'],
      [
        { prompt: 'x', model: 'gpt-image-1-mini', input_fidelity: 'high' },
        'input_fidelity',
        'unknown_parameter',
      ],
    ];
    for (const [fields, param, code] of cases) {
      const { status, json } = await postEdit(sim, editForm(fields));
      expect({ fields, status, json }).toEqual({ fields, status: 400, json: errorShape(param, code) });
    }
    const noImage = await postEdit(sim, editForm({ prompt: 'x' }, []));
    expect(noImage.json).toEqual(errorShape('image', 'missing_required_parameter'));
    const ok = await postEdit(sim, editForm({ prompt: 'x', size: '1536x1024' }));
    expect(ok.status).toBe(200);
    expect(sim.billableCount).toBe(1);
  });

  it('takes gpt-image-2 sizes divisible by 16 within 1:3 to 3:1', async () => {
    sim = await startOpenAISimulator();
    expect(
      (await postEdit(sim, editForm({ model: 'gpt-image-2', prompt: 'x', size: '1536x864' }))).status,
    ).toBe(200);
    const odd = await postEdit(sim, editForm({ model: 'gpt-image-2', prompt: 'x', size: '1000x1000' }));
    expect(odd.json).toEqual(errorShape('size', 'invalid_value'));
    const wide = await postEdit(sim, editForm({ model: 'gpt-image-2', prompt: 'x', size: '3200x800' }));
    expect((wide.json.error as { message: string }).message).toContain('1:3 and 3:1');
  });

  it('refuses a mask that is not a PNG of the image size', async () => {
    sim = await startOpenAISimulator();
    const wrongSize = await postEdit(
      sim,
      editForm({ model: 'gpt-image-1', prompt: 'x' }, [
        ['image', png(samplePng({ width: 8, height: 6 }))],
        ['mask', png(samplePng({ width: 4, height: 4 }), 'mask.png')],
      ]),
    );
    expect(wrongSize.json).toEqual(errorShape('mask', 'invalid_image'));
    expect(sim.billableCount).toBe(0);
  });
});

describe('POST /v1/images/edits, dall-e-2', () => {
  it('answers URLs by default, served without a token, and b64_json on request; no usage', async () => {
    sim = await startOpenAISimulator();
    const square = samplePng({ width: 8, height: 8 });
    const byUrl = await postEdit(
      sim,
      editForm({ model: 'dall-e-2', prompt: 'x', size: '256x256' }, [['image', png(square)]]),
    );
    expect(byUrl.json).toEqual({
      created: expect.any(Number),
      data: [{ url: expect.stringContaining(`${sim.url}/files/`) }],
    });
    const file = await fetch((byUrl.json.data as { url: string }[])[0]!.url);
    expect(file.status).toBe(200);
    expect(decodePng(new Uint8Array(await file.arrayBuffer()))).toMatchObject({ width: 8, height: 8 });
    const inline = await postEdit(
      sim,
      editForm({ model: 'dall-e-2', prompt: 'x', response_format: 'b64_json' }, [['image', png(square)]]),
    );
    expect(inline.json).toEqual({ created: expect.any(Number), data: [{ b64_json: expect.any(String) }] });
    // $0.016 for 256x256 and $0.02 for the default 1024x1024.
    expect(sim.spentUsd).toBeCloseTo(0.036, 6);
  });

  it('takes one square PNG only', async () => {
    sim = await startOpenAISimulator();
    const notSquare = await postEdit(sim, editForm({ model: 'dall-e-2', prompt: 'x' }));
    expect(notSquare.json).toEqual(errorShape('image', 'invalid_image'));
    const two = await postEdit(
      sim,
      editForm({ model: 'dall-e-2', prompt: 'x' }, [
        ['image[]', png(samplePng({ width: 4, height: 4 }))],
        ['image[]', png(samplePng({ width: 4, height: 4 }))],
      ]),
    );
    expect(two.json).toEqual(errorShape('image', 'invalid_value'));
  });
});

describe('OpenAI errors, limits and faults', () => {
  it('answers a wrong key, an unknown path and a JSON body in the error shape, without billing', async () => {
    sim = await startOpenAISimulator();
    const wrongKey = await postEdit(sim, editForm({ prompt: 'x' }), { Authorization: 'Bearer nope' });
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.json).toEqual(errorShape(null, 'invalid_api_key'));
    const unknown = await fetch(`${sim.url}/v1/images/variations`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual(errorShape(null, null));
    const json = await fetch(`${sim.url}/v1/images/edits`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ prompt: 'x' }),
    });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { message: string } }).error.message).toContain(
      'multipart/form-data',
    );
    expect(sim.billableCount).toBe(0);
  });

  it('rate-limits per account with 429 rate_limit_exceeded and retry-after headers; refused edits are not billed', async () => {
    sim = await startOpenAISimulator({ rateLimit: { requestsPerSecond: 2, windowMs: 1_000 } });
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => postEdit(sim!, editForm({ prompt: 'x' }))),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 429, 429, 429]);
    const limited = responses.find((response) => response.status === 429)!;
    expect(limited.json).toEqual({
      error: {
        message: expect.stringContaining('Rate limit'),
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('retry-after-ms'))).toBeLessThanOrEqual(1000);
    expect(sim.billableCount).toBe(2);
    expect(sim.counters.rateLimited).toBe(3);
  });

  it('answers a spent balance with 429 insufficient_quota', async () => {
    sim = await startOpenAISimulator({ credits: 0.001 });
    const { status, json } = await postEdit(sim, editForm({ prompt: 'x' }));
    expect(status).toBe(429);
    expect(json).toEqual({
      error: {
        message: expect.stringContaining('quota'),
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      },
    });
    expect(sim.billableCount).toBe(0);
  });

  it('injects faults on the edit route: a scripted 429 with its delay, and a failure after the work', async () => {
    sim = await startOpenAISimulator();
    sim.setFaults([
      { route: 'POST /v1/images/edits', kind: 'rate-limit', retryAfterSeconds: 2, times: 1 },
      { route: 'POST /v1/images/edits', kind: 'job-fails', times: 1 },
    ]);
    const limited = await postEdit(sim, editForm({ prompt: 'x' }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('retry-after-ms')).toBe('2000');
    const failed = await postEdit(sim, editForm({ prompt: 'x' }));
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({
      error: { message: expect.any(String), type: 'server_error', param: null, code: null },
    });
    expect((await postEdit(sim, editForm({ prompt: 'x' }))).status).toBe(200);
    expect(sim.requests.map((request) => request.billable)).toEqual([false, true, true]);
  });
});
