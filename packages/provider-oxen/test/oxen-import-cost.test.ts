import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { isZod, probeModules, type Resolution } from '../../../scripts/lib/module-probe.ts';
import { simulator } from './helpers.ts';

/*
 * Importing the provider must not load zod (about 50 ms and 15 MiB on a cold start): its own modules
 * reach zod only through the first call that needs it. Each check runs in a fresh Node process that
 * records every module resolution, with the module that asked for it. Core's own modules are left out:
 * what they load is core's business.
 */

const packageDir = new URL('../', import.meta.url);

/** The resolutions the probe recorded, and what its code handed to `probe.done()`. */
async function probe<Extra>(code: string, env: Record<string, string> = {}) {
  return probeModules<Extra>({ code, cwd: fileURLToPath(packageDir), env });
}

/** The resolutions asked for by the provider's own modules. */
function fromProvider(resolutions: Resolution[]): Resolution[] {
  return resolutions.filter((resolution) => resolution.parentURL?.startsWith(packageDir.href));
}

describe('import cost', () => {
  test('importing @retouch/provider-oxen loads no zod from the provider', async () => {
    const { resolutions } = await probe(`
      await import('@retouch/provider-oxen');
      probe.done();
    `);
    const own = fromProvider(resolutions);
    // The probe saw the provider's modules: the check below is not vacuous.
    expect(own.some((resolution) => resolution.url.endsWith('/src/oxen-provider.ts'))).toBe(true);
    expect(own.filter(isZod)).toEqual([]);
  });

  test('the first edit loads zod, and the edit succeeds', async () => {
    const sim = await simulator();
    const { resolutions, extra } = await probe<{ atImport: number; images: number; url: string }>(
      `
      const { createOxen } = await import('@retouch/provider-oxen');
      const atImport = probe.resolutions.length;
      const { createRetouch } = await import('@retouch/core');
      const oxen = createOxen({ baseURL: process.env.PROBE_BASE_URL, events: { lingerMs: 0 } });
      const retouch = createRetouch({ providers: [oxen] });
      const edited = await retouch.edit({
        model: 'oxen:qwen-image-edit',
        prompt: 'hat',
        images: ['https://example.com/photo.png'],
      });
      await retouch.close();
      probe.done({ atImport, images: edited.images.length, url: edited.images[0].url });
    `,
      { OXEN_API_KEY: sim.apiKey, PROBE_BASE_URL: sim.url },
    );
    expect(extra.images).toBe(1);
    expect(extra.url).toMatch(/^http/);
    expect(fromProvider(resolutions.slice(0, extra.atImport)).filter(isZod)).toEqual([]);
    expect(fromProvider(resolutions.slice(extra.atImport)).filter(isZod)).not.toEqual([]);
  });
});
