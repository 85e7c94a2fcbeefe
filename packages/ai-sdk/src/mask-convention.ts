import { PNG } from 'pngjs';

/**
 * Which pixels of a mask mark the area an edit may change:
 * - `white-edits`: white (bright) pixels, black ones are kept. Retouch's neutral `mask`, and the
 *   convention of Oxen.ai, Amazon Bedrock's Nova Canvas and FLUX Fill models;
 * - `transparent-edits`: fully transparent pixels (alpha 0), opaque ones are kept. OpenAI's
 *   `images/edits` and the AI SDK's OpenAI and DeepInfra providers.
 *
 * The AI SDK's image model spec passes `mask` to the provider as it is and fixes no convention, so the
 * bridge converts between Retouch's and the model's.
 */
export type MaskConvention = 'white-edits' | 'transparent-edits';

/** The mask conventions, for messages and validation. */
export const maskConventions: readonly MaskConvention[] = ['white-edits', 'transparent-edits'];

/** A mask that cannot be converted, with the reason in words. */
export class MaskConversionError extends Error {
  override name = 'MaskConversionError';
}

/**
 * Redraws a PNG mask from one convention to the other: each pixel that marks the edit in `from` marks it
 * in `to`. A pixel marks the edit in `white-edits` when its brightness (the mean of red, green and blue,
 * over a transparent pixel counted as black) is at least 128, and in `transparent-edits` when its alpha is
 * below 128. The output is an RGBA PNG of the same size: white or transparent where the edit applies,
 * opaque black elsewhere. Throws an `Error` naming the problem for bytes that are not a PNG.
 *
 * @example
 * const openAIMask = convertMask({ png: retouchMask, from: 'white-edits', to: 'transparent-edits' });
 */
export function convertMask(options: {
  png: Uint8Array;
  from: MaskConvention;
  to: MaskConvention;
}): Uint8Array {
  if (options.from === options.to) return options.png;
  let source: PNG;
  try {
    source = PNG.sync.read(Buffer.from(options.png.buffer, options.png.byteOffset, options.png.byteLength));
  } catch (error) {
    throw new MaskConversionError(
      `the mask is not a readable PNG (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const { width, height, data } = source;
  const output = new PNG({ width, height });
  for (let offset = 0; offset < width * height * 4; offset += 4) {
    const alpha = data[offset + 3]!;
    const edit =
      options.from === 'transparent-edits'
        ? alpha < 128
        : ((data[offset]! + data[offset + 1]! + data[offset + 2]!) / 3) * (alpha / 255) >= 128;
    if (options.to === 'transparent-edits') {
      output.data[offset + 3] = edit ? 0 : 255;
    } else {
      const value = edit ? 255 : 0;
      output.data[offset] = value;
      output.data[offset + 1] = value;
      output.data[offset + 2] = value;
      output.data[offset + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(output));
}
