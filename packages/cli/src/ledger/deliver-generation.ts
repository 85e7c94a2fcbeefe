import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SavedImage } from '@retouch/compare';
import type { SpendEntry } from '@retouch/core';
import { extensionFor, imageSize } from '@retouch/core/provider-utils';
import type { OxenBilledGeneration } from '@retouch/provider-oxen';
import type { BatchJournal, BatchLineRun } from '../batch/journal.ts';

/** What delivering a billed generation of Oxen's records into a batch did. */
export interface DeliveredGeneration {
  line: number | undefined;
  generationId: string;
  /** The saved outputs, relative to the output directory. */
  files: string[];
  /** What was settled, in US dollars. */
  costUsd: number;
  /** Why it could not be delivered, when it could not. */
  problem?: string;
}

/**
 * Downloads a succeeded generation's outputs into `outDir/outputs/` and settles it in the batch's
 * ledger at Oxen's cost, keyed by `entry` (or, for a generation the ledger never held, by the line
 * and the generation). A line with no successful run gets the outputs as its own (`line-<n>-1.png`)
 * and a finished run in the journal, so no later run sends it; a line that already succeeded keeps
 * its outputs, and these are saved beside them. Nothing is settled when the outputs cannot be had.
 */
export async function deliverGeneration(options: {
  journal: BatchJournal;
  generation: OxenBilledGeneration;
  /** The manifest line, from 1, when the journal knows it. */
  line: number | undefined;
  /** The line's content key, when the journal knows it. */
  key: string | undefined;
  /** The ledger's entry for the generation's request, when there is one. */
  entry: SpendEntry | undefined;
  outDir: string;
}): Promise<DeliveredGeneration> {
  const { generation, line, key, entry, journal } = options;
  const costUsd = generation.costUsd ?? entry?.estimateUsd ?? 0;
  const base = { line, generationId: generation.generationId, costUsd };
  if (generation.status !== 'succeeded' || generation.outputUrls.length === 0) {
    return { ...base, files: [], problem: `Oxen says it is ${generation.status}, with no output yet` };
  }
  const state = key === undefined ? undefined : journal.lines.get(key);
  const delivered = state?.status === 'done' && state.run.status === 'succeeded';
  const name = line === undefined ? `generation-${generation.generationId}` : `line-${line}`;
  let images: SavedImage[];
  try {
    images = await download({
      generation,
      outDir: options.outDir,
      baseName: delivered || line === undefined ? `${name}-recovered-${generation.generationId}` : name,
    });
  } catch (error) {
    return { ...base, files: [], problem: `its output could not be downloaded (${String(error)})` };
  }
  const model = entry?.model ?? `oxen:${generation.model ?? 'unknown'}`;
  await journal.spend.settle({
    key: entry?.key ?? `${key ?? 'oxen'}@${generation.generationId}`,
    model,
    usd: costUsd,
    source: 'reported',
    providerJobId: generation.generationId,
  });
  if (!delivered && key !== undefined && line !== undefined) {
    const run: BatchLineRun = {
      line,
      prompt: generation.prompt ?? '',
      model,
      status: 'succeeded',
      images,
      warnings: [`recovered from Oxen's records (generation ${generation.generationId})`],
      retries: 0,
      costUsd,
      costSource: 'reported',
      jobId: generation.generationId,
      resumed: true,
    };
    await journal.append({ type: 'done', key, line, run, at: Date.now() });
  }
  return { ...base, files: images.map((image) => image.file) };
}

async function download(options: {
  generation: OxenBilledGeneration;
  outDir: string;
  baseName: string;
}): Promise<SavedImage[]> {
  const directory = join(options.outDir, 'outputs');
  await mkdir(directory, { recursive: true });
  const saved: SavedImage[] = [];
  for (const [index, url] of options.generation.outputUrls.entries()) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`GET ${new URL(url).pathname} answered ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const mediaType = (response.headers.get('content-type') ?? 'image/png').split(';')[0]!.trim();
    const path = join(directory, `${options.baseName}-${index + 1}.${extensionFor(mediaType)}`);
    await writeFile(path, bytes);
    const image: SavedImage = {
      file: relative(options.outDir, path).split(sep).join('/'),
      mediaType,
      bytes: bytes.byteLength,
    };
    const size = imageSize(bytes);
    if (size) Object.assign(image, size);
    saved.push(image);
  }
  return saved;
}
