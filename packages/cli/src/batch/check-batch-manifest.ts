import type { CliContext } from '../context.ts';
import { catalogueSource, readModelCatalogues } from '../model-catalogue.ts';
import type { ProviderName } from '../provider-ids.ts';
import { checkManifestModels } from './check-manifest-models.ts';
import { refuseInvalidLines } from './invalid-lines.ts';
import type { Manifest } from './manifest.ts';

/**
 * The last check before a batch sends anything: the lines' models against each provider's
 * catalogue (live, else the built-in one), then every invalid line refused at once, or set
 * aside with `skipInvalid`. Says on stderr which catalogues were used and what was skipped.
 */
export async function checkBatchManifest(options: {
  manifest: Manifest;
  shownPath: string;
  providers: readonly ProviderName[];
  skipInvalid: boolean;
  simulate: boolean;
  context: CliContext;
}): Promise<Manifest> {
  const { context } = options;
  const catalogues = await readModelCatalogues({
    providers: options.providers,
    simulate: options.simulate,
    env: context.env,
  });
  const { manifest, unchecked } = checkManifestModels({
    manifest: options.manifest,
    catalogues,
    shownPath: options.shownPath,
  });
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
