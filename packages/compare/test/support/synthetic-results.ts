import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageSize } from '@retouch/core/provider-utils';
import { createTestImage } from '@retouch/simulator';
import { type CompareResults, type CompareRun, type RowIdentity, summarizeRuns } from '../../src/results.ts';
import { SAMPLE_IMAGE_PATH } from './sample.ts';

const ENTRIES: RowIdentity[] = [
  { label: 'oxen:qwen-image-edit', model: 'oxen:qwen-image-edit', provider: 'oxen', mode: 'sync' },
  { label: 'oxen:gpt-image-2', model: 'oxen:gpt-image-2', provider: 'oxen', mode: 'sse' },
  {
    label: 'edenai:google/gemini-2.5-flash-image',
    model: 'edenai:google/gemini-2.5-flash-image',
    provider: 'edenai',
    mode: 'json',
  },
  {
    label: 'edenai:openai/gpt-image-2',
    model: 'edenai:openai/gpt-image-2',
    provider: 'edenai',
    mode: 'multipart',
  },
  { label: 'oxen:flux-kontext-dev', model: 'oxen:flux-kontext-dev', provider: 'oxen', mode: 'queue' },
];

/** A tinted landscape, so each model's output is visibly different. */
function picture(hue: readonly [number, number, number], seed: number): Uint8Array {
  return createTestImage({
    width: 192,
    height: 128,
    color: ({ x, y }) => {
      const sky = y / 128;
      const hill = y > 80 + 12 * Math.sin(x / 17 + seed);
      const base = hill ? [40, 90, 60] : [255 * (1 - sky * 0.4), 170 + 60 * sky, 120 + 100 * (1 - sky)];
      return [0, 1, 2].map((channel) =>
        Math.round(base[channel]! * 0.55 + hue[channel]! * 0.45),
      ) as unknown as [number, number, number];
    },
  });
}

/**
 * Writes a comparison of five models (one failing, one partly failing, repeats, warnings, an
 * estimated cost) into `outDir`, with real image files, and returns its results.
 */
export async function writeSyntheticComparison(outDir: string): Promise<CompareResults> {
  await mkdir(join(outDir, 'inputs'), { recursive: true });
  await copyFile(SAMPLE_IMAGE_PATH, join(outDir, 'inputs', 'sample.png'));
  const hues: [number, number, number][] = [
    [120, 80, 220],
    [20, 180, 170],
    [240, 140, 40],
    [220, 60, 110],
    [90, 160, 240],
  ];
  const latencies = [
    [1200, 1350],
    [2600, 3100],
    [900, 1000],
    [4100, 3900],
    [5000, 5200],
  ];
  const costs = [0.03, 0.0525, 0.039, 0.011, 0.025];
  const runs: CompareRun[] = [];
  for (const [entry, identity] of ENTRIES.entries()) {
    for (const repeat of [1, 2]) {
      const fails = entry === 3 || (entry === 4 && repeat === 2);
      if (fails) {
        runs.push({
          entry,
          label: identity.label,
          model: identity.model,
          repeat,
          status: 'failed',
          images: [],
          warnings: [],
          retries: entry === 4 ? 2 : 0,
          error:
            entry === 3
              ? {
                  name: 'InsufficientCreditsError',
                  message: 'edenai: Insufficient credits (402) <not html>',
                  statusCode: 402,
                }
              : { name: 'TimeoutError', message: 'oxen: the job did not finish within 120s' },
        });
        continue;
      }
      const directory = join(outDir, 'outputs', identity.label.replace(/[^a-z0-9]+/g, '-'));
      await mkdir(directory, { recursive: true });
      const bytes = picture(hues[entry]!, entry * 3 + repeat);
      const file = `outputs/${identity.label.replace(/[^a-z0-9]+/g, '-')}/run-${repeat}-1.png`;
      await writeFile(join(outDir, ...file.split('/')), bytes);
      runs.push({
        entry,
        label: identity.label,
        model: identity.model,
        repeat,
        status: 'succeeded',
        latencyMs: latencies[entry]![repeat - 1]!,
        queuedMs: 100,
        runningMs: latencies[entry]![repeat - 1]! - 100,
        costUsd: costs[entry]!,
        costSource: entry === 1 ? 'estimated' : 'reported',
        images: [{ file, mediaType: 'image/png', bytes: bytes.length, ...imageSize(bytes) }],
        warnings: entry === 0 ? ['size is not supported by qwen-image-edit; it was dropped'] : [],
        retries: entry === 2 && repeat === 2 ? 1 : 0,
      });
    }
  }
  const rows = summarizeRuns({ entries: ENTRIES, runs });
  return {
    schemaVersion: 1,
    createdAt: '2026-05-21T14:30:05.000Z',
    prompt: 'Turn the sunset into a starry night, keep the hills',
    inputs: [
      {
        source: 'assets/sample.png',
        file: 'inputs/sample.png',
        mediaType: 'image/png',
        width: 384,
        height: 256,
        bytes: 38302,
      },
    ],
    options: { repeat: 2, aspectRatio: '3:2' },
    simulated: true,
    summary: {
      models: rows.length,
      runs: runs.length,
      succeeded: runs.filter((run) => run.status === 'succeeded').length,
      failed: runs.filter((run) => run.status === 'failed').length,
      totalCostUsd: Math.round(rows.reduce((total, row) => total + (row.totalCostUsd ?? 0), 0) * 1e7) / 1e7,
      wallTimeMs: 6200,
    },
    rows,
    runs,
  };
}
