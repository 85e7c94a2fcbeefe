import type { ImageModelV4CallOptions, ImageModelV4Result } from '@ai-sdk/provider';
import { createTestImage } from '@retouch/simulator';
import { PNG } from 'pngjs';

/** A small opaque PNG in one colour. */
export function photo(
  options: { width?: number; height?: number; color?: [number, number, number] } = {},
): Buffer {
  return Buffer.from(
    createTestImage({
      width: options.width ?? 8,
      height: options.height ?? 8,
      color: options.color ?? [200, 40, 40],
    }),
  );
}

/** A Retouch mask (white where the edit applies): the left half of the picture. */
export function leftHalfWhiteMask(options: { width?: number; height?: number } = {}): Buffer {
  const width = options.width ?? 8;
  return Buffer.from(
    createTestImage({
      width,
      height: options.height ?? 8,
      color: ({ x }) => (x < width / 2 ? [255, 255, 255] : [0, 0, 0]),
    }),
  );
}

/** Decodes a PNG with pngjs, a well-kept decoder: the tests read pixels with no code of the bridge's. */
export function decode(bytes: Uint8Array): {
  width: number;
  height: number;
  pixel(x: number, y: number): number[];
} {
  const png = PNG.sync.read(Buffer.from(bytes));
  return {
    width: png.width,
    height: png.height,
    pixel: (x, y) => [...png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4)],
  };
}

/** A `doGenerate` that records its calls and answers from a list (the last answer repeats). */
export function recordingGenerate(
  answers: ((options: ImageModelV4CallOptions) => ImageModelV4Result | Promise<ImageModelV4Result>)[],
): {
  calls: ImageModelV4CallOptions[];
  doGenerate(options: ImageModelV4CallOptions): Promise<ImageModelV4Result>;
} {
  const calls: ImageModelV4CallOptions[] = [];
  return {
    calls,
    async doGenerate(options) {
      calls.push(options);
      const answer = answers[Math.min(calls.length, answers.length) - 1]!;
      return answer(options);
    },
  };
}

/** A successful answer with `count` copies of `image` (base64). */
export function imagesResult(options: {
  image?: Buffer;
  count?: number;
  warnings?: ImageModelV4Result['warnings'];
  usage?: ImageModelV4Result['usage'];
}): ImageModelV4Result {
  const image = (options.image ?? photo()).toString('base64');
  return {
    images: Array.from({ length: options.count ?? 1 }, () => image),
    warnings: options.warnings ?? [],
    response: { timestamp: new Date(0), modelId: 'mock-model-id', headers: undefined },
    ...(options.usage ? { usage: options.usage } : {}),
  };
}
