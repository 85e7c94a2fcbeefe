import type { ModelInfo } from '@retouch/core';
import { modelInfoOf } from './oxen-model-info.ts';
import { BUILT_IN_TABLE_DATE, builtInModelIds, builtInSpec } from './oxen-models.ts';

/** The edit models the adapter knows without asking Oxen, and when their pages were read. */
export interface OxenBuiltInCatalogue {
  /** When Oxen's reference pages were read, `YYYY-MM-DD`: the table says nothing of later models. */
  readonly checked: string;
  /** The models, as `retouch.listModels()` would list them; Oxen's pages publish no prices. */
  readonly models: readonly ModelInfo[];
}

/**
 * Oxen's edit models as the adapter's built-in table holds them, for when the live catalogue cannot
 * be read (no key, no network): a tool can still list the models and check model ids, saying how
 * old the table is. The live catalogue (`retouch.listModels()`) is the authority.
 *
 * @example
 * const { checked, models } = oxenBuiltInCatalogue();
 * console.log(`${models.length} models as of ${checked}`);
 */
export function oxenBuiltInCatalogue(): OxenBuiltInCatalogue {
  return {
    checked: BUILT_IN_TABLE_DATE,
    models: builtInModelIds.map((modelId) => modelInfoOf(builtInSpec(modelId)!)),
  };
}
