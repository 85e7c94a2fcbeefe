import { createRetouch, type ModelInfo, type ProviderAdapter } from '@retouch/core';
import { edenaiBuiltInCatalogue } from '@retouch/provider-edenai';
import { oxenBuiltInCatalogue } from '@retouch/provider-oxen';
import type { CliContext } from './context.ts';
import { describeError } from './describe-error.ts';
import type { ProviderName } from './provider-ids.ts';
import { openProviderSession } from './session.ts';

/** One provider's models, and whether they were read from the provider or from the built-in table. */
export interface ModelCatalogue {
  /** The provider. */
  provider: ProviderName;
  /** `live`: the provider (or the simulator) answered; `built-in`: the table shipped with the adapter. */
  source: 'live' | 'built-in';
  /** For the built-in table, when it was read from the provider's pages, `YYYY-MM-DD`. */
  checked?: string;
  /** For the built-in table, why the live catalogue was not read (no key, no network). */
  reason?: string;
  /** The edit models. */
  models: ModelInfo[];
}

const BUILT_IN: Record<ProviderName, () => { checked: string; models: readonly ModelInfo[] }> = {
  oxen: oxenBuiltInCatalogue,
  edenai: edenaiBuiltInCatalogue,
};

/**
 * Each provider's edit models: the live catalogue when it can be read (through `adapters` when the
 * command already has them, else with the keys of `env` or in-process simulators), else the dated
 * built-in table, with the reason.
 *
 * @example
 * const catalogues = await readModelCatalogues({ providers: ['oxen'], simulate: false, env: process.env });
 */
export async function readModelCatalogues(options: {
  providers: readonly ProviderName[];
  simulate: boolean;
  env: CliContext['env'];
  adapters?: readonly ProviderAdapter[];
}): Promise<ModelCatalogue[]> {
  return Promise.all(
    [...new Set(options.providers)].map(async (provider): Promise<ModelCatalogue> => {
      try {
        return { provider, source: 'live', models: await readLive({ ...options, provider }) };
      } catch (error) {
        const builtIn = BUILT_IN[provider]();
        return {
          provider,
          source: 'built-in',
          checked: builtIn.checked,
          reason: describeError(error).message,
          models: [...builtIn.models],
        };
      }
    }),
  );
}

async function readLive(options: {
  provider: ProviderName;
  simulate: boolean;
  env: CliContext['env'];
  adapters?: readonly ProviderAdapter[];
}): Promise<ModelInfo[]> {
  const adapter = options.adapters?.find((candidate) => candidate.id === options.provider);
  // The command's own adapters are closed by the command; a session opened here is closed here.
  const session = adapter
    ? undefined
    : await openProviderSession({
        providers: [options.provider],
        simulate: options.simulate,
        env: options.env,
      });
  const retouch = createRetouch({ providers: adapter ? [adapter] : session!.adapters });
  try {
    return await retouch.listModels({ provider: options.provider });
  } finally {
    await retouch.close();
    await session?.close();
  }
}

/**
 * Where a catalogue came from, for a line under a check or a listing: `oxen's live catalogue`, or
 * `edenai's built-in catalogue of 2026-07-27 (offline: EDENAI_API_KEY is not set…)`.
 */
export function catalogueSource(catalogue: ModelCatalogue): string {
  return catalogue.source === 'live'
    ? `${catalogue.provider}'s live catalogue`
    : `${catalogue.provider}'s built-in catalogue of ${catalogue.checked} (offline: ${catalogue.reason})`;
}
