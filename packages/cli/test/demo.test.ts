import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CompareResults, CSV_COLUMNS } from '@retouch/compare';
import { describe, expect, it } from 'vitest';
import { run, temporaryDirectory } from './support/io.ts';

describe('retouch demo', () => {
  it('compares five models over the simulators and writes the report, JSON and CSV', async () => {
    const cwd = await temporaryDirectory();
    const result = await run(['demo', '--repeat', '1'], { cwd });
    expect(result.stderr).toContain('Retouch demo: 5 models');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('5 edits: 5 succeeded, 0 failed');
    expect(result.stdout).toContain('Report:  .retouch-out/demo/report.html');
    const outDir = join(cwd, '.retouch-out', 'demo');
    await access(join(outDir, 'report.html'));
    const results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as CompareResults;
    expect(results.simulated).toBe(true);
    expect(results.rows.map((row) => [row.model, row.mode, row.status])).toEqual([
      ['oxen:qwen-image-edit', 'sync', 'succeeded'],
      ['oxen:gpt-image-2', 'sse', 'succeeded'],
      ['oxen:flux-kontext-dev', 'queue', 'succeeded'],
      ['edenai:openai/gpt-image-1-mini', 'json + upload', 'succeeded'],
      ['edenai:google/gemini-2.5-flash-image', 'multipart', 'succeeded'],
    ]);
    for (const row of results.rows) {
      expect(row.costPerImageUsd).toBeGreaterThan(0);
      expect(row.latency!.medianMs).toBeGreaterThan(0);
    }
    // The simulated models keep the masked-out hills differently, and the table says so.
    expect(result.stdout).toMatch(/ leak +similarity /);
    const leaks = results.rows.map((row) => row.measures!.maskLeak!);
    const similarities = results.rows.map((row) => row.measures!.keptSimilarity!);
    expect(Math.min(...leaks)).toBe(0);
    expect(Math.max(...leaks)).toBeGreaterThan(0.5);
    expect(Math.max(...similarities)).toBe(1);
    expect(Math.min(...similarities)).toBeLessThan(0.5);
    for (const saved of results.runs.flatMap((entry) => entry.images))
      await access(join(outDir, saved.overlay!));
    const csv = (await readFile(join(outDir, 'results.csv'), 'utf8')).split('\r\n');
    expect(csv[0]).toBe(CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(1 + 5 + 1);
    for (const input of results.inputs) await access(join(outDir, input.file!));
    for (const saved of results.runs.flatMap((entry) => entry.images)) await access(join(outDir, saved.file));
  });
});
