import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SavedImage } from '@retouch/compare';
import { extensionFor, imageSize } from '@retouch/core/provider-utils';
import type { OxenBilledGeneration } from '@retouch/provider-oxen';
import type { BatchJournal, BatchLineRun } from '../batch/journal.ts';
import type { LedgerComparison } from './compare-ledger.ts';

/** What `--recover` did with one orphan. */
export interface RecoveredOrphan {
  line: number | undefined;
  generationId: string;
  /** The saved outputs, relative to the output directory. */
  files: string[];
  /** What was settled, in US dollars. */
  costUsd: number;
  /** Why it could not be recovered, when it could not. */
  problem?: string;
}

/**
 * Downloads each orphan's outputs into `outDir/outputs/` and settles it in the batch's ledger at
 * Oxen's cost, keyed by its entry (or, for a generation the ledger never held, by the line and the
 * generation). A line with no successful run gets the outputs as its own (`line-<n>-1.png`) and a
 * finished run in the journal, so the next `retouch batch` run reports it done; a line that already
 * succeeded keeps its outputs, and the recovered ones are saved beside them.
 */
export async function recoverOrphans(options: {
  journal: BatchJournal;
  orphans: LedgerComparison['orphans'];
  outDir: string;
}): Promise<RecoveredOrphan[]> {
  const recovered: RecoveredOrphan[] = [];
  for (const orphan of options.orphans) {
    const { generation, line } = orphan;
    const costUsd = generation.costUsd ?? orphan.entry?.estimateUsd ?? 0;
    const base = { line, generationId: generation.generationId, costUsd };
    if (generation.status !== 'succeeded' || generation.outputUrls.length === 0) {
      recovered.push({
        ...base,
        files: [],
        problem: `Oxen says it is ${generation.status}, with no output yet`,
      });
      continue;
    }
    const state = orphan.key === undefined ? undefined : options.journal.lines.get(orphan.key);
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
      recovered.push({
        ...base,
        files: [],
        problem: `its output could not be downloaded (${String(error)})`,
      });
      continue;
    }
    const model = orphan.entry?.model ?? `oxen:${generation.model ?? 'unknown'}`;
    await options.journal.spend.settle({
      key: orphan.entry?.key ?? `${orphan.key ?? 'oxen'}@${generation.generationId}`,
      model,
      usd: costUsd,
      source: 'reported',
      providerJobId: generation.generationId,
    });
    if (!delivered && orphan.key !== undefined && line !== undefined) {
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
      await options.journal.append({ type: 'done', key: orphan.key, line, run, at: Date.now() });
    }
    recovered.push({ ...base, files: images.map((image) => image.file) });
  }
  return recovered;
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
