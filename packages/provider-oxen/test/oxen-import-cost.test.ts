import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { simulator } from './helpers.ts';

/*
 * Importing the provider must not load zod (about 50 ms and 15 MiB on a cold start): its own modules
 * reach zod only through the first call that needs it. Each check runs in a fresh Node process that
 * records every module resolution, with the module that asked for it. Core's own modules are left out:
 * what they load is core's business.
 */

const packageDir = new URL('../', import.meta.url);
const run = promisify(execFile);

interface Resolution {
  url: string;
  parentURL: string | undefined;
}

/** The resolutions the probe recorded, as `{ [label]: Resolution[] }`, and what else it printed. */
async function probe(code: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const prelude = `
    import { registerHooks } from 'node:module';
    const resolutions = [];
    registerHooks({
      resolve(specifier, context, nextResolve) {
        const resolved = nextResolve(specifier, context);
        resolutions.push({ url: resolved.url, parentURL: context.parentURL });
        return resolved;
      },
    });
  `;
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@retouch/source', '--input-type=module', '-e', prelude + code],
    { cwd: fileURLToPath(packageDir), env: { ...process.env, ...env }, timeout: 30_000 },
  );
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** The resolutions asked for by the provider's own modules. */
function fromProvider(resolutions: unknown): Resolution[] {
  return (resolutions as Resolution[]).filter((resolution) =>
    resolution.parentURL?.startsWith(packageDir.href),
  );
}

const loadsZod = (resolution: Resolution): boolean => resolution.url.includes('/zod/');

describe('import cost', () => {
  test('importing @retouch/provider-oxen loads no zod from the provider', async () => {
    const { resolutions } = await probe(`
      await import('@retouch/provider-oxen');
      process.stdout.write(JSON.stringify({ resolutions }));
    `);
    const own = fromProvider(resolutions);
    // The probe saw the provider's modules: the check below is not vacuous.
    expect(own.some((resolution) => resolution.url.endsWith('/src/oxen-provider.ts'))).toBe(true);
    expect(own.filter(loadsZod)).toEqual([]);
  });

  test('the first edit loads zod, and the edit succeeds', async () => {
    const sim = await simulator();
    const result = await probe(
      `
      const { createOxen } = await import('@retouch/provider-oxen');
      const atImport = resolutions.length;
      const { createRetouch } = await import('@retouch/core');
      const oxen = createOxen({ baseURL: process.env.PROBE_BASE_URL, events: { lingerMs: 0 } });
      const retouch = createRetouch({ providers: [oxen] });
      const edited = await retouch.edit({
        model: 'oxen:qwen-image-edit',
        prompt: 'hat',
        images: ['https://example.com/photo.png'],
      });
      await retouch.close();
      process.stdout.write(JSON.stringify({
        atImport: resolutions.slice(0, atImport),
        afterImport: resolutions.slice(atImport),
        images: edited.images.length,
        url: edited.images[0].url,
      }));
    `,
      { OXEN_API_KEY: sim.apiKey, PROBE_BASE_URL: sim.url },
    );
    expect(result.images).toBe(1);
    expect(result.url).toMatch(/^http/);
    expect(fromProvider(result.atImport).filter(loadsZod)).toEqual([]);
    expect(fromProvider(result.afterImport).filter(loadsZod)).not.toEqual([]);
  });
});
