import { measureOutput } from './measure-output.ts';
import { type PrepareReferenceOptions, prepareReference } from './measure-reference.ts';
import type { OutputMeasures } from './output-measures.ts';

/** Options of {@link measureEdit}. */
export interface MeasureEditOptions extends PrepareReferenceOptions {
  /** The output's bytes (PNG, JPEG, WebP or GIF), at any size: it is compared at the input's. */
  output: Uint8Array;
}

/** What {@link measureEdit} returns. */
export interface MeasuredEdit {
  /** The measures of the output against its input. */
  measures: OutputMeasures;
  /** The diff overlay as PNG bytes: changed pixels tinted over the faded input, the mask outlined. */
  overlay: Uint8Array;
}

/**
 * Measures what an edit changed: the share of pixels changed, with a mask the share of it covered and
 * the share leaked outside it, the structural similarity of the region to keep, and the output's size
 * against the one asked. The output is decoded (PNG, JPEG, WebP, GIF) and compared at the input's size.
 *
 * @example
 * const { measures } = await measureEdit({ input: await readFile('photo.png'), output: await readFile('edited.webp'), mask: await readFile('mask.png') });
 * console.log(measures.maskLeak, measures.keptSimilarity);
 */
export async function measureEdit(options: MeasureEditOptions): Promise<MeasuredEdit> {
  const { output, ...reference } = options;
  return measureOutput({ reference: await prepareReference(reference), output });
}
