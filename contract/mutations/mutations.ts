/**
 * The wire mutations the contract check must name, each a small realistic drift of an adapter, of
 * the simulator, or of both at once. `pnpm test:contract-mutations` (scripts/contract-mutations.ts)
 * applies them one at a time, in memory, to the modules the contract's traffic tests load
 * (`contract/traffic/`), and expects each run to fail with the contract's own words naming it.
 *
 * A mutation finds its place by an exact snippet or a pattern, never by a line number; when the code
 * moves and the snippet is gone, the check fails saying which mutation lost its anchor, so the list
 * is moved along with the code.
 */

import { EDENAI_MUTATIONS } from './edenai-mutations.ts';
import type { Mutation } from './mutation.ts';
import { OXEN_MUTATIONS } from './oxen-mutations.ts';

export type { Mutation, MutationEdit, MutationKind } from './mutation.ts';

/** Every mutation the contract check must name. */
export const MUTATIONS: readonly Mutation[] = [...OXEN_MUTATIONS, ...EDENAI_MUTATIONS];
