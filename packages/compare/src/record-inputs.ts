import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ImageInput } from '@retouch/core';
import { imageSize, sniffImageMediaType } from '@retouch/core/provider-utils';
import type { CompareInput } from './results.ts';

/** An input picture of a comparison: what goes into the request, and where it came from. */
export interface CompareImage {
  /** What goes into `EditRequest.images` (or `mask`). */
  input: ImageInput;
  /** What the user wrote: a path or a URL. */
  source: string;
  /** The absolute path, for local files. */
  path?: string;
}

/**
 * Copies local inputs into `<outDir>/inputs/` so the output directory (and its report) stands on its
 * own, and describes every input for the report.
 *
 * @example
 * const inputs = await recordInputs({ images: [{ input: { path: '/photos/a.png' }, source: 'a.png', path: '/photos/a.png' }], outDir: 'comparison' });
 */
export async function recordInputs(options: {
  images: readonly CompareImage[];
  outDir: string;
}): Promise<CompareInput[]> {
  const inputs: CompareInput[] = [];
  for (const [index, image] of options.images.entries()) {
    if (!image.path) {
      inputs.push({ source: image.source });
      continue;
    }
    const bytes = new Uint8Array(await readFile(image.path));
    const name = `${index + 1}-${basename(image.path, extname(image.path)).replace(/[^\w.-]+/g, '-')}${extname(image.path).toLowerCase()}`;
    await mkdir(join(options.outDir, 'inputs'), { recursive: true });
    await copyFile(image.path, join(options.outDir, 'inputs', name));
    const input: CompareInput = {
      source: image.source,
      file: `inputs/${name}`,
      bytes: bytes.byteLength,
    };
    const mediaType = sniffImageMediaType(bytes);
    if (mediaType) input.mediaType = mediaType;
    const size = imageSize(bytes);
    if (size) Object.assign(input, size);
    inputs.push(input);
  }
  return inputs;
}
