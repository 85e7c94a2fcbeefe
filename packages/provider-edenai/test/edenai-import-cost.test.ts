import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

/*
 * Importing the package must not load zod: its schemas are loaded with the first call that needs them.
 * A fresh Node process records every module resolution of the import; core may load zod on its own, so
 * only the resolutions made by this package's modules are checked.
 */

const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const packageURL = pathToFileURL(packageDirectory).href;

const probe = `
import { registerHooks } from 'node:module';
const records = [];
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    records.push({ url: resolved.url, parentURL: context.parentURL });
    return resolved;
  },
});
await import('@retouch/provider-edenai');
process.stdout.write(JSON.stringify(records));
`;

test('importing the package resolves no zod module from its own modules', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@retouch/source', '--input-type=module', '-e', probe],
    { cwd: packageDirectory, maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
  );
  const records = JSON.parse(stdout) as { url: string; parentURL?: string }[];
  const own = records.filter((record) => record.parentURL?.startsWith(packageURL));
  // The probe did load the package's source, so the check below is not vacuous.
  expect(records.map((record) => record.url)).toContain(new URL('src/index.ts', packageURL).href);
  expect(own.filter((record) => record.url.includes('/zod/'))).toEqual([]);
}, 60_000);
