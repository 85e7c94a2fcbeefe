import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Mutation, MutationEdit } from './mutations.ts';

/** The repository root, where every mutation's file path starts. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The absolute path of an edit's file. */
export function editPath(edit: MutationEdit): string {
  return fileURLToPath(new URL(edit.file, new URL(`file://${REPOSITORY_ROOT}`)));
}

/** How many places of `source` an edit would change. */
export function anchorCount(source: string, edit: MutationEdit): number {
  if (typeof edit.find === 'string') return source.split(edit.find).length - 1;
  return [
    ...source.matchAll(
      new RegExp(edit.find.source, edit.find.flags.includes('g') ? edit.find.flags : `${edit.find.flags}g`),
    ),
  ].length;
}

/**
 * Why a mutation can no longer be applied, one line per edit whose anchor is gone (or, for an exact
 * snippet, found more than once): the code moved, and the mutation must move with it.
 */
export function lostAnchors(mutation: Mutation): string[] {
  return mutation.edits.flatMap((edit) => {
    let source: string;
    try {
      source = readFileSync(editPath(edit), 'utf8');
    } catch {
      return [`${mutation.id}: ${edit.file} does not exist`];
    }
    const count = anchorCount(source, edit);
    if (count === 0)
      return [`${mutation.id}: ${edit.file} no longer holds ${JSON.stringify(String(edit.find))}`];
    if (typeof edit.find === 'string' && count > 1) {
      return [
        `${mutation.id}: ${edit.file} holds ${JSON.stringify(edit.find)} ${count} times; make the snippet unique`,
      ];
    }
    return [];
  });
}

/** A module's source with every edit of the mutation that targets `file` applied. */
export function applyMutation(mutation: Mutation, file: string, source: string): string {
  let result = source;
  for (const edit of mutation.edits) {
    if (editPath(edit) !== file) continue;
    if (anchorCount(result, edit) === 0) {
      throw new Error(
        `mutation ${mutation.id}: ${edit.file} no longer holds ${JSON.stringify(String(edit.find))}`,
      );
    }
    result =
      typeof edit.find === 'string'
        ? result.replace(edit.find, () => edit.replace)
        : result.replace(edit.find, edit.replace);
  }
  return result;
}
