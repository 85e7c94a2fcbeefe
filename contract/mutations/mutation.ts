/* The shape of one wire mutation of the contract's mutation check (see `mutations.ts`). */

/** What kind of drift a mutation stands for. */
export type MutationKind =
  | 'rename on one side'
  | 'rename on both sides'
  | 'drop a conversion'
  | 'rewrite a size'
  | 'change a cost key'
  | 'change an error body'
  | 'rename an event'
  | 'send a wrong type';

/** One change to one file. */
export interface MutationEdit {
  /** The file, from the repository root. */
  file: string;
  /** An exact snippet, or a pattern (with the `g` flag, every match is replaced). */
  find: string | RegExp;
  replace: string;
}

/** One mutation: its edits, applied together, and what the contract must say about it. */
export interface Mutation {
  id: string;
  /** Whose traffic it changes: only that provider's traffic tests run (and the adapters' reads). */
  provider: 'oxen' | 'edenai';
  kind: MutationKind;
  description: string;
  edits: readonly MutationEdit[];
  /** Matched against the contract's own failure messages of the run: the contract must name the drift. */
  named: RegExp;
}
