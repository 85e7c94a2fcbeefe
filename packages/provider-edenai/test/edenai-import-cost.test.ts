import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { isZod, probeModules } from '../../../scripts/lib/module-probe.ts';

/*
 * Importing the package must not load zod: its schemas are loaded with the first call that needs them.
 * A fresh Node process records every module resolution of the import; core may load zod on its own, so
 * only the resolutions made by this package's modules are checked.
 */

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const packageURL = pathToFileURL(packageDirectory).href;

test('importing the package resolves no zod module from its own modules', async () => {
  const { resolutions } = await probeModules({
    code: `await import('@retouch/provider-edenai'); probe.done();`,
    cwd: packageDirectory,
  });
  const own = resolutions.filter((resolution) => resolution.parentURL?.startsWith(packageURL));
  // The probe did load the package's source, so the check below is not vacuous.
  expect(resolutions.map((resolution) => resolution.url)).toContain(new URL('src/index.ts', packageURL).href);
  expect(own.filter(isZod)).toEqual([]);
}, 60_000);
