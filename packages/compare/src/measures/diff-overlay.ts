import type { Raster } from './raster.ts';

/** The tint of a changed pixel: magenta, which few photos hold in large areas. */
const CHANGED_TINT = [236, 32, 180] as const;
/** The colour of the mask's outline. */
const OUTLINE = [0, 220, 255] as const;

/**
 * The two pictures a diff overlay picks its pixels from: the input faded toward grey (`unchanged`),
 * and the same tinted (`changed`), both with the mask's outline (its pixels with a neighbour outside
 * it) drawn over. They depend on the input and the mask alone, so a comparison makes them once.
 */
export interface OverlayLayers {
  unchanged: Uint8ClampedArray;
  changed: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Draws the {@link OverlayLayers} of an input and its mask (`edited`, one byte a pixel). */
export function overlayLayers(options: {
  input: Raster;
  edited?: Uint8Array;
  /** Allocates each layer: the comparison shares them with its threads. */
  allocate?: (length: number) => Uint8ClampedArray;
}): OverlayLayers {
  const { input, edited } = options;
  const { width, height } = input;
  const allocate = options.allocate ?? ((length: number) => new Uint8ClampedArray(length));
  const unchanged = allocate(width * height * 4);
  const changed = allocate(width * height * 4);
  const source = input.data;
  const [red, green, blue] = CHANGED_TINT;
  for (let offset = 0; offset < width * height * 4; offset += 4) {
    const luma = source[offset]! * 0.299 + source[offset + 1]! * 0.587 + source[offset + 2]! * 0.114;
    const faded = 150 + luma * 0.35;
    unchanged[offset] = faded;
    unchanged[offset + 1] = faded;
    unchanged[offset + 2] = faded;
    unchanged[offset + 3] = 255;
    changed[offset] = faded * 0.25 + red * 0.75;
    changed[offset + 1] = faded * 0.25 + green * 0.75;
    changed[offset + 2] = faded * 0.25 + blue * 0.75;
    changed[offset + 3] = 255;
  }
  if (edited) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const pixel = y * width + x;
        if (!edited[pixel]) continue;
        // An edge pixel of the mask: on the picture's border, or beside a pixel outside the mask.
        const edge =
          x === 0 ||
          y === 0 ||
          x === width - 1 ||
          y === height - 1 ||
          !edited[pixel - 1] ||
          !edited[pixel + 1] ||
          !edited[pixel - width] ||
          !edited[pixel + width];
        if (!edge) continue;
        for (let channel = 0; channel < 3; channel++) {
          unchanged[pixel * 4 + channel] = OUTLINE[channel]!;
          changed[pixel * 4 + channel] = OUTLINE[channel]!;
        }
      }
    }
  }
  return { unchanged, changed, width, height };
}

/**
 * The picture a card shows as the diff: the input faded toward grey, changed pixels (`changed`, one
 * byte a pixel, non-zero = changed) tinted, and the mask's outline drawn over both.
 */
export function diffOverlay(options: { layers: OverlayLayers; changed: Uint8Array }): Raster {
  const { layers, changed } = options;
  const data = new Uint8ClampedArray(layers.width * layers.height * 4);
  // A pixel is four bytes: copying whole words picks it from one layer or the other in one step.
  const words = new Int32Array(data.buffer);
  const unchanged = new Int32Array(layers.unchanged.buffer, layers.unchanged.byteOffset, changed.length);
  const tinted = new Int32Array(layers.changed.buffer, layers.changed.byteOffset, changed.length);
  for (let pixel = 0; pixel < changed.length; pixel++) {
    words[pixel] = changed[pixel] ? tinted[pixel]! : unchanged[pixel]!;
  }
  return { data, width: layers.width, height: layers.height };
}
