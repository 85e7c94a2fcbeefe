import type { Raster, RgbPixels } from './raster.ts';

/** The tint of a changed pixel: magenta, which few photos hold in large areas. */
const CHANGED_TINT = [236, 32, 180] as const;
/** The colour of the mask's outline. */
const OUTLINE = [0, 220, 255] as const;

/**
 * The two pictures a diff overlay picks its pixels from: the input faded toward grey (`unchanged`),
 * and the same tinted (`changed`), both with the mask's outline (its pixels with a neighbour outside
 * it) drawn over, as opaque RGB. They depend on the input and the mask alone, so a comparison makes
 * them once.
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
  const unchanged = allocate(width * height * 3);
  const changed = allocate(width * height * 3);
  const source = input.data;
  const [red, green, blue] = CHANGED_TINT;
  for (let pixel = 0; pixel < width * height; pixel++) {
    const offset = pixel * 4;
    const luma = source[offset]! * 0.299 + source[offset + 1]! * 0.587 + source[offset + 2]! * 0.114;
    const faded = 150 + luma * 0.35;
    const target = pixel * 3;
    unchanged[target] = faded;
    unchanged[target + 1] = faded;
    unchanged[target + 2] = faded;
    changed[target] = faded * 0.25 + red * 0.75;
    changed[target + 1] = faded * 0.25 + green * 0.75;
    changed[target + 2] = faded * 0.25 + blue * 0.75;
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
          unchanged[pixel * 3 + channel] = OUTLINE[channel]!;
          changed[pixel * 3 + channel] = OUTLINE[channel]!;
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
export function diffOverlay(options: { layers: OverlayLayers; changed: Uint8Array }): RgbPixels {
  const { layers, changed } = options;
  const data = new Uint8ClampedArray(layers.unchanged);
  const tinted = layers.changed;
  for (let pixel = 0; pixel < changed.length; pixel++) {
    if (!changed[pixel]) continue;
    const offset = pixel * 3;
    data[offset] = tinted[offset]!;
    data[offset + 1] = tinted[offset + 1]!;
    data[offset + 2] = tinted[offset + 2]!;
  }
  return { data, width: layers.width, height: layers.height };
}
