import type { EditCheck, EditRequest } from '@retouch/core';
import { optionProblems } from '../option-problems.ts';
import type { InvalidManifestLine, Manifest } from './manifest.ts';

/**
 * Checks every line's options as its provider's adapter will before sending it (`retouch.check()`:
 * the model's parameter schema from the live catalogue, else the built-in one), so a bad option is
 * listed with the manifest's other problems and nothing is sent (see {@link optionProblems} for what
 * counts as bad). A line with a problem moves to `invalid`.
 *
 * @example
 * const checked = await checkManifestOptions({ manifest, shownPath: 'catalogue.jsonl', check: (request) => retouch.check(request) });
 */
export async function checkManifestOptions(options: {
  manifest: Manifest;
  /** The manifest's path as the user gave it, for the problems. */
  shownPath: string;
  /** The non-billable check `edit()` runs before sending, for one request. */
  check: (request: EditRequest) => Promise<EditCheck>;
}): Promise<Manifest> {
  const { manifest, shownPath } = options;
  const found = await Promise.all(
    manifest.lines.map(async (line) => ({
      line,
      problems: (
        await optionProblems({
          request: line.request,
          where: `${shownPath}:${line.line}`,
          check: options.check,
        })
      ).map((problem) => problem.text),
    })),
  );
  const lines = found.filter((entry) => entry.problems.length === 0).map((entry) => entry.line);
  const invalid: InvalidManifestLine[] = [
    ...manifest.invalid,
    ...found
      .filter((entry) => entry.problems.length > 0)
      .map((entry) => ({
        line: entry.line.line,
        model: String(entry.line.request.model),
        prompt: String(entry.line.request.prompt),
        problems: entry.problems,
      })),
  ];
  invalid.sort((left, right) => left.line - right.line);
  return { ...manifest, lines, invalid };
}
