import { encodePng } from './shared/png.ts';

/** A pixel's red, green, blue and (optional, opaque by default) alpha channels, each 0 to 255. */
export type TestImageColor = readonly [red: number, green: number, blue: number, alpha?: number];

/** Options of {@link createTestImage}. */
export interface TestImageOptions {
  /** Width in pixels, an integer from 1 to 4096. */
  width: number;
  /** Height in pixels, an integer from 1 to 4096. */
  height: number;
  /**
   * The color of every pixel, or a function of the pixel's position for a picture with content (a
   * gradient, a pattern, noise). Channels are rounded and kept within 0 to 255.
   * @default [128, 128, 128, 255]
   */
  color?: TestImageColor | ((pixel: { x: number; y: number }) => TestImageColor);
}

/** Sides above this would only slow a test down: the simulator keeps at most 512 pixels a side anyway. */
const maximumSide = 4096;

function channel(value: number | undefined, fallback: number): number {
  if (value === undefined || Number.isNaN(value)) return fallback;
  return Math.min(255, Math.max(0, Math.round(value)));
}

/**
 * A valid PNG (8-bit RGBA) of the given size, for offline tests: an input image for an edit, a mask, a
 * file to upload. The same options always give the same bytes, unless `color` itself varies.
 *
 * @example
 * const photo = createTestImage({ width: 64, height: 48 });
 * const gradient = createTestImage({ width: 64, height: 48, color: ({ x }) => [x * 4, 0, 255 - x * 4] });
 * const result = await retouch.edit({ model: 'oxen:qwen-image-edit', prompt: 'Add a hat', images: [photo] });
 */
export function createTestImage(options: TestImageOptions): Uint8Array {
  const { width, height } = options;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > maximumSide) {
      throw new RangeError(
        `createTestImage: ${name} must be an integer from 1 to ${maximumSide}, got ${String(value)}`,
      );
    }
  }
  const color = options.color ?? [128, 128, 128, 255];
  const colorAt = typeof color === 'function' ? color : () => color;
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [red, green, blue, alpha] = colorAt({ x, y });
      const offset = (y * width + x) * 4;
      pixels[offset] = channel(red, 0);
      pixels[offset + 1] = channel(green, 0);
      pixels[offset + 2] = channel(blue, 0);
      pixels[offset + 3] = channel(alpha, 255);
    }
  }
  // A plain Uint8Array, not a Buffer: what a browser-style caller expects and what the edit API accepts.
  return new Uint8Array(encodePng({ width, height, pixels }));
}
