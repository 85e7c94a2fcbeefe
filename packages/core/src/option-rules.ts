/**
 * The kit `createRetouch`'s options are checked with, written as plain checks rather than zod schemas:
 * creating a client must not load zod (about 50 ms and 15 MiB at a cold start). Each check returns
 * the first problem with its path, and {@link describeProblem} turns it into one line that names the
 * option and the fix.
 */

/** A broken option: where (`['limits', 'oxen', 'concurrency']`) and what to do about it. */
export interface OptionProblem {
  /** The option's path, from the object checked. */
  path: (string | number)[];
  /** What the value must be, e.g. `must be a whole number ≥ 1`. */
  message: string;
  /** Set when the problem is a key the object does not know. */
  unknownKey?: string;
  /** The keys the object knows, when the problem is an unknown key. */
  known?: readonly string[];
}

/** Checks one value at `path`: the first problem found, or `undefined` when the value holds. */
export type OptionCheck = (value: unknown, path: (string | number)[]) => OptionProblem | undefined;

/** A problem at `path` that names the fix. */
export const problem = (path: (string | number)[], message: string): OptionProblem => ({ path, message });

/** Whether a value is a plain object (not `null`, not an array). */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a value is an object with a function under each of `names`. */
export const hasMethods = (value: unknown, ...names: string[]): boolean =>
  typeof value === 'object' &&
  value !== null &&
  names.every((name) => typeof (value as Record<string, unknown>)[name] === 'function');

/** A check that passes when the predicate holds, else names the fix. */
export const rule =
  (holds: (value: unknown) => boolean, message: string): OptionCheck =>
  (value, path) =>
    holds(value) ? undefined : problem(path, message);

/** A check for a safe integer of at least `minimum`. */
export const wholeAtLeast = (minimum: number): OptionCheck =>
  rule(
    (value) => Number.isSafeInteger(value) && (value as number) >= minimum,
    `must be a whole number ≥ ${minimum}`,
  );

/** Whether a value is a finite number. */
export const finiteNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** A check for a number of milliseconds, zero or more. */
export const milliseconds = rule(
  (value) => finiteNumber(value) && value >= 0,
  'must be a number of milliseconds ≥ 0',
);

/** A check for `true` or `false`. */
export const boolean = rule((value) => typeof value === 'boolean', 'must be true or false');

/**
 * An object of known keys: each field present is checked in order (a missing one only when
 * `required`), then the first unknown key is reported with the keys there are.
 */
export function strictObject(
  fields: Record<string, OptionCheck>,
  message: string,
  required: readonly string[] = [],
): OptionCheck {
  const known = Object.keys(fields);
  return (value, path) => {
    if (!isRecord(value)) return problem(path, message);
    for (const key of known) {
      const field = value[key];
      if (field === undefined && !required.includes(key)) continue;
      const found = fields[key]!(field, [...path, key]);
      if (found) return found;
    }
    const unknownKey = Object.keys(value).find((key) => !Object.hasOwn(fields, key));
    return unknownKey === undefined
      ? undefined
      : { path, message: `${unknownKey} is not an option`, unknownKey, known };
  };
}

/**
 * A problem as one line: `limits.oxen.concurrency must be …`, or for an unknown key
 * `retry.max_retries is not an option; did you mean "maxRetries"?`.
 */
export function describeProblem(found: OptionProblem): string {
  const path = describePath(found.path);
  if (found.unknownKey === undefined) return `${path ? `${path} ` : ''}${found.message}`;
  const known = found.known ?? [];
  const close = known.find((candidate) => similar(candidate, found.unknownKey!));
  const hint = close
    ? `; did you mean "${close}"?`
    : known.length > 0
      ? ` (options: ${known.join(', ')})`
      : '';
  return `${path ? `${path}.` : ''}${found.unknownKey} is not an option${hint}`;
}

/** An option's path as code spells it: `limits.oxen.concurrency`, `fallback[0]`. */
function describePath(path: readonly (string | number)[]): string {
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${segment}`,
    )
    .join('');
}

/** Whether two option names are a typo apart: the same letters ignoring case, `_` and `-`, or one edit. */
function similar(a: string, b: string): boolean {
  const normal = (value: string) => value.toLowerCase().replace(/[_-]/g, '');
  const [x, y] = [normal(a), normal(b)];
  if (x === y || x.startsWith(y) || y.startsWith(x)) return true;
  if (Math.abs(x.length - y.length) > 1) return false;
  let edits = 0;
  for (let i = 0, j = 0; i < x.length || j < y.length; ) {
    if (x[i] === y[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (x.length > y.length) i++;
    else if (y.length > x.length) j++;
    else {
      i++;
      j++;
    }
  }
  return true;
}
