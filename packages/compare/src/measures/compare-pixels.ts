import pixelmatch from 'pixelmatch';
import { diffOverlay, type OverlayLayers, overlayLayers } from './diff-overlay.ts';
import { keptSimilarity, keptWindows, similarityMapSize } from './kept-similarity.ts';
import type { Raster, RgbPixels } from './raster.ts';

/** pixelmatch's perceptual threshold: colour distances below it are the same pixel. */
const CHANGE_THRESHOLD = 0.1;

/**
 * What every output of a comparison is compared against, as plain data (it is posted as is to the
 * threads that compare pixels; its large arrays live in shared memory, so posting copies nothing).
 */
export interface PixelReference {
  /** The input picture, at its own size. */
  input: Raster;
  /** With a mask: one byte a pixel of the input, 1 where the edit applies (white). */
  edited?: Uint8Array;
  /** How many pixels are inside the mask (0 without one). */
  insideCount: number;
  /** What the diff overlay picks its pixels from. */
  layers: OverlayLayers;
  /** The input shrunk for SSIM, and by what factor; absent when the picture is too small for SSIM. */
  similarity?: {
    input: Raster;
    factor: number;
    /** With a mask: the SSIM windows wholly outside it (see `keptWindows`), for a map of `map`'s size. */
    kept?: { map: { width: number; height: number }; windows: Uint8Array };
  };
}

/** What {@link comparePixels} found; the shares are worked out from the counts. */
export interface PixelComparison {
  /** Pixels that changed beyond the perceptual threshold. */
  changedCount: number;
  /** Changed pixels inside the mask. */
  insideChanged: number;
  /** Kept-region SSIM, when there is one. */
  similarity?: number;
  /** The diff overlay, at the input's size. */
  overlay: RgbPixels;
}

/**
 * Works out, once for every output of a comparison, what comparing them needs from the input and the
 * mask: the mask's pixel count, the overlay's layers and the SSIM windows to keep. The large arrays go
 * in shared memory.
 */
export function preparePixelReference(options: {
  input: Raster;
  edited?: Uint8Array;
  similarity?: { input: Raster; factor: number };
}): PixelReference {
  const shared = (length: number) => new Uint8ClampedArray(new SharedArrayBuffer(length));
  const input = { ...options.input, data: shared(options.input.data.length) };
  input.data.set(options.input.data);
  let edited: Uint8Array | undefined;
  let insideCount = 0;
  if (options.edited) {
    edited = new Uint8Array(new SharedArrayBuffer(options.edited.length));
    edited.set(options.edited);
    for (let pixel = 0; pixel < edited.length; pixel++) if (edited[pixel]) insideCount += 1;
  }
  let similarity: PixelReference['similarity'];
  if (options.similarity) {
    const { factor } = options.similarity;
    const map = similarityMapSize(options.similarity.input);
    similarity = {
      ...options.similarity,
      ...(edited
        ? {
            kept: {
              map,
              windows: keptWindows({ edited, width: input.width, height: input.height, factor, map }),
            },
          }
        : {}),
    };
  }
  return {
    input,
    ...(edited ? { edited } : {}),
    insideCount,
    layers: overlayLayers({ input, ...(edited ? { edited } : {}), allocate: shared }),
    ...(similarity ? { similarity } : {}),
  };
}

/** Buffers a thread reuses from one output to the next of the same size, sparing the collector. */
let scratch: { difference: Uint8ClampedArray; changed: Uint8Array } | undefined;

function scratchFor(pixels: number): { difference: Uint8ClampedArray; changed: Uint8Array } {
  if (scratch?.changed.length !== pixels) {
    scratch = { difference: new Uint8ClampedArray(pixels * 4), changed: new Uint8Array(pixels) };
  } else {
    scratch.difference.fill(0);
    scratch.changed.fill(0);
  }
  return scratch;
}

/**
 * Compares an output (decoded at the input's size, RGBA) with the reference, pixel by pixel: which
 * pixels changed (pixelmatch, anti-aliasing ignored), how many inside the mask, the kept-region SSIM
 * (from `smallOutput`, the output shrunk by the reference's similarity factor, or the output itself
 * at factor 1) and the diff overlay. Pure JavaScript: the same on any thread.
 */
export function comparePixels(options: {
  reference: PixelReference;
  output: Raster;
  smallOutput?: Raster;
}): PixelComparison {
  const { reference, output } = options;
  const { input, edited } = reference;
  const { difference, changed } = scratchFor(input.width * input.height);
  pixelmatch(input.data, output.data, difference, input.width, input.height, {
    threshold: CHANGE_THRESHOLD,
    includeAA: false,
    diffMask: true,
    diffColor: [255, 0, 0],
    aaColor: [0, 0, 255],
  });
  let changedCount = 0;
  let insideChanged = 0;
  for (let pixel = 0; pixel < changed.length; pixel++) {
    const offset = pixel * 4;
    const isChanged =
      difference[offset + 3]! > 0 && difference[offset]! === 255 && difference[offset + 2]! === 0;
    if (!isChanged) continue;
    changed[pixel] = 1;
    changedCount += 1;
    if (edited?.[pixel]) insideChanged += 1;
  }
  const similarity = reference.similarity
    ? keptSimilarity({
        input: reference.similarity.input,
        output: options.smallOutput ?? output,
        ...(edited
          ? {
              kept: (map: { width: number; height: number }) => {
                const prepared = reference.similarity!.kept;
                if (prepared?.map.width === map.width && prepared.map.height === map.height) {
                  return prepared.windows;
                }
                return keptWindows({
                  edited,
                  width: input.width,
                  height: input.height,
                  factor: reference.similarity!.factor,
                  map,
                });
              },
            }
          : {}),
      })
    : undefined;
  return {
    changedCount,
    insideChanged,
    ...(similarity === undefined ? {} : { similarity }),
    overlay: diffOverlay({ layers: reference.layers, changed }),
  };
}
