import type { CompareResults, CompareRun, SavedImage } from '../results.ts';

/** The default ceiling on image bytes embedded in `report.html`. */
export const DEFAULT_MAX_EMBEDDED_BYTES = 20 * 1024 * 1024;

/**
 * Which image files to embed in the report, in priority order (the inputs, then the first successful
 * run of each model with its diff overlay, then the other runs) until `maxEmbeddedBytes` is reached. Past it, images are
 * linked as files beside the report instead, so a comparison with many large outputs stays openable.
 */
export function planEmbeddedImages(options: {
  results: CompareResults;
  maxEmbeddedBytes?: number;
}): string[] {
  const budget = options.maxEmbeddedBytes ?? DEFAULT_MAX_EMBEDDED_BYTES;
  const candidates: { file: string; bytes: number }[] = [];
  for (const input of options.results.inputs) {
    if (input.file) candidates.push({ file: input.file, bytes: input.bytes ?? 0 });
  }
  const showcases = options.results.rows.map((_, entry) =>
    showcaseRun({ runs: options.results.runs, entry }),
  );
  const withOverlay = (image: SavedImage) => [
    image,
    ...(image.overlay ? [{ file: image.overlay, bytes: image.bytes }] : []),
  ];
  for (const run of showcases) for (const image of run?.images ?? []) candidates.push(...withOverlay(image));
  for (const run of options.results.runs) {
    if (showcases.includes(run)) continue;
    for (const image of run.images) candidates.push(image);
  }
  const chosen: string[] = [];
  let total = 0;
  for (const candidate of candidates) {
    if (chosen.includes(candidate.file)) continue;
    if (total + candidate.bytes > budget) continue;
    total += candidate.bytes;
    chosen.push(candidate.file);
  }
  return chosen;
}

/** The run whose outputs a model's card shows large: its first successful one with an image. */
export function showcaseRun(options: { runs: readonly CompareRun[]; entry: number }): CompareRun | undefined {
  return options.runs.find(
    (run) => run.entry === options.entry && run.status === 'succeeded' && run.images.length > 0,
  );
}
