import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImagePathInput } from '@retouch/core';
import { readImage } from '../read-image.ts';
import type { SavedImage } from '../results.ts';
import { measureOutput } from './measure-output.ts';
import { type MeasureReference, prepareReference } from './measure-reference.ts';

/** Measures the saved outputs of a comparison's runs against its first input. */
export type OutputMeasurer = (images: readonly SavedImage[]) => Promise<{
  images: SavedImage[];
  /** Outputs that could not be measured, and why. */
  warnings: string[];
}>;

/**
 * A measurer for a comparison, or `undefined` when its first input (or its mask) is a remote URL:
 * measuring it would mean a download the comparison never made. The input and the mask are decoded
 * once, on the first output measured.
 */
export function createOutputMeasurer(options: {
  images: readonly (string | ImagePathInput)[];
  mask?: string | ImagePathInput;
  size?: string;
  aspectRatio?: string;
  outDir: string;
}): OutputMeasurer | undefined {
  const first = options.images[0];
  if (first === undefined || !isLocal(first) || (options.mask !== undefined && !isLocal(options.mask))) {
    return undefined;
  }
  let reference: Promise<MeasureReference> | undefined;
  const prepare = async (): Promise<MeasureReference> => {
    const input = await readImage(first);
    const mask = options.mask === undefined ? undefined : await readImage(options.mask);
    return prepareReference({
      input,
      ...(mask ? { mask } : {}),
      ...(options.size ? { size: options.size } : {}),
      ...(options.aspectRatio ? { aspectRatio: options.aspectRatio } : {}),
    });
  };
  return async (images) => {
    const measured: SavedImage[] = [];
    const warnings: string[] = [];
    for (const image of images) {
      try {
        reference ??= prepare();
        const output = new Uint8Array(await readFile(join(options.outDir, ...image.file.split('/'))));
        const { measures, overlay } = await measureOutput({ reference: await reference, output });
        const overlayFile = image.file.replace(/\.[^./]+$/, '') + '.diff.png';
        await writeFile(join(options.outDir, ...overlayFile.split('/')), overlay);
        measured.push({ ...image, measures, overlay: overlayFile });
      } catch (error) {
        warnings.push(
          `${image.file} could not be measured: ${error instanceof Error ? error.message : String(error)}`,
        );
        measured.push(image);
      }
    }
    return { images: measured, warnings };
  };
}

function isLocal(image: string | ImagePathInput): boolean {
  return typeof image !== 'string' || image.startsWith('data:');
}
