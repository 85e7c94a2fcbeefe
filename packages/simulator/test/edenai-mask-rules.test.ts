import { crc32, deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestImage, type EdenAISimulator, startEdenAISimulator } from '../src/index.ts';
import { readPngHeader } from '../src/shared/png-header.ts';

/*
 * What the real Eden AI refuses, the simulator refuses too: an OpenAI-family mask without an alpha
 * channel or of another size than the image (Eden's `mask` is a PNG whose transparent pixels mark
 * the edit), a file id in a multipart body, and a body over the size limit.
 */

let sim: EdenAISimulator;
beforeEach(async () => {
  sim = await startEdenAISimulator({ rateLimit: false, maxJsonBodyBytes: 64 * 1024 });
});
afterEach(() => sim.close());

/** An 8-bit RGB PNG (colour type 2: no alpha channel), written by hand. */
function rgbPng(width: number, height: number): Uint8Array {
  const rows = new Uint8Array(height * (1 + width * 3)).fill(255);
  for (let y = 0; y < height; y++) rows[y * (1 + width * 3)] = 0;
  const chunk = (type: string, data: Uint8Array) => {
    const typed = new Uint8Array([...Array.from(type, (letter) => letter.charCodeAt(0)), ...data]);
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(typed, 4);
    view.setUint32(8 + data.length, crc32(typed));
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    ...chunk('IHDR', header),
    ...chunk('IDAT', deflateSync(rows)),
    ...chunk('IEND', new Uint8Array(0)),
  ]);
}

const dataUrl = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;
const canvas = createTestImage({ width: 8, height: 8 });

async function editJson(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.url}/v3/images/edits`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ prompt: 'x', images: [{ image_url: dataUrl(canvas) }], ...body }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('the PNG header reader', () => {
  it('tells an RGB PNG from an RGBA one', () => {
    expect(readPngHeader(rgbPng(3, 2))).toEqual({
      width: 3,
      height: 2,
      bitDepth: 8,
      colorType: 2,
      hasTransparencyChunk: false,
    });
    expect(readPngHeader(canvas)).toMatchObject({ width: 8, height: 8, colorType: 6 });
    expect(readPngHeader(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });
});

describe('OpenAI-family masks', () => {
  it('a mask without an alpha channel is refused with 400, and nothing is billed', async () => {
    const result = await editJson({
      model: 'openai/gpt-image-2',
      mask: { image_url: dataUrl(rgbPng(8, 8)) },
    });
    expect(result.status).toBe(400);
    expect(result.json).toEqual({
      error: {
        type: 'validation_error',
        message: expect.stringMatching(/^Invalid mask image: the mask must be a PNG with an alpha channel/),
      },
    });
    expect(sim.billableCount).toBe(0);
  });

  it('a mask of another size than the image is refused with 400', async () => {
    const mask = createTestImage({ width: 4, height: 8, color: [0, 0, 0, 0] });
    const result = await editJson({ model: 'openai/gpt-image-1', mask: { image_url: dataUrl(mask) } });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({
      error: {
        message: 'Invalid mask image: the mask (4x8) and the image (8x8) must have the same dimensions',
      },
    });
  });

  it('an RGBA mask of the image size is taken', async () => {
    const mask = createTestImage({ width: 8, height: 8, color: ({ x }) => [0, 0, 0, x < 4 ? 0 : 255] });
    const result = await editJson({ model: 'openai/gpt-image-2', mask: { image_url: dataUrl(mask) } });
    expect(result.status).toBe(200);
    expect(sim.billableCount).toBe(1);
  });

  it("other model families are not held to OpenAI's mask rules", async () => {
    // Eden's spec makes every mask a PNG with transparency; the suite's contract check (contract/)
    // is told this one departs from it on purpose, to see the simulator let it through.
    const result = await editJson(
      { model: 'bfl/flux-kontext-pro', mask: { image_url: dataUrl(rgbPng(8, 8)) } },
      { 'x-retouch-off-spec': 'a mask without transparency, for a model not held to it' },
    );
    expect(result.status).toBe(200);
  });

  it('the same rule holds for a multipart mask part', async () => {
    const form = new FormData();
    form.append('model', 'openai/gpt-image-2');
    form.append('prompt', 'x');
    form.append('image[]', new Blob([new Uint8Array(canvas)], { type: 'image/png' }), 'image.png');
    form.append('mask', new Blob([new Uint8Array(rgbPng(8, 8))], { type: 'image/png' }), 'mask.png');
    const response = await fetch(`${sim.url}/v3/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}` },
      body: form,
    });
    expect(response.status).toBe(400);
  });
});

describe('multipart bodies carry files only', () => {
  it.each(['file_id', 'images', 'mask'])('a "%s" text field is refused with 422', async (field) => {
    const form = new FormData();
    form.append('model', 'openai/gpt-image-2');
    form.append('prompt', 'x');
    form.append('image[]', new Blob([new Uint8Array(canvas)], { type: 'image/png' }), 'image.png');
    form.append(field, field === 'file_id' ? 'file-123' : JSON.stringify({ file_id: 'file-123' }));
    const response = await fetch(`${sim.url}/v3/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}` },
      body: form,
    });
    expect(response.status).toBe(422);
    const json = (await response.json()) as { detail: { loc: string[]; msg: string }[] };
    expect(json.detail[0]!.loc).toEqual(['body', field]);
    expect(json.detail[0]!.msg).toContain('only accepted in an application/json body');
    expect(sim.billableCount).toBe(0);
  });
});

describe('oversized bodies', () => {
  it('a JSON body over the limit is refused with 413 before it is read whole', async () => {
    const result = await editJson({ model: 'openai/gpt-image-2', padding: 'x'.repeat(70 * 1024) });
    expect(result.status).toBe(413);
    expect(result.json).toEqual({ detail: expect.stringMatching(/^Payload too large/) });
    expect(sim.billableCount).toBe(0);
  });
});
