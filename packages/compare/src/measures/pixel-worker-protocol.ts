import type { PixelComparison, PixelReference } from './compare-pixels.ts';
import type { Raster } from './raster.ts';

/** What the comparison sends a pixel thread. */
export type PixelThreadRequest =
  /** A reference the following jobs name by `id`; sent once to each thread. */
  | { kind: 'reference'; id: number; reference: PixelReference }
  /** Drop reference `id`: no job will name it again. */
  | { kind: 'forget'; id: number }
  /** Compare an output with reference `reference`. */
  | { kind: 'compare'; reference: number; output: Raster; smallOutput?: Raster };

/** What a pixel thread answers: `ready` once it has loaded, then one answer a job, in order. */
export type PixelThreadAnswer =
  | { kind: 'ready' }
  | { kind: 'compared'; comparison: PixelComparison }
  | { kind: 'failed'; message: string };
