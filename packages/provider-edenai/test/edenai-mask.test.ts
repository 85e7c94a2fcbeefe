import { InvalidRequestError } from '@retouch/core';
import { type EdenAISimulator, type RecordedMultipartBody, startEdenAISimulator } from '@retouch/simulator';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createEdenAI } from '../src/index.ts';
import { editWith, pngBytes, requestsTo, startImageHost } from './helpers.ts';
import { writePng } from './support/png-writer.ts';

/*
 * Retouch's mask is white where the edit applies; Eden's is transparent there. These tests follow a
 * neutral mask to the simulator on each transport and read the mask that arrived with pngjs, a
 * decoder the adapter does not use, pixel by pixel.
 */

const EDITS = 'POST /v3/images/edits';
const UPLOAD = 'POST /v3/upload';
const SIZE = 4;
/** The left half is to be edited (white), the right half kept (black). */
const editsLeftHalf = (x: number) => x < SIZE / 2;
/** Eden's alpha for that mask: 0 (transparent, edit) on the left, 255 (opaque, keep) on the right. */
const EXPECTED_ALPHA = Array.from({ length: SIZE * SIZE }, (_, pixel) =>
  editsLeftHalf(pixel % SIZE) ? 0 : 255,
);

let sim: EdenAISimulator;
beforeAll(async () => {
  sim = await startEdenAISimulator({ rateLimit: false });
});
afterAll(() => sim.close());
beforeEach(() => sim.clearRequests());

const canvas = () => pngBytes({ width: SIZE, height: SIZE });

function alphaOf(png: Uint8Array): number[] {
  const decoded = PNG.sync.read(Buffer.from(png));
  expect([decoded.width, decoded.height]).toEqual([SIZE, SIZE]);
  return Array.from({ length: SIZE * SIZE }, (_, pixel) => decoded.data[pixel * 4 + 3]!);
}

function dataUrlBytes(value: unknown): Uint8Array {
  expect(value).toMatch(/^data:image\/png;base64,/);
  return new Uint8Array(Buffer.from(String(value).split(',')[1]!, 'base64'));
}

/** The mask of the one edit the simulator received as JSON. */
function jsonMask(): Uint8Array {
  const [request] = requestsTo(sim, EDITS);
  return dataUrlBytes((request!.body as { mask: { image_url: string } }).mask.image_url);
}

const gray = (white: boolean, maximum: number) => (white ? maximum : 0);

/** The same neutral mask in every PNG colour type and depth a user may hand over. */
const MASKS: Record<string, () => Uint8Array> = {
  'gray, 8-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 0,
      bitDepth: 8,
      pixel: (x) => [gray(editsLeftHalf(x), 255)],
    }),
  'gray, 16-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 0,
      bitDepth: 16,
      pixel: (x) => [gray(editsLeftHalf(x), 65535)],
    }),
  'gray, 1-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 0,
      bitDepth: 1,
      pixel: (x) => [gray(editsLeftHalf(x), 1)],
    }),
  'gray + alpha, 8-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 4,
      bitDepth: 8,
      pixel: (x) => [gray(editsLeftHalf(x), 255), 255],
    }),
  'gray + alpha, 16-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 4,
      bitDepth: 16,
      pixel: (x) => [gray(editsLeftHalf(x), 65535), 65535],
    }),
  'RGB, 8-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 2,
      bitDepth: 8,
      pixel: (x) => Array(3).fill(gray(editsLeftHalf(x), 255)),
    }),
  'RGB, 16-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 2,
      bitDepth: 16,
      pixel: (x) => Array(3).fill(gray(editsLeftHalf(x), 65535)),
    }),
  'RGBA, 8-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 6,
      bitDepth: 8,
      pixel: (x) => [...Array(3).fill(gray(editsLeftHalf(x), 255)), 255],
    }),
  'RGBA, 16-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 6,
      bitDepth: 16,
      pixel: (x) => [...Array(3).fill(gray(editsLeftHalf(x), 65535)), 65535],
    }),
  'palette, 8-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 3,
      bitDepth: 8,
      palette: [
        [0, 0, 0],
        [255, 255, 255],
      ],
      pixel: (x) => [editsLeftHalf(x) ? 1 : 0],
    }),
  'palette, 2-bit': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 3,
      bitDepth: 2,
      palette: [
        [255, 0, 0],
        [255, 255, 255],
        [0, 0, 0],
      ],
      pixel: (x) => [editsLeftHalf(x) ? 1 : 2],
    }),
  // A transparent pixel of the neutral mask counts as black: entry 0 is white but fully transparent.
  'palette with tRNS': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 3,
      bitDepth: 8,
      palette: [
        [255, 255, 255],
        [255, 255, 255],
      ],
      transparency: [0, 255],
      pixel: (x) => [editsLeftHalf(x) ? 1 : 0],
    }),
  'gray with a tRNS key (white made transparent on the right)': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 0,
      bitDepth: 8,
      transparency: [254],
      pixel: (x) => [editsLeftHalf(x) ? 255 : 254],
    }),
  'RGBA whose kept half is white but transparent': () =>
    writePng({
      width: SIZE,
      height: SIZE,
      colorType: 6,
      bitDepth: 8,
      pixel: (x) => [255, 255, 255, editsLeftHalf(x) ? 255 : 0],
    }),
};

describe('a neutral mask reaches Eden transparent where the edit applies', () => {
  for (const [kind, mask] of Object.entries(MASKS)) {
    test(`${kind}, in a JSON data: URL`, async () => {
      const provider = createEdenAI({
        apiKey: sim.apiKey,
        baseURL: sim.url,
        transport: 'json',
        upload: 'never',
      });
      const output = await editWith(provider, {
        model: 'edenai:openai/gpt-image-2',
        prompt: 'Replace the left half with a window',
        images: [canvas()],
        mask: mask(),
      });
      expect(alphaOf(jsonMask())).toEqual(EXPECTED_ALPHA);
      expect(output.images).toHaveLength(1);
      expect(output.warnings).toEqual([]);
    });
  }

  test('in a multipart mask part', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'multipart' });
    await editWith(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [canvas()],
      mask: MASKS['gray, 8-bit']!(),
    });
    const [request] = requestsTo(sim, EDITS);
    const part = (request!.body as RecordedMultipartBody).files.find((file) => file.name === 'mask');
    expect(part).toMatchObject({ filename: 'mask.png', contentType: 'image/png' });
    expect(alphaOf(part!.bytes!)).toEqual(EXPECTED_ALPHA);
  });

  test('in an upload the edit references by file_id', async () => {
    // A simulator of its own: the upload cache is per host, so this one starts empty.
    const own = await startEdenAISimulator({ rateLimit: false });
    try {
      const provider = createEdenAI({
        apiKey: own.apiKey,
        baseURL: own.url,
        transport: 'json',
        upload: 'always',
      });
      await editWith(provider, {
        model: 'edenai:openai/gpt-image-2',
        prompt: 'x',
        images: [canvas()],
        mask: MASKS['RGB, 8-bit']!(),
      });
      const uploads = requestsTo(own, UPLOAD).map(
        (request) => (request.body as RecordedMultipartBody).files[0]!,
      );
      expect(uploads).toHaveLength(2);
      const [edit] = requestsTo(own, EDITS);
      const body = edit!.body as { mask: { file_id: string }; images: { file_id: string }[] };
      expect(body.mask).toEqual({ file_id: expect.any(String) });
      // The upload whose file the mask names is the converted mask.
      const maskUpload = uploads.find((file) => file.filename === 'mask.png');
      expect(alphaOf(maskUpload!.bytes!)).toEqual(EXPECTED_ALPHA);
    } finally {
      await own.close();
    }
  });

  test('a remote mask is downloaded, converted and sent, with a warning', async () => {
    const host = await startImageHost({ '/mask.png': { body: MASKS['gray, 8-bit']!() } });
    try {
      const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
      const output = await editWith(provider, {
        model: 'edenai:bfl/flux-kontext-pro',
        prompt: 'x',
        images: [canvas()],
        mask: `${host.url}/mask.png`,
      });
      expect(alphaOf(jsonMask())).toEqual(EXPECTED_ALPHA);
      expect(output.warnings).toContainEqual(
        expect.objectContaining({
          message: expect.stringContaining('remote mask was downloaded and converted'),
        }),
      );
    } finally {
      await host.close();
    }
  });

  test('grays give a soft edge: 25% white is 75% opaque', async () => {
    const provider = createEdenAI({
      apiKey: sim.apiKey,
      baseURL: sim.url,
      transport: 'json',
      upload: 'never',
    });
    await editWith(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [canvas()],
      mask: writePng({ width: SIZE, height: SIZE, colorType: 0, bitDepth: 8, pixel: () => [64] }),
    });
    expect(new Set(alphaOf(jsonMask()))).toEqual(new Set([Math.round(255 * (1 - 64 / 255))]));
  });

  test('an Eden file id is sent as it is, with a warning that it must already be in Eden form', async () => {
    const provider = createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url, transport: 'json' });
    const form = new FormData();
    const edenMask = writePng({
      width: SIZE,
      height: SIZE,
      colorType: 6,
      bitDepth: 8,
      pixel: (x) => [0, 0, 0, editsLeftHalf(x) ? 0 : 255],
    });
    form.append('file', new Blob([new Uint8Array(edenMask)], { type: 'image/png' }), 'mask.png');
    const upload = await fetch(`${sim.url}/v3/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}` },
      body: form,
    });
    const fileId = ((await upload.json()) as { file_id: string }).file_id;
    sim.clearRequests();
    const output = await editWith(provider, {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images: [canvas()],
      mask: { fileId, provider: 'edenai' },
    });
    expect((requestsTo(sim, EDITS)[0]!.body as { mask: unknown }).mask).toEqual({ file_id: fileId });
    expect(output.warnings).toContainEqual(
      expect.objectContaining({ message: expect.stringContaining('must already mark the region to edit') }),
    );
  });
});

describe('a mask Eden cannot take is refused before anything is sent', () => {
  const provider = () => createEdenAI({ apiKey: sim.apiKey, baseURL: sim.url });
  const refusal = async (mask: Uint8Array, images: Uint8Array[] = [canvas()]) => {
    const error = await editWith(provider(), {
      model: 'edenai:openai/gpt-image-2',
      prompt: 'x',
      images,
      mask,
    }).catch((caught: unknown) => caught);
    expect(InvalidRequestError.isInstance(error)).toBe(true);
    expect(sim.requests).toEqual([]);
    return (error as InvalidRequestError).issues[0]!;
  };

  test('a JPEG mask, naming the field and the fix', async () => {
    const jpeg = Uint8Array.from([
      0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1,
    ]);
    const issue = await refusal(jpeg);
    expect(issue.path).toBe('mask');
    expect(issue.message).toMatch(/takes a PNG mask, and this mask is a JPEG; save the mask as a PNG/);
  });

  test('a WebP mask', async () => {
    const webp = new Uint8Array(32);
    webp.set(
      Array.from('RIFF', (letter) => letter.charCodeAt(0)),
      0,
    );
    webp.set(
      Array.from('WEBPVP8 ', (letter) => letter.charCodeAt(0)),
      8,
    );
    const issue = await refusal(webp);
    expect(issue).toMatchObject({ path: 'mask', message: expect.stringContaining('this mask is a WEBP') });
  });

  test('a mask whose size is not the canvas size', async () => {
    const issue = await refusal(pngBytes({ width: 8, height: 6 }));
    expect(issue.path).toBe('mask');
    expect(issue.message).toBe(
      "the mask is 8x6 but the first image (the canvas, images.0) is 4x4; Eden AI needs a mask of the canvas's size: resize the mask to 4x4",
    );
  });

  test('a PNG that cannot be decoded', async () => {
    const broken = pngBytes({ width: SIZE, height: SIZE }).slice(0, 40);
    const issue = await refusal(broken);
    expect(issue).toMatchObject({
      path: 'mask',
      message: expect.stringMatching(/^the mask PNG could not be read/),
    });
  });
});
