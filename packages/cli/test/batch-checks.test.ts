import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareResults } from '@retouch/compare';
import { edenaiBuiltInCatalogue } from '@retouch/provider-edenai';
import { oxenBuiltInCatalogue } from '@retouch/provider-oxen';
import {
  type EdenAISimulator,
  type OxenSimulator,
  startEdenAISimulator,
  startOxenSimulator,
} from '@retouch/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkManifestModels } from '../src/batch/check-manifest-models.ts';
import type { Manifest } from '../src/batch/manifest.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run, temporaryDirectory } from './support/io.ts';

let oxen: OxenSimulator;
let edenai: EdenAISimulator;
beforeAll(async () => {
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 0 } });
  edenai = await startEdenAISimulator({});
});
afterAll(async () => {
  await oxen.close();
  await edenai.close();
});
const env = () => ({
  OXEN_API_KEY: oxen.apiKey,
  OXEN_BASE_URL: oxen.url,
  EDENAI_API_KEY: edenai.apiKey,
  EDENAI_BASE_URL: edenai.url,
});
const billable = () =>
  [...oxen.requests, ...edenai.requests].filter((request) => request.billable || request.method === 'POST');

/**
 * 21 lines: 18 good ones, a missing image on line 4, and models no catalogue lists on lines 9
 * (a typo of an Oxen model) and 15 (an Eden model that does not exist).
 */
async function manifestWithProblems(cwd: string): Promise<void> {
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
  const lines = Array.from({ length: 21 }, (_, index) => {
    const line = index + 1;
    const model =
      line === 9
        ? 'oxen:qwen-image-edt'
        : line === 15
          ? 'edenai:acme/imaginary-model'
          : index % 2 === 0
            ? 'oxen:qwen-image-edit'
            : 'edenai:google/gemini-2.5-flash-image';
    return JSON.stringify({ model, prompt: `edit ${line}`, images: [line === 4 ? 'gone.png' : 'photo.png'] });
  });
  await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
}

describe('retouch batch checks every line before sending anything', { timeout: 60_000 }, () => {
  it('by default sends nothing and names the missing file and both unknown models', async () => {
    const cwd = await temporaryDirectory();
    await manifestWithProblems(cwd);
    oxen.clearRequests();
    edenai.clearRequests();
    const result = await run(['batch', 'manifest.jsonl', '--out', 'out'], { cwd, env: env() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the manifest has 3 problems; nothing was sent');
    expect(result.stderr).toMatch(/manifest\.jsonl:4: images\.0: no readable file at ".*gone\.png"/);
    expect(result.stderr).toContain(
      `manifest.jsonl:9: model: "oxen:qwen-image-edt" is not in oxen's catalogue; did you mean "oxen:qwen-image-edit"? run retouch models`,
    );
    expect(result.stderr).toContain(
      `manifest.jsonl:15: model: "edenai:acme/imaginary-model" is not in edenai's catalogue`,
    );
    expect(result.stderr).toContain("oxen's live catalogue");
    expect(result.stderr).toContain('add --skip-invalid to run the other 18 lines');
    // Only the free catalogue reads reached the providers.
    expect(billable()).toEqual([]);
    expect(oxen.billableCount + edenai.billableCount).toBe(0);
  });

  it('with --skip-invalid runs the other 18 and reports the invalid lines as failed, with the fix', async () => {
    const cwd = await temporaryDirectory();
    await manifestWithProblems(cwd);
    oxen.clearRequests();
    edenai.clearRequests();
    const result = await run(['batch', 'manifest.jsonl', '--out', 'out', '--skip-invalid'], {
      cwd,
      env: env(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Skipping 3 invalid lines (--skip-invalid), reported as failed: 4, 9, 15',
    );
    expect(result.stdout).toContain('21 lines: 18 succeeded, 3 failed');
    expect(result.stdout).toContain('line 9: InvalidLineError: not sent: model: "oxen:qwen-image-edt"');
    expect(oxen.billableCount + edenai.billableCount).toBe(18);
    const sentPrompts = [...oxen.requests, ...edenai.requests]
      .filter((request) => request.billable)
      .map((request) => JSON.stringify(request.body));
    for (const line of [4, 9, 15]) {
      expect(sentPrompts.some((body) => body.includes(`"edit ${line}"`))).toBe(false);
    }
    const results = JSON.parse(await readFile(join(cwd, 'out', 'results.json'), 'utf8')) as CompareResults;
    const failed = results.runs.filter((entry) => entry.status === 'failed');
    expect(failed.map((entry) => [entry.repeat, entry.error?.name])).toEqual([
      [4, 'InvalidLineError'],
      [9, 'InvalidLineError'],
      [15, 'InvalidLineError'],
    ]);
    expect(failed[0]!.error?.message).toContain('no readable file');
  });
});

describe('the model check offline, against the dated built-in catalogues', () => {
  const manifest = (models: string[]): Manifest => ({
    path: '/m.jsonl',
    invalid: [],
    lines: models.map((model, index) => ({
      line: index + 1,
      key: String(index),
      hash: String(index),
      request: { model, prompt: 'p', images: [] } as never,
    })),
  });
  const catalogues = [
    { provider: 'oxen' as const, source: 'built-in' as const, ...oxenBuiltInCatalogue(), reason: 'no key' },
    {
      provider: 'edenai' as const,
      source: 'built-in' as const,
      ...edenaiBuiltInCatalogue(),
      reason: 'no key',
    },
  ].map((catalogue) => ({ ...catalogue, models: [...catalogue.models] }));

  it('refuses a near miss of a listed model, and lets a model the table cannot know through, named', () => {
    const { manifest: checked, unchecked } = checkManifestModels({
      manifest: manifest(['oxen:qwen-image-edt', 'edenai:bfl/flux-kontext-max', 'oxen:qwen-image-edit']),
      catalogues,
      shownPath: 'm.jsonl',
    });
    expect(checked.lines.map((line) => line.line)).toEqual([2, 3]);
    expect(checked.invalid[0]!.problems[0]).toContain(
      `"oxen:qwen-image-edt" is not in oxen's built-in catalogue of ${oxenBuiltInCatalogue().checked}; did you mean "oxen:qwen-image-edit"?`,
    );
    expect(unchecked).toEqual([
      expect.stringContaining(
        `edenai:bfl/flux-kontext-max: not in the built-in catalogue of ${edenaiBuiltInCatalogue().checked}`,
      ),
    ]);
  });
});
