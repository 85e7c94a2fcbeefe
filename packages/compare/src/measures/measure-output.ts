import { comparePixels, type PixelComparison, type PixelReference } from './compare-pixels.ts';
import type { ExpectedSize, MeasureReference } from './measure-reference.ts';
import type { OutputMeasures } from './output-measures.ts';
import { decodeRaster, encodePng, type Raster, rasterSize, shrinkRaster } from './raster.ts';

/** Runs {@link comparePixels}, on this thread or another. */
export type PixelComparer = (job: {
  reference: PixelReference;
  output: Raster;
  smallOutput?: Raster;
}) => Promise<PixelComparison>;

/** Compares on the calling thread. */
const compareHere: PixelComparer = async (job) => comparePixels(job);

/**
 * Measures one output against its reference at the input's size: changed share, mask coverage and
 * leak, kept-region SSIM and size, and renders the diff overlay (changed pixels tinted over a faded
 * input, the mask's outline drawn) as PNG bytes. Decoding, resizing and encoding run in libvips;
 * the pixel-by-pixel comparison runs in `compare` (this thread by default).
 */
export async function measureOutput(options: {
  reference: MeasureReference;
  output: Uint8Array;
  compare?: PixelComparer;
}): Promise<{ measures: OutputMeasures; overlay: Uint8Array }> {
  const { reference } = options;
  const { input, expected } = reference;
  const [decodedSize, output] = await Promise.all([
    rasterSize(options.output),
    decodeRaster({ bytes: options.output, size: input }),
  ]);
  const factor = reference.similarity?.factor ?? 1;
  const smallOutput = factor > 1 ? await shrinkRaster({ raster: output, factor }) : undefined;
  const pixels = { reference, output, ...(smallOutput ? { smallOutput } : {}) };
  const comparison = await (options.compare ?? compareHere)(pixels);
  const { changedCount, insideChanged, similarity } = comparison;
  const { insideCount } = reference;
  const total = input.width * input.height;
  const outsideCount = total - insideCount;
  const masked = reference.edited !== undefined;
  const measures: OutputMeasures = {
    changedShare: round(changedCount / total),
    ...(masked && insideCount > 0 ? { maskCoverage: round(insideChanged / insideCount) } : {}),
    ...(masked && outsideCount > 0 ? { maskLeak: round((changedCount - insideChanged) / outsideCount) } : {}),
    ...(similarity === undefined ? {} : { keptSimilarity: round(similarity) }),
    outputWidth: decodedSize.width,
    outputHeight: decodedSize.height,
    expectedSize: expectedLabel(expected),
    sizeMatches: sizeMatches({ expected, size: decodedSize }),
  };
  // The report shows the overlay at card size: 768 pixels keep it sharp there and cheap to encode.
  const overlay = await encodePng({ pixels: comparison.overlay, maximumSide: 768 });
  return { measures, overlay };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function expectedLabel(expected: ExpectedSize): string {
  return expected.kind === 'size' ? `${expected.width}x${expected.height}` : expected.label;
}

function sizeMatches(options: { expected: ExpectedSize; size: { width: number; height: number } }): boolean {
  const { expected, size } = options;
  if (size.width === 0 || size.height === 0) return false;
  if (expected.kind === 'size') return size.width === expected.width && size.height === expected.height;
  return Math.abs(size.width / size.height - expected.ratio) / expected.ratio <= 0.02;
}
