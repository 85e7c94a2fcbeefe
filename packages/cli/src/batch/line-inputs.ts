import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { sniffImageMediaType } from '@retouch/core/provider-utils';
import type { BatchLineRun } from './journal.ts';
import type { Manifest } from './manifest.ts';

/** Where a line's input picture is copied for the report, and its media type. */
export type LineInput = NonNullable<BatchLineRun['input']>;

/**
 * Copies each line's first input picture (a local file) into `outDir/inputs/`, once, and returns the
 * runs with `input` set, so the batch report shows the picture before the edit beside the one after.
 * A line whose input is a URL, or a file that can no longer be read, keeps no input thumbnail.
 */
export async function withLineInputs(options: {
  runs: readonly BatchLineRun[];
  manifest: Manifest;
  outDir: string;
}): Promise<BatchLineRun[]> {
  const byLine = new Map(options.manifest.lines.map((line) => [line.line, line]));
  const copied = new Map<string, LineInput | undefined>();
  const runs: BatchLineRun[] = [];
  for (const run of options.runs) {
    const line = byLine.get(run.line);
    const first = Array.isArray(line?.request.images) ? line.request.images[0] : undefined;
    const path =
      typeof first === 'object' && first !== null && typeof (first as { path?: unknown }).path === 'string'
        ? (first as { path: string }).path
        : undefined;
    if (path === undefined) {
      runs.push(run);
      continue;
    }
    if (!copied.has(path))
      copied.set(path, await copyInput({ path, outDir: options.outDir, index: copied.size + 1 }));
    const input = copied.get(path);
    runs.push(input ? { ...run, input } : run);
  }
  return runs;
}

async function copyInput(options: {
  path: string;
  outDir: string;
  index: number;
}): Promise<LineInput | undefined> {
  try {
    const head = new Uint8Array(await readFile(options.path)).subarray(0, 64);
    const file = `inputs/input-${options.index}${extname(options.path).toLowerCase()}`;
    await mkdir(join(options.outDir, 'inputs'), { recursive: true });
    await copyFile(options.path, join(options.outDir, file));
    const mediaType = sniffImageMediaType(head);
    return mediaType ? { file, mediaType } : { file };
  } catch {
    return undefined;
  }
}
