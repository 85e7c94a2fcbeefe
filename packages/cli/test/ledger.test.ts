import { access, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OxenSimulator, startOxenSimulator } from '@retouch/simulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerReport } from '../src/ledger/present-ledger.ts';
import { SAMPLE_IMAGE_PATH } from '../src/sample.ts';
import { run } from './support/io.ts';

let cwd: string;
let oxen: OxenSimulator;
beforeEach(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'retouch-ledger-'));
  await copyFile(SAMPLE_IMAGE_PATH, join(cwd, 'photo.png'));
  oxen = await startOxenSimulator({ jobSchedule: { queuedMs: 0, processingMs: 20 } });
});
afterEach(async () => {
  await oxen.close();
  await rm(cwd, { recursive: true, force: true });
});

const env = () => ({ OXEN_API_KEY: oxen.apiKey, OXEN_BASE_URL: oxen.url });

describe('retouch ledger', { timeout: 60_000 }, () => {
  it('names the orphan a fault made, --recover delivers it, and a second run reports everything matched', async () => {
    const lines = [1, 2, 3, 4].map((line) =>
      JSON.stringify({ model: 'oxen:qwen-image-edit', prompt: `edit ${line}`, images: ['photo.png'] }),
    );
    await writeFile(join(cwd, 'manifest.jsonl'), `${lines.join('\n')}\n`);
    // Line 2's enqueue is billed, then its connection drops, and Oxen's records cannot be read while
    // the batch runs: the line fails as possibly billed.
    oxen.setFaults([
      { route: 'POST /api/ai/queue', kind: 'reset-after-body', after: 1, times: 1 },
      { route: 'GET /api/ai/generations', kind: 'status', status: 500 },
    ]);
    const batch = ['batch', 'manifest.jsonl', '--out', 'out', '--concurrency', '1'];
    const first = await run(batch, { cwd, env: env() });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('4 lines: 3 succeeded, 1 failed');
    oxen.setFaults([]);
    expect(oxen.billableCount).toBe(4);

    const check = await run(['ledger', '--out', 'out', '--json'], { cwd, env: env() });
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as LedgerReport;
    expect(report.matched.map((item) => item.line)).toEqual(expect.arrayContaining([1, 3, 4]));
    expect(report.orphans).toHaveLength(1);
    expect(report.orphans[0]).toMatchObject({ line: 2, status: 'succeeded', costUsd: 0.03 });
    expect(report.ledger).toEqual({ settledUsd: 0.09, possiblyBilledUsd: 0.03 });
    expect(report.providerBilledUsd).toBe(0.12);
    const plain = await run(['ledger', '--out', 'out'], { cwd, env: env() });
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(
      new RegExp(`orphan +line 2 +${report.orphans[0]!.generationId} +\\$0\\.0300 billed, never delivered`),
    );
    expect(plain.stdout).toContain('run again with --recover');

    const recover = await run(['ledger', '--out', 'out', '--recover'], { cwd, env: env() });
    expect(recover.code).toBe(0);
    expect(recover.stdout).toContain(
      `Recovered line 2, ${report.orphans[0]!.generationId}: outputs/line-2-1.png`,
    );
    await access(join(cwd, 'out', 'outputs', 'line-2-1.png'));

    const again = await run(['ledger', '--out', 'out', '--json'], { cwd, env: env() });
    expect(again.code).toBe(0);
    const matched = JSON.parse(again.stdout) as LedgerReport;
    expect(matched).toMatchObject({ ok: true, orphans: [], possiblyBilled: [], missing: [] });
    expect(matched.matched).toHaveLength(4);
    expect(matched.ledger).toEqual({ settledUsd: 0.12, possiblyBilledUsd: 0 });
    expect((await run(['ledger', '--out', 'out'], { cwd, env: env() })).stdout).toContain(
      'Everything matched.',
    );

    // The batch now counts the recovered line as done, and sends nothing.
    const rerun = await run(batch, { cwd, env: env() });
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('4 lines: 4 succeeded, 0 failed (4 from an earlier run)');
    expect(oxen.billableCount).toBe(4);
  });

  it('refuses a directory without a journal, and a bad time, before reading anything', async () => {
    const missing = await run(['ledger', '--out', 'nowhere'], { cwd, env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nowhere holds no journal.jsonl');
    const bad = await run(['ledger', '--out', 'out', '--from', 'yesterday'], { cwd, env: env() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be a time such as 2026-12-08T00:00:00Z');
    expect(oxen.requests).toEqual([]);
  });
});
