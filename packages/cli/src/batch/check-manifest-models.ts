import type { ModelCatalogue } from '../model-catalogue.ts';
import { type ProviderName, providerOf } from '../provider-ids.ts';
import type { Manifest } from './manifest.ts';

/** What checking a manifest's models against the catalogues found. */
export interface ModelCheck {
  /** The manifest, its lines naming unknown models moved to `invalid`. */
  manifest: Manifest;
  /** Models the built-in table does not hold and so could not be checked, one line each. */
  unchecked: string[];
}

/** The most edits apart a model id may be from a known one to be taken for a typo of it. */
const TYPO_DISTANCE = 3;

/**
 * Checks that every line's model is one its provider serves. Against a live catalogue a model it
 * does not list is refused, with the closest listed id. Against the dated built-in table (offline)
 * only a near miss of a listed id is refused: the table cannot know models added since, so any
 * other model is let through and named in `unchecked`.
 *
 * @example
 * const { manifest: checked } = checkManifestModels({ manifest, catalogues, shownPath: 'catalogue.jsonl' });
 */
export function checkManifestModels(options: {
  manifest: Manifest;
  catalogues: readonly ModelCatalogue[];
  /** The manifest's path as the user gave it, for the problems. */
  shownPath: string;
}): ModelCheck {
  const { manifest, catalogues, shownPath } = options;
  const byProvider = new Map(catalogues.map((catalogue) => [catalogue.provider, catalogue]));
  const lines: Manifest['lines'] = [];
  const invalid = [...manifest.invalid];
  const unchecked = new Set<string>();
  for (const line of manifest.lines) {
    const model = String(line.request.model);
    const catalogue = byProvider.get(providerOf(model) as ProviderName);
    const known = catalogue?.models.map((entry) => entry.id) ?? [];
    if (!catalogue || known.includes(model)) {
      lines.push(line);
      continue;
    }
    const closest = closestId({ id: model, candidates: known });
    if (catalogue.source === 'built-in' && closest === undefined) {
      unchecked.add(
        `${model}: not in the built-in catalogue of ${catalogue.checked}, so not checked (${catalogue.reason})`,
      );
      lines.push(line);
      continue;
    }
    const where =
      catalogue.source === 'live'
        ? `${catalogue.provider}'s catalogue`
        : `${catalogue.provider}'s built-in catalogue of ${catalogue.checked}`;
    invalid.push({
      line: line.line,
      model,
      prompt: String(line.request.prompt),
      problems: [
        `${shownPath}:${line.line}: model: "${model}" is not in ${where}; ${closest ? `did you mean "${closest}"? ` : ''}run retouch models for the models and their ids`,
      ],
    });
  }
  invalid.sort((left, right) => left.line - right.line);
  return { manifest: { ...manifest, lines, invalid }, unchecked: [...unchecked] };
}

/** The candidate nearest to `id` by edit distance, when one is near enough to be what was meant. */
function closestId(options: { id: string; candidates: readonly string[] }): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const candidate of options.candidates) {
    const distance = editDistance(options.id, candidate);
    if (distance <= TYPO_DISTANCE && (best === undefined || distance < best.distance)) {
      best = { id: candidate, distance };
    }
  }
  return best?.id;
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions. */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row++) {
    const current = [row];
    for (let column = 1; column <= right.length; column++) {
      const substitution = previous[column - 1]! + (left[row - 1] === right[column - 1] ? 0 : 1);
      current.push(Math.min(previous[column]! + 1, current[column - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length]!;
}
