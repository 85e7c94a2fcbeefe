import { type EditCheck, type EditRequest, type EditWarning, InvalidRequestError } from '@retouch/core';
import { inCliWords } from '../cli-words.ts';
import type { InvalidManifestLine, Manifest, ManifestLine } from './manifest.ts';

/**
 * Checks every line's options as its provider's adapter will before sending it (`retouch.check()`:
 * the model's parameter schema from the live catalogue, else the built-in one), so a bad option is
 * listed with the manifest's other problems and nothing is sent. Refused: what the adapter refuses
 * outright, and each of a model's own parameters (`providerOptions`) it would not send as written (an
 * unknown name, a value outside its values or range). Neutral options the model adjusts (a size sent
 * as the model's tier) run as before, with their warnings in the results.
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
      problems: await lineProblems({ line, shownPath, check: options.check }),
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

/** One line's option problems, `file:line: field: what is wrong and the fix`; none when it passes. */
async function lineProblems(options: {
  line: ManifestLine;
  shownPath: string;
  check: (request: EditRequest) => Promise<EditCheck>;
}): Promise<string[]> {
  const where = `${options.shownPath}:${options.line.line}`;
  let warnings: readonly EditWarning[];
  try {
    ({ warnings } = await options.check(options.line.request));
  } catch (error) {
    // Anything else (a refused key, say) would stop every line alike: the command reports it once.
    if (!InvalidRequestError.isInstance(error)) throw error;
    return error.issues.map(
      (issue) => `${where}: ${issue.path ? `${issue.path}: ` : ''}${inCliWords(issue.message)}`,
    );
  }
  return warnings.flatMap((warning) =>
    warning.type !== 'other' && warning.option.startsWith('providerOptions.')
      ? [
          `${where}: ${warning.option}: ${inCliWords(withoutRunNote(warning.message))}; change or remove it (retouch models lists each model's parameters and their values)`,
        ]
      : [],
  );
}

/** A warning's message without what happened at run time ("it was not sent, so …"): nothing was. */
function withoutRunNote(message: string): string {
  return message.replace(/; it was not sent.*$/s, '');
}
