/**
 * The fault matrix: every fault the simulators inject × every path an edit takes. Each path's cells
 * run in a child process of their own (see support/matrix-child.ts), which must end by itself once
 * everything is closed; this file checks each cell's figures against what the cell must show and
 * writes them to test-output/matrix.json for the report (node reliability/report.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type ChildRun, runChild } from './support/children.ts';
import { allCells, CELL_DEADLINE_MS, cellsOf } from './support/matrix.ts';
import { type PathName, pathNames } from './support/paths.ts';
import type { CellFigures } from './support/run-cell.ts';

/** A cell must settle by its deadline; this slack absorbs a busy machine, not a missing deadline. */
const SETTLE_SLACK_MS = 2_000;

const runs = new Map<PathName, ChildRun>();
const figures = new Map<string, CellFigures | { id: string; crashed: string }>();
const verdicts = new Map<string, 'pass' | 'fail'>();

beforeAll(async () => {
  await Promise.all(
    pathNames.map(async (path) => {
      const run = await runChild({
        script: './matrix-child.ts',
        args: [path],
        exitWithinMs: 5_000,
        timeoutMs: 90_000,
      });
      runs.set(path, run);
      for (const line of run.lines) {
        const cell = (line as { cell?: CellFigures | { id: string; crashed: string } }).cell;
        if (cell) figures.set(cell.id, cell);
      }
    }),
  );
}, 120_000);

afterAll(() => {
  const directory = new URL('./test-output/', import.meta.url);
  mkdirSync(directory, { recursive: true });
  const report = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    deadlineMs: CELL_DEADLINE_MS,
    cells: allCells().map((cell) => ({
      id: cell.id,
      row: cell.row.id,
      label: cell.row.label,
      path: cell.path,
      ...(cell.notApplicable !== undefined
        ? { notApplicable: cell.notApplicable }
        : {
            expected: cell.row.expect(cell.path),
            figures: figures.get(cell.id),
            verdict: verdicts.get(cell.id),
          }),
    })),
    processes: Object.fromEntries(
      [...runs].map(([path, run]) => {
        const done = run.lines.find((line) => (line as { done?: boolean }).done) as
          | { unhandled: string[]; leaks: unknown[]; activeResources: string[] }
          | undefined;
        return [
          path,
          {
            exitedByItself: run.exitedByItself,
            exitCode: run.exitCode,
            exitMs: run.exitMs,
            unhandledRejections: done?.unhandled.length ?? -1,
            leaks: done?.leaks.length ?? -1,
          },
        ];
      }),
    ),
  };
  writeFileSync(new URL('matrix.json', directory), `${JSON.stringify(report, null, 2)}\n`);
});

describe.each(pathNames)('%s', (path) => {
  test('the process running its cells ends by itself after close(), with no unhandled rejection and no key leaked', () => {
    const run = runs.get(path)!;
    const done = run.lines.find((line) => (line as { done?: boolean }).done) as
      | { unhandled: string[]; leaks: unknown[]; activeResources: string[] }
      | undefined;
    expect(done, run.otherOutput).toBeDefined();
    expect(done!.unhandled).toEqual([]);
    expect(done!.leaks).toEqual([]);
    expect(
      run.exitedByItself,
      `still running 5 s after its last line: ${done?.activeResources.join(', ')}`,
    ).toBe(true);
    expect(run.exitCode, run.otherOutput).toBe(0);
  });

  test.each(cellsOf(path).map((cell) => [cell.row.label, cell] as const))('%s', (_label, cell) => {
    verdicts.set(cell.id, 'fail');
    const expected = cell.row.expect(path);
    const found = figures.get(cell.id);
    expect(found, `no figures for ${cell.id}: ${runs.get(path)?.otherOutput}`).toBeDefined();
    expect('crashed' in found! ? found.crashed : undefined).toBeUndefined();
    const cellFigures = found as CellFigures;

    expect(cellFigures.settleMs).toBeLessThanOrEqual(CELL_DEADLINE_MS + SETTLE_SLACK_MS);
    expect({ outcome: cellFigures.outcome, message: cellFigures.message }).toMatchObject({
      outcome: expected.edit,
    });
    if (expected.message) expect(cellFigures.message).toMatch(expected.message);
    if (expected.download) expect(cellFigures.download).toBe(expected.download);
    if (expected.downloadAgain) expect(cellFigures.downloadAgain).toBe(expected.downloadAgain);
    // Never pay twice: at most one billable submission per edit under default settings.
    expect(cellFigures.billable).toBeLessThanOrEqual(1);
    if (expected.billable !== '0-1') expect(cellFigures.billable).toBe(expected.billable);
    if (expected.providerJob) expect(cellFigures.providerJob).toBe(expected.providerJob);
    verdicts.set(cell.id, 'pass');
  });
});
