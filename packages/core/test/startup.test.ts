import { execFile } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { isZod, probeModules, type Resolution } from '../../../scripts/lib/module-probe.ts';

const run = promisify(execFile);

test("importing @retouch/core does not load Node's fetch implementation; the first request does", async () => {
  // A program that imports Retouch and has not sent anything should not pay for the HTTP stack at
  // start-up. Node lists the internal modules it has loaded; its fetch lives in undici.
  const script = `
    await import('@retouch/core');
    const kit = await import('@retouch/core/provider-utils');
    const atImport = process.moduleLoadList.some((name) => name.includes('undici'));
    const http = kit.createHttpClient({ provider: 'probe', baseURL: 'http://127.0.0.1:9', apiKey: 'probe-key-123456' });
    await http.request({ method: 'GET', path: '/' }).catch(() => undefined);
    const afterRequest = process.moduleLoadList.some((name) => name.includes('undici'));
    console.log(JSON.stringify({ atImport, afterRequest }));
  `;
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@retouch/source', '--input-type=module', '--eval', script],
    { cwd: fileURLToPath(new URL('..', import.meta.url)) },
  );
  expect(JSON.parse(stdout.trim())).toEqual({ atImport: false, afterRequest: true });
});

/*
 * Nothing the first call does not need is built at import: zod (about 50 ms and 15 MiB on Node) loads
 * with the first call that checks a request. The probe imports core and both providers in a fresh
 * process and records every module it resolves.
 */
const packagesDirectory = fileURLToPath(new URL('../../', import.meta.url));
const entry = (name: string, file = 'index') =>
  pathToFileURL(`${packagesDirectory}${name}/src/${file}.ts`).href;

/** Runs `code` after importing core (as `core`) and both providers: what was resolved before and after. */
async function resolvedAround(code: string): Promise<{ atImport: Resolution[]; afterCall: Resolution[] }> {
  const { resolutions, extra } = await probeModules<number>({
    code: `
      const core = await import(${JSON.stringify(entry('core'))});
      const kit = await import(${JSON.stringify(entry('core', 'provider-utils'))});
      await import(${JSON.stringify(entry('provider-oxen'))});
      await import(${JSON.stringify(entry('provider-edenai'))});
      const atImport = probe.resolutions.length;
      ${code}
      probe.done(atImport);
    `,
    cwd: packagesDirectory,
  });
  return { atImport: resolutions.slice(0, extra), afterCall: resolutions };
}

test('importing core and both providers loads no zod; the first call that checks a request does', async () => {
  const { atImport, afterCall } = await resolvedAround(`
    await kit.normalizeEditRequest({ model: 'oxen:qwen-image-edit', prompt: 'add a hat', images: ['https://example.com/cat.png'] });
  `);
  // The probe did import the three packages (a broken probe would see nothing at all).
  expect(atImport.some(({ url }) => url.endsWith('/core/src/dispatcher/create-retouch.ts'))).toBe(true);
  expect(atImport.some(({ url }) => url.endsWith('/provider-oxen/src/index.ts'))).toBe(true);
  expect(atImport.filter(isZod)).toEqual([]);
  expect(afterCall.some(isZod)).toBe(true);
});

test('creating a client with every option checked still loads no zod', async () => {
  const { afterCall } = await resolvedAround(`
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

const isOpenTelemetry = ({ url }: Resolution): boolean => url.includes('/@opentelemetry/');

test('with the OpenTelemetry API installed and no SDK registered, neither the import nor an edit loads it', async () => {
  const { atImport, afterCall } = await resolvedAround(`
    const retouch = core.createRetouch({
      providers: [
        {
          id: 'fake',
          specificationVersion: 2,
          edit: async () => ({ images: [kit.createGeneratedImage({ provider: 'fake', base64: 'iVBORw0KGgo=' })], warnings: [], raw: {} }),
        },
      ],
      logger: { info() {}, warn() {} },
    });
    await retouch.edit({ model: 'fake:model', prompt: 'add a hat', images: ['https://example.com/cat.png'] });
    await retouch.close();
  `);
  expect(import.meta.resolve('@opentelemetry/api')).toContain('/@opentelemetry/api/');
  expect(atImport.filter(isOpenTelemetry)).toEqual([]);
  expect(afterCall.filter(isOpenTelemetry)).toEqual([]);
});
