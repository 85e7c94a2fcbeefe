/**
 * Runs every applicable cell of one path in this process, a few at a time, and prints one JSON line
 * per cell, then a last line once everything is closed. It never calls process.exit: the parent test
 * asserts that the process ends by itself, which it cannot while any timer, socket or stream is open.
 *
 * Usage: node --conditions=@retouch/source reliability/support/matrix-child.ts <path> [cell-id-filter]
 */
import { cellsOf } from './matrix.ts';
import { type PathName, pathNames } from './paths.ts';
import { type CellFigures, runCell } from './run-cell.ts';
import { leaks, watchOutput } from './secrets.ts';

const path = process.argv[2] as PathName;
const filter = process.argv[3];
if (!pathNames.includes(path)) {
  console.error(`usage: matrix-child.ts <${pathNames.join('|')}> [filter]`);
  process.exitCode = 2;
} else {
  const unhandled: string[] = [];
  process.on('unhandledRejection', (reason) => {
    unhandled.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  });
  const print = (line: unknown): void => {
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  const stopWatching = watchOutput();
  const cells = cellsOf(path).filter((cell) => filter === undefined || cell.id.includes(filter));
  const concurrency = 4;
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < cells.length) {
        const cell = cells[next++]!;
        let figures: CellFigures | { id: string; crashed: string };
        try {
          figures = await runCell(cell);
        } catch (error) {
          figures = {
            id: cell.id,
            crashed: error instanceof Error ? (error.stack ?? error.message) : String(error),
          };
        }
        print({ cell: figures });
      }
    }),
  );
  // Give late rejections a chance to surface before they are counted.
  await new Promise((resolve) => setTimeout(resolve, 100));
  stopWatching();
  print({
    done: true,
    unhandled,
    leaks: leaks(),
    activeResources: process.getActiveResourcesInfo(),
  });
}
