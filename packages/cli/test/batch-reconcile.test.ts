import { access, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompareResults } from '@retouch/compare';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManifest } from '../src/batch/manifest.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run } from './support/io.ts';

const MODEL = 'oxen:qwen-image-edit';
const PRICE_USD = 0.03;

let cwd: string;
let oxen: OxenSimulator;
const cleanups: (() => Promise<unknown>)[] = [];
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'retouch-reconcile-'));
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(cwd, { recursive: true, force: true });
});

async function startOxen(processingMs = 20): Promise<void> {
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs } });
  cleanups.push(() => oxen.close());
}

const env = () => ({ OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url });
const argv = ['batch', 'manifest.jsonl', '--out', 'out', '--concurrency', '1'];

/**
 * Writes a manifest of `prompts`, and the journal a run killed while it sent `unanswered` (line
 * numbers) leaves: each possibly billed in the ledger, journaled as sent `sentAgoMs` ago.
 */
async function killedRun(options: {
  prompts: string[];
  unanswered: number[];
  sentAgoMs: number;
}): Promise<void> {
  const lines = options.prompts.map((prompt) =>
    JSON.stringify({ model: MODEL, prompt, images: ['photo.png'] }),
  );
  await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
  const manifest = await loadManifest({ path: 'manifest.jsonl', cwd });
  const at = Date.now() - options.sentAgoMs;
  const records: unknown[] = [
    { type: 'batch', version: 2, manifest: manifest.path, at },
    { type: 'start', at },
  ];
  for (const number of options.unanswered) {
    const line = manifest.lines[number - 1]!;
    records.push(
      {
        type: 'spend',
        entry: {
          key: line.key,
          model: MODEL,
          state: 'possibly-billed',
          estimateUsd: PRICE_USD,
          updatedAt: at,
        },
      },
      {
        type: 'sent',
        key: line.key,
        line: number,
        billingKey: line.key,
        model: MODEL,
        prompt: line.request.prompt,
        at,
      },
    );
  }
  await mkdir(join(cwd, 'out'), { recursive: true });
  await writeFile(
    join(cwd, 'out', 'journal.jsonl'),
    records.map((record) => `${JSON.stringify(record)}\n`).join(''),
  );
}

/** Enqueues a generation at Oxen as the killed run's request would have, outside the batch. */
async function enqueueAtOxen(prompt: string): Promise<void> {
  const image = (await readFile(join(cwd, 'photo.png'))).toString('base64');
  const response = await fetch(`${oxen.url}/api/ai/queue`, {
    method: 'POST',
    headers: { authorization: `Bearer ${oxen.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'qwen-image-edit', prompt, input_image: `data:image/png;base64,${image}` }),
  });
  expect(response.status).toBeLessThan(300);
}

/** The prompts of the billable requests the simulator received. */
function billedPrompts(): string[] {
  return oxen.requests
    .filter((request) => request.billable)
    .map((request) => (request.body as { prompt: string }).prompt);
}

async function results(): Promise<CompareResults> {
  return JSON.parse(await readFile(join(cwd, 'out', 'results.json'), 'utf8')) as CompareResults;
}

describe('retouch batch after a run killed while sending', { timeout: 60_000 }, () => {
  it('delivers the line Oxen billed without a new request, and runs the line that never arrived once', async () => {
    await startOxen();
    await killedRun({ prompts: ['edit 1', 'edit 2', 'edit 3'], unanswered: [1, 2], sentAgoMs: 10_000 });
    await enqueueAtOxen('edit 1');
    await new Promise((resolve) => setTimeout(resolve, 200)); // the generation finishes
    const rerun = await run(argv, { cwd, env: env() });
    expect(rerun.stderr).toContain(
      "Reconciled 2 possibly billed lines with Oxen's records: 1 billed (delivered), 1 never arrived (will run)",
    );
    expect(rerun.code).toBe(0);
    expect(billedPrompts()).toEqual(['edit 1', 'edit 2', 'edit 3']);
    await access(join(cwd, 'out', 'outputs', 'line-1-1.png'));
    const summary = await results();
    expect(summary.runs.map((entry) => entry.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(summary.summary).toMatchObject({ totalCostUsd: 3 * PRICE_USD, possiblyBilledUsd: 0 });

    // Nothing is left to reconcile or send.
    const again = await run(argv, { cwd, env: env() });
    expect(again.stderr).not.toContain('Reconciled');
    expect(billedPrompts()).toHaveLength(3);
  });

  it('follows a generation still running at Oxen to its end', async () => {
    await startOxen(1_500);
    await killedRun({ prompts: ['edit 1'], unanswered: [1], sentAgoMs: 10_000 });
    await enqueueAtOxen('edit 1');
    const rerun = await run(argv, { cwd, env: env() });
    expect(rerun.stderr).toContain('1 still running at Oxen (followed)');
    expect(rerun.code).toBe(0);
    expect(billedPrompts()).toEqual(['edit 1']);
    expect((await results()).summary).toMatchObject({ totalCostUsd: PRICE_USD, possiblyBilledUsd: 0 });
  });

  it('waits until a request sent just before the kill would be listed', async () => {
    await startOxen();
    await killedRun({ prompts: ['edit 1'], unanswered: [1], sentAgoMs: 3_000 });
    const rerun = await run(argv, { cwd, env: env() });
    expect(rerun.stderr).toMatch(/Waiting \d s for Oxen's records to list what an earlier run sent/);
    expect(rerun.stderr).toContain('1 never arrived (will run)');
    expect(billedPrompts()).toEqual(['edit 1']);
  });

  it('leaves a line two generations could be possibly billed, and says why', async () => {
    await startOxen();
    await killedRun({ prompts: ['edit 1', 'edit 2'], unanswered: [1], sentAgoMs: 10_000 });
    await enqueueAtOxen('edit 1');
    await enqueueAtOxen('edit 1');
    const rerun = await run(argv, { cwd, env: env() });
    expect(rerun.stderr).toContain("Line 1: 2 generations in Oxen's records could be its request");
    expect(rerun.stderr).toContain('1 ambiguous (stay possibly billed)');
    expect(rerun.code).toBe(1);
    expect(billedPrompts()).toEqual(['edit 1', 'edit 1', 'edit 2']);
    const summary = await results();
    expect(summary.runs[0]).toMatchObject({ status: 'failed', possiblyBilledUsd: PRICE_USD });
    expect(summary.runs[0]?.error?.name).toBe('PossiblyBilledError');
  });

  it("keeps the lines possibly billed when Oxen's records cannot be read", async () => {
    await startOxen();
    await killedRun({ prompts: ['edit 1'], unanswered: [1], sentAgoMs: 10_000 });
    oxen.setFaults([{ route: 'GET /api/ai/generations', kind: 'status', status: 500 }]);
    const rerun = await run(argv, { cwd, env: env() });
    expect(rerun.stderr).toContain("Could not read Oxen's records");
    expect(rerun.stderr).toContain('1 possibly billed line stays possibly billed');
    expect(rerun.code).toBe(1);
    expect(billedPrompts()).toEqual([]);
    expect((await results()).summary).toMatchObject({ totalCostUsd: 0, possiblyBilledUsd: PRICE_USD });
  });
});
