/**
 * Fails when a source file of a published package is longer than 400 lines: a file that long does more
 * than one job, and is split by job instead.
 * Usage: node scripts/check-source-size.ts
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MAX_LINES = 400;
const root = fileURLToPath(new URL('..', import.meta.url));
// Without glob magic, git's `*` crosses directories: this lists every .ts file below each src/.
const files = execFileSync('git', ['ls-files', 'packages/*/src/*.ts'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter(Boolean);
const long = files
  .map((file) => ({
    file,
    lines: readFileSync(new URL(file, `file://${root}`), 'utf8').split('\n').length - 1,
  }))
  .filter(({ lines }) => lines > MAX_LINES);
if (long.length > 0) {
  for (const { file, lines } of long)
    console.error(`${file}: ${lines} lines, over ${MAX_LINES}: split it by job`);
  process.exit(1);
}
console.log(`${files.length} source files, none over ${MAX_LINES} lines`);
