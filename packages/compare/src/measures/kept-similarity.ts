import { ssim } from 'ssim.js';
import type { Raster } from './raster.ts';

/** ssim.js's window side: a window narrower than this has no SSIM. */
const WINDOW = 11;
/** SSIM is taken at about this many pixels on the short side, as ssim.js's own downsampling does. */
const SSIM_SIDE = 256;

/**
 * The whole factor a picture is shrunk by before SSIM, or `undefined` when the picture (or its
 * shrunk copy) is narrower than one SSIM window and has no SSIM.
 */
export function similarityFactor(size: { width: number; height: number }): number | undefined {
  const shortSide = Math.min(size.width, size.height);
  if (shortSide < WINDOW) return undefined;
  const factor = Math.max(1, Math.round(shortSide / SSIM_SIDE));
  return Math.floor(shortSide / factor) < WINDOW ? undefined : factor;
}

/** The size of ssim.js's map of a picture of `size`: one value a window position. */
export function similarityMapSize(size: { width: number; height: number }): {
  width: number;
  height: number;
} {
  return { width: size.width - WINDOW + 1, height: size.height - WINDOW + 1 };
}

/**
 * Which windows of the SSIM map hold no pixel of the edited region (`edited`, one byte a pixel of the
 * full-size picture, non-zero = the mask): one byte a window, 1 = wholly kept. It depends on the mask
 * alone, so a comparison works it out once for all its outputs.
 */
export function keptWindows(options: {
  edited: Uint8Array;
  width: number;
  height: number;
  factor: number;
  map: { width: number; height: number };
}): Uint8Array {
  const { edited, width, height, factor, map } = options;
  const table = summedArea({ values: edited, width, height });
  const kept = new Uint8Array(map.width * map.height);
  for (let row = 0; row < map.height; row++) {
    for (let column = 0; column < map.width; column++) {
      const box = {
        left: column * factor,
        top: row * factor,
        right: Math.min(width, (column + WINDOW) * factor),
        bottom: Math.min(height, (row + WINDOW) * factor),
      };
      kept[row * map.width + column] = boxSum({ table, width, box }) > 0 ? 0 : 1;
    }
  }
  return kept;
}

/**
 * SSIM of the pixels to keep: the mean of ssim.js's map of the shrunk input and output over the
 * windows `kept` marks (every window without it), so a model that kept the region exactly scores 1
 * even right next to its edit. `undefined` when no window is wholly kept.
 */
export function keptSimilarity(options: {
  /** The input, shrunk by its {@link similarityFactor}. */
  input: Raster;
  /** The output at the input's size, shrunk by the same factor. */
  output: Raster;
  /** The windows to average, from {@link keptWindows}, once the map's size is known. */
  kept?: (map: { width: number; height: number }) => Uint8Array;
}): number | undefined {
  const map = ssim(options.input, options.output, {
    ssim: 'weber',
    windowSize: WINDOW,
    downsample: false,
  }).ssim_map;
  if (map.width === 0 || map.height === 0) return undefined;
  const kept = options.kept?.(map);
  let total = 0;
  let count = 0;
  for (let cell = 0; cell < map.width * map.height; cell++) {
    if (kept && !kept[cell]) continue;
    total += map.data[cell]!;
    count += 1;
  }
  return count === 0 ? undefined : Math.min(1, Math.max(-1, total / count));
}

/** A summed-area table with a zero row and column in front: `(width + 1) × (height + 1)`. */
function summedArea(options: { values: Uint8Array; width: number; height: number }): Float64Array {
  const { values, width, height } = options;
  const table = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += values[y * width + x]! > 0 ? 1 : 0;
      table[(y + 1) * (width + 1) + x + 1] = table[y * (width + 1) + x + 1]! + row;
    }
  }
  return table;
}

function boxSum(options: {
  table: Float64Array;
  width: number;
  box: { left: number; top: number; right: number; bottom: number };
}): number {
  const { table, box } = options;
  const stride = options.width + 1;
  return (
    table[box.bottom * stride + box.right]! -
    table[box.top * stride + box.right]! -
    table[box.bottom * stride + box.left]! +
    table[box.top * stride + box.left]!
  );
}
