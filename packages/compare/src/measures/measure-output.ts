import pixelmatch from 'pixelmatch';
import { diffOverlay } from './diff-overlay.ts';
import { keptSimilarity } from './kept-similarity.ts';
import type { ExpectedSize, MeasureReference } from './measure-reference.ts';
import type { OutputMeasures } from './output-measures.ts';
import { decodeRaster, encodePng, rasterSize } from './raster.ts';

/** pixelmatch's perceptual threshold: colour distances below it are the same pixel. */
const CHANGE_THRESHOLD = 0.1;

/**
 * Measures one output against its reference at the input's size: changed share, mask coverage and
 * leak, kept-region SSIM and size, and renders the diff overlay (changed pixels tinted over a faded
 * input, the mask's outline drawn) as PNG bytes.
 */
export async function measureOutput(options: {
  reference: MeasureReference;
  output: Uint8Array;
}): Promise<{ measures: OutputMeasures; overlay: Uint8Array }> {
  const { input, edited, expected } = options.reference;
  const decodedSize = await rasterSize(options.output);
  const output = await decodeRaster({ bytes: options.output, size: input });
  const difference = new Uint8ClampedArray(input.width * input.height * 4);
  pixelmatch(input.data, output.data, difference, input.width, input.height, {
    threshold: CHANGE_THRESHOLD,
    includeAA: false,
    diffMask: true,
    diffColor: [255, 0, 0],
    aaColor: [0, 0, 255],
  });
  const changed = new Uint8Array(input.width * input.height);
  let changedCount = 0;
  let insideCount = 0;
  let insideChanged = 0;
  for (let pixel = 0; pixel < changed.length; pixel++) {
    const offset = pixel * 4;
    const isChanged =
      difference[offset + 3]! > 0 && difference[offset]! === 255 && difference[offset + 2]! === 0;
    if (isChanged) {
      changed[pixel] = 1;
      changedCount += 1;
    }
    if (edited?.[pixel]) {
      insideCount += 1;
      if (isChanged) insideChanged += 1;
    }
  }
  const total = changed.length;
  const outsideCount = total - insideCount;
  const similarity = await keptSimilarity({ input, output, ...(edited ? { edited } : {}) });
  const measures: OutputMeasures = {
    changedShare: round(changedCount / total),
    ...(edited && insideCount > 0 ? { maskCoverage: round(insideChanged / insideCount) } : {}),
    ...(edited && outsideCount > 0 ? { maskLeak: round((changedCount - insideChanged) / outsideCount) } : {}),
    ...(similarity === undefined ? {} : { keptSimilarity: round(similarity) }),
    outputWidth: decodedSize.width,
    outputHeight: decodedSize.height,
    expectedSize: expectedLabel(expected),
    sizeMatches: sizeMatches({ expected, size: decodedSize }),
  };
  // The report shows the overlay at card size: 768 pixels keep it sharp there and cheap to encode.
  const overlay = await encodePng({
    raster: diffOverlay({ input, changed, ...(edited ? { edited } : {}) }),
    maximumSide: 768,
  });
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
