import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { createTestImage } from '../src/index.ts';

/** Decodes with pngjs directly, not through the simulator's own decoding. */
function decodePng(bytes: Uint8Array): { width: number; height: number; pixels: Uint8Array } {
  const { width, height, data } = PNG.sync.read(Buffer.from(bytes));
  return { width, height, pixels: new Uint8Array(data) };
}

function pixelAt(options: { raster: { width: number; pixels: Uint8Array }; x: number; y: number }): number[] {
  const offset = (options.y * options.raster.width + options.x) * 4;
  return [...options.raster.pixels.subarray(offset, offset + 4)];
}

describe('createTestImage', () => {
  it('returns a PNG of the asked size that decodes, opaque mid-gray by default', () => {
    const bytes = createTestImage({ width: 7, height: 3 });
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(bytes)).toBe(false);
    const raster = decodePng(bytes);
    expect(raster).toMatchObject({ width: 7, height: 3 });
    expect(pixelAt({ raster, x: 6, y: 2 })).toEqual([128, 128, 128, 255]);
  });

  it('fills every pixel with a fixed color, opaque when no alpha is given', () => {
    const raster = decodePng(createTestImage({ width: 2, height: 2, color: [200, 10, 30] }));
    for (const [x, y] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      expect(pixelAt({ raster, x, y })).toEqual([200, 10, 30, 255]);
    }
  });

  it('paints each pixel with a function of its position, rounding and clamping the channels', () => {
    const raster = decodePng(
      createTestImage({ width: 4, height: 2, color: ({ x, y }) => [x * 100, y * 40.4, -5, 300] }),
    );
    expect(pixelAt({ raster, x: 0, y: 0 })).toEqual([0, 0, 0, 255]);
    expect(pixelAt({ raster, x: 2, y: 1 })).toEqual([200, 40, 0, 255]);
    expect(pixelAt({ raster, x: 3, y: 1 })).toEqual([255, 40, 0, 255]);
  });

  it('keeps a given alpha', () => {
    const raster = decodePng(createTestImage({ width: 1, height: 1, color: [0, 0, 0, 0] }));
    expect(pixelAt({ raster, x: 0, y: 0 })).toEqual([0, 0, 0, 0]);
  });

  it('gives the same bytes for the same options', () => {
    expect(createTestImage({ width: 5, height: 5, color: [1, 2, 3] })).toEqual(
      createTestImage({ width: 5, height: 5, color: [1, 2, 3] }),
    );
  });

  it('refuses a size that is not a whole number of pixels from 1 to 4096, naming the field', () => {
    expect(() => createTestImage({ width: 0, height: 4 })).toThrow(/width must be an integer from 1 to 4096/);
    expect(() => createTestImage({ width: 4, height: 2.5 })).toThrow(/height must be an integer/);
    expect(() => createTestImage({ width: 4097, height: 1 })).toThrow(RangeError);
  });
});
