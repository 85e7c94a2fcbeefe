/**
 * Importing Retouch builds nothing the first call does not need: zod (about 50 ms and 15 MiB on Node)
 * loads with the first call that checks a request, not at import. A child process records every module
 * it resolves, through Node's module hooks, so the test sees what an import really loads.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';

const packagesDirectory = fileURLToPath(new URL('../../', import.meta.url));
const entry = (name: string) => pathToFileURL(`${packagesDirectory}${name}/src/index.ts`).href;

/** Runs `code` after importing core and both providers; returns the URLs resolved before and after. */
function resolvedModules(code: string): { atImport: string[]; afterCall: string[] } {
  const script = `
    import { registerHooks } from 'node:module';
    const resolved = [];
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const result = nextResolve(specifier, context);
        resolved.push(result.url);
        return result;
      },
    });
    const core = await import(${JSON.stringify(entry('core'))});
    await import(${JSON.stringify(entry('provider-oxen'))});
    await import(${JSON.stringify(entry('provider-edenai'))});
    const atImport = [...resolved];
    ${code}
    process.stdout.write(JSON.stringify({ atImport, afterCall: resolved }));
  `;
  const child = spawnSync(
    process.execPath,
    ['--conditions=@retouch/source', '--input-type=module', '-e', script],
    { encoding: 'utf8', timeout: 30_000, cwd: packagesDirectory },
  );
  if (child.status !== 0) throw new Error(`the probe failed: ${child.stderr}`);
  return JSON.parse(child.stdout) as { atImport: string[]; afterCall: string[] };
}

const isZod = (url: string) => /\/node_modules\/(\.pnpm\/zod@[^/]+\/node_modules\/)?zod\//.test(url);

test('importing core and both providers loads no zod; the first call that checks a request does', () => {
  const { atImport, afterCall } = resolvedModules(`
    await core.normalizeEditRequest({ model: 'oxen:qwen-image-edit', prompt: 'add a hat', images: ['https://example.com/cat.png'] });
  `);
  // The probe did import the three packages (a broken probe would see nothing at all).
  expect(atImport.some((url) => url.endsWith('/core/src/dispatcher/create-retouch.ts'))).toBe(true);
  expect(atImport.some((url) => url.endsWith('/provider-oxen/src/index.ts'))).toBe(true);
  expect(atImport.filter(isZod)).toEqual([]);
  expect(afterCall.some(isZod)).toBe(true);
});

test('creating a client with every option checked still loads no zod', () => {
  const { afterCall } = resolvedModules(`
    core.createRetouch({
      providers: [{ id: 'fake', specificationVersion: 2, edit: async () => ({ images: [] }) }],
      limits: { fake: { concurrency: 2, requestsPerSecond: 5 } },
      retry: { maxRetries: 1 },
      budget: { maxUsd: 1 },
      fallback: ['fake:other'],
      strict: true,
    });
  `);
  expect(afterCall.filter(isZod)).toEqual([]);
});
