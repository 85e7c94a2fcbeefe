import type { Raster } from './raster.ts';

/** The tint of a changed pixel: magenta, which few photos hold in large areas. */
const CHANGED_TINT = [236, 32, 180] as const;
/** The colour of the mask's outline. */
const OUTLINE = [0, 220, 255] as const;

/**
 * The picture a card shows as the diff: the input faded toward grey, changed pixels tinted, and the
 * mask's outline (its pixels with a neighbour outside it) drawn over both.
 */
export function diffOverlay(options: { input: Raster; changed: Uint8Array; edited?: Uint8Array }): Raster {
  const { input, changed, edited } = options;
  const { width, height } = input;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let pixel = 0; pixel < changed.length; pixel++) {
    const offset = pixel * 4;
    const luma =
      input.data[offset]! * 0.299 + input.data[offset + 1]! * 0.587 + input.data[offset + 2]! * 0.114;
    const faded = 150 + luma * 0.35;
    for (let channel = 0; channel < 3; channel++) {
      data[offset + channel] = changed[pixel] ? faded * 0.25 + CHANGED_TINT[channel]! * 0.75 : faded;
    }
    data[offset + 3] = 255;
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
        for (let channel = 0; channel < 3; channel++) data[pixel * 4 + channel] = OUTLINE[channel]!;
      }
    }
  }
  return { data, width, height };
}
