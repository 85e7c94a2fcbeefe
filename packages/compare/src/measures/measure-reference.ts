import { type PixelReference, preparePixelReference } from './compare-pixels.ts';
import { similarityFactor } from './kept-similarity.ts';
import { decodeRaster, type Raster, shrinkRaster } from './raster.ts';

/** The input an output is measured against, decoded once for every output of a comparison. */
export interface MeasureReference extends PixelReference {
  /** What the output's size is held against. */
  expected: ExpectedSize;
}

/** The size asked of an edit: exact pixels, a ratio, or (when nothing was asked) the input's ratio. */
export type ExpectedSize =
  | { kind: 'size'; width: number; height: number }
  | { kind: 'ratio'; ratio: number; label: string };

/** Options of {@link prepareReference}. */
export interface PrepareReferenceOptions {
  /** The input picture's bytes (PNG, JPEG, WebP or GIF). */
  input: Uint8Array;
  /** The mask's bytes, white where the edit applies. */
  mask?: Uint8Array;
  /** The size asked, `1024x1024`. */
  size?: string;
  /** The aspect ratio asked, `3:2`. */
  aspectRatio?: string;
}

/**
 * Decodes the input (and the mask, at the input's size), shrinks it for SSIM, and reads what size the
 * output should have.
 */
export async function prepareReference(options: PrepareReferenceOptions): Promise<MeasureReference> {
  const input = await decodeRaster({ bytes: options.input });
  const factor = similarityFactor(input);
  const similarity =
    factor === undefined ? undefined : { input: await shrinkRaster({ raster: input, factor }), factor };
  let edited: Uint8Array | undefined;
  if (options.mask) {
    const mask = await decodeRaster({ bytes: options.mask, size: input });
    edited = new Uint8Array(input.width * input.height);
    for (let pixel = 0; pixel < edited.length; pixel++) {
      const offset = pixel * 4;
      // A transparent pixel counts as black, as Retouch's neutral mask defines it.
      const brightness =
        ((mask.data[offset]! + mask.data[offset + 1]! + mask.data[offset + 2]!) / 3) *
        (mask.data[offset + 3]! / 255);
      edited[pixel] = brightness >= 128 ? 1 : 0;
    }
  }
  return {
    ...preparePixelReference({ input, ...(edited ? { edited } : {}), ...(similarity ? { similarity } : {}) }),
    expected: expectedSize({ ...options, input }),
  };
}

function expectedSize(options: { size?: string; aspectRatio?: string; input: Raster }): ExpectedSize {
  const size = /^(\d+)x(\d+)$/.exec(options.size ?? '');
  if (size) return { kind: 'size', width: Number(size[1]), height: Number(size[2]) };
  const ratio = /^(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(options.aspectRatio ?? '');
  if (ratio && Number(ratio[2]) > 0) {
    return { kind: 'ratio', ratio: Number(ratio[1]) / Number(ratio[2]), label: options.aspectRatio! };
  }
  const divisor = greatestCommonDivisor(options.input.width, options.input.height);
  return {
    kind: 'ratio',
    ratio: options.input.width / options.input.height,
    label: `input ${options.input.width / divisor}:${options.input.height / divisor}`,
  };
}

function greatestCommonDivisor(left: number, right: number): number {
  return right === 0 ? Math.max(1, left) : greatestCommonDivisor(right, left % right);
}
