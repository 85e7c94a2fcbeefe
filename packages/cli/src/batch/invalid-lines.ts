import { UsageError } from '../usage-error.ts';
import type { BatchLineRun } from './journal.ts';
import type { InvalidManifestLine, Manifest } from './manifest.ts';

/** How many problems a refusal lists before it says "and N more". */
const SHOWN_PROBLEMS = 20;

/**
 * Refuses a manifest with invalid lines, listing every problem (up to a screenful) and the way to
 * run the rest; does nothing when every line passed, or when `skipInvalid` lets the rest run.
 */
export function refuseInvalidLines(options: {
  manifest: Manifest;
  skipInvalid: boolean;
  notes?: readonly string[];
}): void {
  const { manifest } = options;
  if (manifest.invalid.length === 0 || options.skipInvalid) return;
  const problems = manifest.invalid.flatMap((line) => line.problems);
  const shown = problems.slice(0, SHOWN_PROBLEMS);
  const more = problems.length - shown.length;
  const runnable =
    manifest.lines.length > 0
      ? `\nFix the lines, or add --skip-invalid to run the other ${manifest.lines.length} line${manifest.lines.length === 1 ? '' : 's'} and report these as failed.`
      : '';
  const notes = (options.notes ?? []).map((note) => `\n  (${note})`).join('');
  throw new UsageError({
    command: 'batch',
    message: `the manifest has ${problems.length} problem${problems.length === 1 ? '' : 's'}; nothing was sent:\n  ${shown.join('\n  ')}${more > 0 ? `\n  and ${more} more` : ''}${notes}${runnable}`,
  });
}

/**
 * An invalid line as a failed run of the batch's results, its problems and their fixes as the error,
 * so the table, the report and `results.json` show it among the lines that did not succeed.
 */
export function invalidLineRun(line: InvalidManifestLine): BatchLineRun {
  return {
    line: line.line,
    prompt: line.prompt,
    model: line.model || '(no model)',
    status: 'failed',
    images: [],
    warnings: [],
    retries: 0,
    error: {
      name: 'InvalidLineError',
      message: `not sent: ${line.problems.map((problem) => problem.replace(/^[^:]*:\d+: /, '')).join('; ')}`,
    },
  };
}
