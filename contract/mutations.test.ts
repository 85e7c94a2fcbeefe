import { expect, test } from 'vitest';
import { lostAnchors } from './mutations/apply-mutation.ts';
import { MUTATIONS } from './mutations/mutations.ts';

/*
 * The list `pnpm test:contract-mutations` runs (scripts/contract-mutations.ts, in CI): every
 * mutation still finds its place in the code, and a mutation whose place is gone is reported by
 * name. Running them is the script's job; it takes minutes, so it is not part of this run.
 */

test('every mutation finds its anchor, once, in the file it names', () => {
  expect(MUTATIONS.flatMap(lostAnchors)).toEqual([]);
  expect(new Set(MUTATIONS.map((mutation) => mutation.id)).size).toBe(MUTATIONS.length);
});

test('the list holds each kind of drift: renames on one side and on both, dropped conversions, sizes, cost keys, events', () => {
  const kinds = new Set(MUTATIONS.map((mutation) => mutation.kind));
  for (const kind of [
    'rename on one side',
    'rename on both sides',
    'drop a conversion',
    'rewrite a size',
    'change a cost key',
    'change an error body',
    'rename an event',
    'send a wrong type',
  ] as const) {
    expect(kinds, kind).toContain(kind);
  }
});

test('a mutation whose anchor moved away is named, with its file and snippet', () => {
  expect(
    lostAnchors({
      id: 'moved',
      provider: 'oxen',
      kind: 'rename on one side',
      description: 'x',
      edits: [{ file: 'packages/provider-oxen/src/oxen-api.ts', find: 'no such snippet', replace: '' }],
      named: /x/,
    }),
  ).toEqual(['moved: packages/provider-oxen/src/oxen-api.ts no longer holds "no such snippet"']);
});
