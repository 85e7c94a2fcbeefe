import sharp from 'sharp';
import { ssim } from 'ssim.js';
import type { Raster } from './raster.ts';

/** ssim.js's window side: a window narrower than this has no SSIM. */
const WINDOW = 11;
/** SSIM is taken at about this many pixels on the short side, as ssim.js's own downsampling does. */
const SSIM_SIDE = 256;

/**
 * SSIM of the pixels to keep: the mean of ssim.js's map over the windows that hold no pixel of the
 * edited region (`edited`, one byte a pixel, non-zero = the mask), so a model that kept the region
 * exactly scores 1 even right next to its edit. `undefined` when no window is wholly kept.
 */
export async function keptSimilarity(options: {
  input: Raster;
  output: Raster;
  edited?: Uint8Array;
}): Promise<number | undefined> {
  const { input, output, edited } = options;
  if (Math.min(input.width, input.height) < WINDOW) return undefined;
  // Shrunk by a whole factor in libvips (box averaging), much faster than ssim.js shrinking in JavaScript.
  const factor = Math.max(1, Math.round(Math.min(input.width, input.height) / SSIM_SIDE));
  const [small, smallOutput] = await Promise.all([
    shrink({ raster: input, factor }),
    shrink({ raster: output, factor }),
  ]);
  if (Math.min(small.width, small.height) < WINDOW) return undefined;
  const map = ssim(small, smallOutput, { ssim: 'weber', windowSize: WINDOW, downsample: false }).ssim_map;
  if (map.width === 0 || map.height === 0) return undefined;
  const table = edited ? summedArea({ values: edited, width: input.width, height: input.height }) : undefined;
  let total = 0;
  let count = 0;
  for (let row = 0; row < map.height; row++) {
    for (let column = 0; column < map.width; column++) {
      if (table) {
        const box = {
          left: column * factor,
          top: row * factor,
          right: Math.min(input.width, (column + WINDOW) * factor),
          bottom: Math.min(input.height, (row + WINDOW) * factor),
        };
        if (boxSum({ table, width: input.width, box }) > 0) continue;
      }
      total += map.data[row * map.width + column]!;
      count += 1;
    }
  }
  return count === 0 ? undefined : Math.min(1, Math.max(-1, total / count));
}

async function shrink(options: { raster: Raster; factor: number }): Promise<Raster> {
  const { raster, factor } = options;
  if (factor === 1) return raster;
  const width = Math.floor(raster.width / factor);
  const height = Math.floor(raster.height / factor);
  const { data, info } = await sharp(
    Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.byteLength),
    {
      raw: { width: raster.width, height: raster.height, channels: 4 },
    },
  )
    .resize({ width, height, fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
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
