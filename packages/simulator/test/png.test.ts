import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  renderEdit,
  SIMULATED_EDITS,
  type SimulatedEdit,
  simulatedEditFor,
  sniffImageType,
} from '../src/shared/image-transform.ts';
import { decodePng, encodePng } from '../src/shared/png.ts';

const crcTable = Array.from({ length: 256 }, (_, index) => {
  let value = index;
  for (let bit = 0; bit < 8; bit++) value = value & 1 ? 0xedb88320 ^ (value >>> 1) : value >>> 1;
  return value >>> 0;
});

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  let crc = 0xffffffff;
  for (const byte of body) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const trailer = Buffer.alloc(4);
  trailer.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return Buffer.concat([length, body, trailer]);
}

function paeth(left: number, up: number, upLeft: number): number {
  const estimate = left + up - upLeft;
  const [a, b, c] = [Math.abs(estimate - left), Math.abs(estimate - up), Math.abs(estimate - upLeft)];
  if (a <= b && a <= c) return left;
  return b <= c ? up : upLeft;
}

/**
 * An independent encoder that can use any filter per row, any colour type and 8 or 16 bits a sample
 * (`samples` holds bytes: two, most significant first, per 16-bit sample).
 */
function encodeWith(options: {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth?: 8 | 16;
  samples: Uint8Array;
  filters: number[];
  palette?: Buffer;
}): Buffer {
  const bitDepth = options.bitDepth ?? 8;
  // Filters predict from the same byte of the previous pixel: `channels` counts bytes a pixel.
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[options.colorType] * (bitDepth / 8);
  const stride = options.width * channels;
  const rows: Buffer[] = [];
  for (let row = 0; row < options.height; row++) {
    const filter = options.filters[row % options.filters.length]!;
    const out = Buffer.alloc(stride + 1);
    out[0] = filter;
    for (let column = 0; column < stride; column++) {
      const value = options.samples[row * stride + column]!;
      const left = column >= channels ? options.samples[row * stride + column - channels]! : 0;
      const up = row > 0 ? options.samples[(row - 1) * stride + column]! : 0;
      const upLeft =
        row > 0 && column >= channels ? options.samples[(row - 1) * stride + column - channels]! : 0;
      const predicted = [0, left, up, (left + up) >>> 1, paeth(left, up, upLeft)][filter]!;
      out[column + 1] = (value - predicted) & 0xff;
    }
    rows.push(out);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(options.width, 0);
  header.writeUInt32BE(options.height, 4);
  header[8] = bitDepth;
  header[9] = options.colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(options.palette === undefined ? [] : [chunk('PLTE', options.palette)]),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG decoder', () => {
  it('decodes every filter type and 8-bit colour type to the same RGBA', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom<0 | 2 | 4 | 6>(0, 2, 4, 6),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }),
        fc.integer(),
        (width, height, colorType, filters, seed) => {
          const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType];
          const samples = new Uint8Array(width * height * channels).map(
            (_, index) => (index * 73 + seed) & 0xff,
          );
          const decoded = decodePng(encodeWith({ width, height, colorType, samples, filters }))!;
          expect([decoded.width, decoded.height]).toEqual([width, height]);
          for (let pixel = 0; pixel < width * height; pixel++) {
            const source = samples.subarray(pixel * channels, pixel * channels + channels);
            const expected =
              colorType === 0
                ? [source[0], source[0], source[0], 255]
                : colorType === 4
                  ? [source[0], source[0], source[0], source[1]]
                  : colorType === 2
                    ? [source[0], source[1], source[2], 255]
                    : [...source];
            expect([...decoded.pixels.subarray(pixel * 4, pixel * 4 + 4)]).toEqual(expected);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('decodes palette images', () => {
    const palette = Buffer.from([255, 0, 0, 0, 255, 0]);
    const png = encodeWith({
      width: 2,
      height: 1,
      colorType: 3,
      samples: new Uint8Array([0, 1]),
      filters: [0],
      palette,
    });
    expect([...decodePng(png)!.pixels]).toEqual([255, 0, 0, 255, 0, 255, 0, 255]);
  });

  it('decodes 16-bit images to 8 bits a channel', () => {
    const png = encodeWith({
      width: 2,
      height: 1,
      colorType: 4,
      bitDepth: 16,
      // Gray 0xffff, alpha 0x0000; gray 0x8080, alpha 0xffff.
      samples: new Uint8Array([0xff, 0xff, 0, 0, 0x80, 0x80, 0xff, 0xff]),
      filters: [1],
    });
    expect([...decodePng(png)!.pixels]).toEqual([255, 255, 255, 0, 128, 128, 128, 255]);
  });

  it('refuses what is not a PNG, a corrupt PNG and a raster above 2048 × 2048 pixels', () => {
    expect(decodePng(Buffer.from('not a png'))).toBeUndefined();
    expect(decodePng(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBeUndefined();
    const png = encodeWith({ width: 4, height: 4, colorType: 0, samples: new Uint8Array(16), filters: [0] });
    expect(decodePng(png.subarray(0, png.length - 20))).toBeUndefined();
    // Only the header claims a huge size: the picture is refused before anything is inflated.
    const huge = Buffer.from(png);
    huge.writeUInt32BE(4096, 16);
    huge.writeUInt32BE(4096, 20);
    expect(decodePng(huge)).toBeUndefined();
  });
});

describe('PNG encoder', () => {
  it('writes 8-bit RGBA PNGs that pngjs reads back to the same pixels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer(),
        (width, height, seed) => {
          const pixels = new Uint8Array(width * height * 4).map((_, index) => (index * 31 + seed) & 0xff);
          const read = PNG.sync.read(encodePng({ width, height, pixels }));
          expect([read.width, read.height, read.depth, read.colorType]).toEqual([width, height, 8, 6]);
          expect(new Uint8Array(read.data)).toEqual(pixels);
        },
      ),
      { numRuns: 40 },
    );
  });
});

/** A gradient canvas with some transparency, so every look visibly changes it. */
function gradientCanvas(): { bytes: Buffer; sha256: string } {
  const width = 16;
  const height = 12;
  const pixels = new Uint8Array(width * height * 4).map((_, index) => {
    const pixel = Math.floor(index / 4);
    const [x, y] = [pixel % width, Math.floor(pixel / width)];
    return [x * 16, y * 20, 255 - x * 12, 200 + (x % 2) * 55][index % 4]!;
  });
  return { bytes: encodePng({ width, height, pixels }), sha256: 'gradient' };
}

/** A model id whose look is `edit`, found by trying ids in order (the look is a hash of the id). */
function modelWithLook(edit: SimulatedEdit): string {
  for (let index = 0; ; index++) {
    const model = `model-${index}`;
    if (simulatedEditFor({ model, prompt: '' }).edit === edit) return model;
  }
}

describe('renderEdit', () => {
  it('gives each model its own look: two models make different pictures of the same input', () => {
    const canvas = gradientCanvas();
    const qwen = renderEdit({ canvas, model: 'qwen-image-edit', prompt: 'hat' });
    const gpt = renderEdit({ canvas, model: 'gpt-image-2', prompt: 'hat' });
    expect(qwen.png.equals(gpt.png)).toBe(false);
    expect(renderEdit({ canvas, model: 'qwen-image-edit', prompt: 'hat' }).png.equals(qwen.png)).toBe(true);
  });

  it('the five models of the demo make five different pictures', () => {
    const canvas = gradientCanvas();
    const models = [
      'qwen-image-edit',
      'gpt-image-2',
      'flux-kontext-dev',
      'google/gemini-2.5-flash-image',
      'openai/gpt-image-1-mini',
    ];
    const pictures = models.map((model) =>
      renderEdit({ canvas, model, prompt: 'Add a moon' }).png.toString('hex'),
    );
    expect(new Set(pictures).size).toBe(models.length);
  });

  it.each(SIMULATED_EDITS)('the %s look changes the picture and keeps its size and transparency', (edit) => {
    const canvas = gradientCanvas();
    const input = decodePng(canvas.bytes)!;
    const output = decodePng(renderEdit({ canvas, model: modelWithLook(edit), prompt: 'hat' }).png)!;
    expect([output.width, output.height]).toEqual([input.width, input.height]);
    expect(output.pixels).not.toEqual(input.pixels);
    const alpha = (pixels: Uint8Array) => [...pixels].filter((_, index) => index % 4 === 3).sort();
    expect(alpha(output.pixels)).toEqual(alpha(input.pixels));
  });

  it('the prompt sets the strength of a look, and without a model the picture is inverted', () => {
    const canvas = gradientCanvas();
    const warm = modelWithLook('warm');
    const prompts = ['hat', 'scarf', 'moon', 'sunset'].map((prompt) =>
      renderEdit({ canvas, model: warm, prompt }).png.toString('hex'),
    );
    expect(new Set(prompts).size).toBeGreaterThan(1);
    const input = decodePng(canvas.bytes)!;
    const inverted = decodePng(renderEdit({ canvas, prompt: 'hat' }).png)!;
    expect(inverted.pixels).toEqual(
      input.pixels.map((value, index) => (index % 4 === 3 ? value : 255 - value)),
    );
  });

  it('a mirroring model flips the picture left to right', () => {
    const canvas = gradientCanvas();
    const input = decodePng(canvas.bytes)!;
    const output = decodePng(renderEdit({ canvas, model: modelWithLook('mirror'), prompt: 'hat' }).png)!;
    const last = (input.width - 1) * 4;
    // The leftmost pixel shows the rightmost one's colours (a little brighter) and transparency.
    expect(output.pixels[3]).toBe(input.pixels[last + 3]);
    expect(output.pixels[0]).toBeGreaterThanOrEqual(input.pixels[last]!);
    expect(output.pixels[2]).toBeGreaterThanOrEqual(input.pixels[last + 2]!);
    expect(output.pixels[2]).toBeLessThan(input.pixels[2]!);
  });

  it('generates a deterministic picture for inputs it cannot decode, at the requested size (capped)', () => {
    const jpeg = { bytes: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), sha256: 'abc' };
    expect(sniffImageType(jpeg.bytes)).toBe('jpeg');
    const first = renderEdit({ canvas: jpeg, prompt: 'hat' });
    const again = renderEdit({ canvas: jpeg, prompt: 'hat' });
    const other = renderEdit({ canvas: jpeg, prompt: 'scarf' });
    expect(first.png.equals(again.png)).toBe(true);
    expect(first.png.equals(other.png)).toBe(false);
    expect([first.width, first.height]).toEqual([256, 256]);
    const sized = renderEdit({ canvas: jpeg, prompt: 'hat', size: { width: 2048, height: 1024 } });
    expect([sized.width, sized.height]).toEqual([512, 256]);
  });
});
