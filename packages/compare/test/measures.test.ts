import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { measureEdit } from '../src/measures/measure-edit.ts';

const SIDE = 64;

/** A soft gradient photo, so SSIM has structure to compare, with an optional red square painted on. */
async function picture(options: {
  square?: { left: number; top: number; side: number };
  width?: number;
  height?: number;
  format?: 'png' | 'jpeg' | 'webp';
}): Promise<Uint8Array> {
  const pixels = Buffer.alloc(SIDE * SIDE * 3);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const offset = (y * SIDE + x) * 3;
      const square = options.square;
      const inSquare =
        square &&
        x >= square.left &&
        x < square.left + square.side &&
        y >= square.top &&
        y < square.top + square.side;
      pixels[offset] = inSquare ? 255 : 60 + x;
      pixels[offset + 1] = inSquare ? 0 : 80 + y;
      pixels[offset + 2] = inSquare ? 0 : 140;
    }
  }
  let pipeline = sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 3 } });
  if (options.width && options.height)
    pipeline = pipeline.resize(options.width, options.height, { kernel: 'nearest' });
  const format = options.format ?? 'png';
  const buffer = await (format === 'jpeg'
    ? pipeline.jpeg({ quality: 95 })
    : format === 'webp'
      ? pipeline.webp({ lossless: true })
      : pipeline.png()
  ).toBuffer();
  return new Uint8Array(buffer);
}

/** White (edit) inside a rectangle, black elsewhere. */
async function mask(rectangle: {
  left: number;
  top: number;
  width: number;
  height: number;
}): Promise<Uint8Array> {
  const pixels = Buffer.alloc(SIDE * SIDE);
  for (let y = rectangle.top; y < rectangle.top + rectangle.height; y++) {
    for (let x = rectangle.left; x < rectangle.left + rectangle.width; x++) pixels[y * SIDE + x] = 255;
  }
  return new Uint8Array(
    await sharp(pixels, { raw: { width: SIDE, height: SIDE, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

describe('measureEdit', () => {
  it('a 10×10 red square painted inside the mask: coverage 1, leak 0, the kept region identical', async () => {
    const square = { left: 20, top: 20, side: 10 };
    const { measures, overlay } = await measureEdit({
      input: await picture({}),
      output: await picture({ square }),
      mask: await mask({ left: 20, top: 20, width: 10, height: 10 }),
    });
    expect(measures.changedShare).toBeCloseTo(100 / (SIDE * SIDE), 4);
    expect(measures.maskCoverage).toBe(1);
    expect(measures.maskLeak).toBe(0);
    expect(measures.keptSimilarity).toBe(1);
    expect(measures).toMatchObject({
      outputWidth: SIDE,
      outputHeight: SIDE,
      expectedSize: 'input 1:1',
      sizeMatches: true,
    });
    expect((await sharp(overlay).metadata()).width).toBe(SIDE);
  });

  it('the same square half outside the mask: leak is the outside half over the area outside the mask', async () => {
    const { measures } = await measureEdit({
      input: await picture({}),
      output: await picture({ square: { left: 20, top: 20, side: 10 } }),
      // The mask covers the square's left half (5 of its 10 columns) and 10 more columns to its left.
      mask: await mask({ left: 10, top: 20, width: 15, height: 10 }),
    });
    expect(measures.maskCoverage).toBeCloseTo(50 / 150, 3);
    expect(measures.maskLeak).toBeCloseTo(50 / (SIDE * SIDE - 150), 3);
    expect(measures.keptSimilarity).toBeLessThan(1);
  });

  it('without a mask: the changed share, and the whole picture as the kept region', async () => {
    const input = await picture({});
    const same = await measureEdit({ input, output: input });
    expect(same.measures).toMatchObject({ changedShare: 0, keptSimilarity: 1 });
    expect(same.measures.maskCoverage).toBeUndefined();
    expect(same.measures.maskLeak).toBeUndefined();
    const painted = await measureEdit({
      input,
      output: await picture({ square: { left: 0, top: 0, side: 32 } }),
    });
    expect(painted.measures.changedShare).toBeCloseTo(0.25, 3);
    expect(painted.measures.keptSimilarity).toBeLessThan(0.9);
  });

  it('JPEG and WebP outputs at another size than the input are compared at the input’s size', async () => {
    const input = await picture({});
    const square = { left: 20, top: 20, side: 10 };
    const maskBytes = await mask({ left: 20, top: 20, width: 10, height: 10 });
    for (const format of ['jpeg', 'webp'] as const) {
      const output = await picture({ square, width: SIDE * 2, height: SIDE * 2, format });
      const { measures } = await measureEdit({ input, output, mask: maskBytes, size: '128x128' });
      expect(measures, format).toMatchObject({ outputWidth: 128, outputHeight: 128, sizeMatches: true });
      expect(measures.maskCoverage!, format).toBeGreaterThan(0.9);
      expect(measures.maskLeak!, format).toBeLessThan(0.01);
      expect(measures.changedShare, format).toBeCloseTo(100 / (SIDE * SIDE), 2);
    }
  });

  it('holds the output size against the size or aspect ratio asked', async () => {
    const input = await picture({});
    const wide = await picture({ width: 96, height: 64 });
    expect((await measureEdit({ input, output: wide, aspectRatio: '3:2' })).measures).toMatchObject({
      expectedSize: '3:2',
      sizeMatches: true,
    });
    expect((await measureEdit({ input, output: wide, size: '64x64' })).measures).toMatchObject({
      expectedSize: '64x64',
      sizeMatches: false,
    });
    expect((await measureEdit({ input, output: wide })).measures.sizeMatches).toBe(false);
  });
});
