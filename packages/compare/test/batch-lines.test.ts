import { describe, expect, it } from 'vitest';
import { renderReport } from '../src/report/report-html.ts';
import type { CompareResults, CompareRun } from '../src/results.ts';
import { summarizeRuns } from '../src/results.ts';

const identity = {
  label: 'oxen:qwen-image-edit',
  model: 'oxen:qwen-image-edit',
  provider: 'oxen',
  mode: 'sync',
};

function line(repeat: number, overrides: Partial<CompareRun>): CompareRun {
  return {
    entry: 0,
    label: identity.label,
    model: identity.model,
    repeat,
    status: 'succeeded',
    images: [{ file: `outputs/line-${repeat}-1.png`, mediaType: 'image/png', bytes: 3 }],
    warnings: [],
    retries: 0,
    prompt: `edit ${repeat}`,
    input: { file: `inputs/line-${repeat}.png`, mediaType: 'image/png' },
    ...overrides,
  };
}

describe('the batch report', () => {
  it('gives each line its input and output thumbnails, status, time and cost, with filters', () => {
    const runs = [
      line(1, { latencyMs: 1200, costUsd: 0.03, costSource: 'reported' }),
      line(2, { status: 'failed', images: [], error: { name: 'ApiCallError', message: 'oxen: <b>500</b>' } }),
      line(3, {
        status: 'failed',
        images: [],
        error: { name: 'PossiblyBilledError', message: 'it may have been billed' },
      }),
    ];
    const results: CompareResults = {
      schemaVersion: 1,
      createdAt: '2026-12-08T00:00:00.000Z',
      prompt: 'manifest.jsonl',
      inputs: [],
      options: { repeat: 1 },
      simulated: true,
      summary: { models: 1, runs: 3, succeeded: 1, failed: 2, totalCostUsd: 0.03, wallTimeMs: 1300 },
      rows: summarizeRuns({ entries: [identity], runs }),
      runs,
      batch: { manifest: 'manifest.jsonl', lines: 3, fromEarlierRuns: 0, resumed: 0, ranIn: 'here' },
    };
    const html = renderReport({
      results,
      images: new Map([['outputs/line-1-1.png', new Uint8Array([1, 2, 3])]]),
    });
    const lines = [...html.matchAll(/<tr class="line ([a-z-]+)">/g)].map((match) => match[1]);
    expect(lines).toEqual(['ok', 'failed', 'possibly-billed']);
    expect(html).toContain('alt="line 1, input"');
    expect(html).toContain(
      '<a href="outputs/line-1-1.png"><img class="thumb" src="data:image/png;base64,AQID"',
    );
    expect(html).toContain('<span class="pill failed">possibly billed</span>');
    expect(html).toContain('&lt;b&gt;500&lt;/b&gt;');
    expect(html).toContain('<label for="lines-failed">failed 1</label>');
    expect(html).toContain('<label for="lines-possibly-billed">possibly billed 1</label>');
    expect(html).toContain('body:has(#lines-failed:checked) tr.line:not(.failed) { display: none; }');
  });
});
