import type { ProviderAdapter } from '@retouch/core';
import type { CliContext } from '../context.ts';
import { catalogueSource, readModelCatalogues } from '../model-catalogue.ts';
import { createCheckingClient } from '../option-problems.ts';
import type { ProviderName } from '../provider-ids.ts';
import { checkManifestModels } from './check-manifest-models.ts';
import { checkManifestOptions } from './check-manifest-options.ts';
import { refuseInvalidLines } from './invalid-lines.ts';
import type { Manifest } from './manifest.ts';

/**
 * The last check before a batch sends anything: the lines' models against each provider's
 * catalogue (live, else the built-in one), then, with `adapters`, each line's options as the adapter
 * checks them before sending; then every invalid line refused at once, or set aside with
 * `skipInvalid`. Says on stderr which catalogues were used and what was skipped.
 */
export async function checkBatchManifest(options: {
  manifest: Manifest;
  shownPath: string;
  providers: readonly ProviderName[];
  skipInvalid: boolean;
  simulate: boolean;
  context: CliContext;
  /**
   * The adapters the batch will send through: the catalogues are read with them, and each line's
   * options checked by them. Without them the options are left to the processes that send.
   */
  adapters?: readonly ProviderAdapter[];
}): Promise<Manifest> {
  const { context } = options;
  const catalogues = await readModelCatalogues({
    providers: options.providers,
    simulate: options.simulate,
    env: context.env,
    ...(options.adapters ? { adapters: options.adapters } : {}),
  });
  const { manifest: modelsChecked, unchecked } = checkManifestModels({
    manifest: options.manifest,
    catalogues,
    shownPath: options.shownPath,
  });
  const manifest = options.adapters
    ? await checkOptions({
        manifest: modelsChecked,
        adapters: options.adapters,
        shownPath: options.shownPath,
      })
    : modelsChecked;
  const sources = catalogues.map(catalogueSource);
  refuseInvalidLines({ manifest, skipInvalid: options.skipInvalid, notes: sources });
  if (sources.length > 0) context.stderr.write(`Models checked against ${sources.join('; ')}\n`);
  for (const line of unchecked) context.stderr.write(`warning: ${line}\n`);
  if (manifest.invalid.length > 0) {
    const count = manifest.invalid.length;
    context.stderr.write(
      `Skipping ${count} invalid line${count === 1 ? '' : 's'} (--skip-invalid), reported as failed: ${manifest.invalid.map((line) => line.line).join(', ')}\n`,
    );
  }
  return manifest;
}

/** Every line's options checked by its adapter through a client of its own, closed after. */
async function checkOptions(options: {
  manifest: Manifest;
  adapters: readonly ProviderAdapter[];
  shownPath: string;
}): Promise<Manifest> {
  const retouch = createCheckingClient(options.adapters);
  try {
    return await checkManifestOptions({
      manifest: options.manifest,
      shownPath: options.shownPath,
      check: (request) => retouch.check(request),
    });
  } finally {
    await retouch.close();
  }
}
