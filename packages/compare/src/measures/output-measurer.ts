import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImagePathInput } from '@retouch/core';
import { readImage } from '../read-image.ts';
import type { SavedImage } from '../results.ts';
import { measureOutput } from './measure-output.ts';
import { type MeasureReference, prepareReference } from './measure-reference.ts';
import { usePixelWorkerPool } from './shared-pixel-pool.ts';

/** Measures the saved outputs of a comparison's runs against its first input. */
export interface OutputMeasurer {
  /** Measures the outputs of one run, as soon as it has saved them. */
  measure(images: readonly SavedImage[]): Promise<{
    images: SavedImage[];
    /** Outputs that could not be measured, and why. */
    warnings: string[];
  }>;
  /** Lets go of the threads that compare pixels, once every run is measured. */
  close(): Promise<void>;
}

/**
 * A measurer for a comparison, or `undefined` when its first input (or its mask) is a remote URL:
 * measuring it would mean a download the comparison never made. The input and the mask are decoded
 * once, right away, and the threads that compare pixels start, so both are ready while the edits
 * run; each output is then measured as soon as its edit returns, off the main thread.
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
  const { pool, release } = usePixelWorkerPool();
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
  const reference = prepare();
  reference.then(
    (prepared) => pool.prepare(prepared),
    // The first output measured reports why the input could not be read.
    () => {},
  );
  // Outputs with the same bytes have the same measures and overlay: models or repeats that answer
  // identically are measured once.
  const measuredBytes = new Map<string, ReturnType<typeof measureOutput>>();
  const measureBytes = async (output: Uint8Array): ReturnType<typeof measureOutput> => {
    const key = createHash('sha256').update(output).digest('hex');
    let measured = measuredBytes.get(key);
    if (measured === undefined) {
      measured = reference.then((prepared) =>
        measureOutput({ reference: prepared, output, compare: pool.compare }),
      );
      measuredBytes.set(key, measured);
    }
    return measured;
  };
  const measure: OutputMeasurer['measure'] = async (images) => {
    const measured: SavedImage[] = [];
    const warnings: string[] = [];
    for (const image of images) {
      try {
        const output = new Uint8Array(await readFile(join(options.outDir, ...image.file.split('/'))));
        const { measures, overlay } = await measureBytes(output);
        const overlayFile = image.file.replace(/\.[^./]+$/, '') + '.diff.png';
        await writeFile(join(options.outDir, ...overlayFile.split('/')), overlay);
        measured.push({ ...image, measures: { ...measures }, overlay: overlayFile });
      } catch (error) {
        warnings.push(
          `${image.file} could not be measured: ${error instanceof Error ? error.message : String(error)}`,
        );
        measured.push(image);
      }
    }
    return { images: measured, warnings };
  };
  const close = async () => {
    release();
    const prepared = await reference.catch(() => undefined);
    if (prepared) pool.forget(prepared);
  };
  return { measure, close };
}

function isLocal(image: string | ImagePathInput): boolean {
  return typeof image !== 'string' || image.startsWith('data:');
}
