/**
 * A provider Retouch does not ship, added with an adapter of a hundred lines: it gets the
 * dispatcher's rate limits, retries, budget and fallbacks, and sits beside the bundled providers.
 * Here the adapter talks to a local Pixelsmith started by the example itself.
 *
 * Run it against local simulators (no keys, no network): npx pnpm@10 example custom-adapter
 */
import { fileURLToPath } from 'node:url';
import { createRetouch, type EditRequest } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';
import { createPixelsmith } from './custom-adapter/pixelsmith-provider.ts';
import { startPixelsmithServer } from './custom-adapter/pixelsmith-server.ts';

const server = await startPixelsmithServer({ apiKey: 'pixelsmith-local-key' });
const pixelsmith = createPixelsmith({ baseURL: server.url, apiKey: 'pixelsmith-local-key' });
const oxen = createOxen({ baseURL: process.env.OXEN_BASE_URL });
const retouch = createRetouch({ providers: [pixelsmith, oxen], retry: { initialDelayMs: 50 } });

const request: EditRequest = {
  model: 'pixelsmith:sketch-1',
  prompt: 'Turn it into a pencil sketch',
  images: [{ path: fileURLToPath(new URL('./assets/photo.png', import.meta.url)) }],
  aspectRatio: '16:9',
  seed: 7,
};

console.log(`estimate: $${(await retouch.estimate(request))?.usd}`);
server.rateLimitNext(1); // the dispatcher retries the 429: it provably did nothing
const result = await retouch.edit(request);
console.log(`${result.model}: ${result.images.length} image, $${result.cost?.usd} (${result.cost?.source})`);
for (const warning of result.warnings) console.log(`warning: ${warning.message}`);
const edits = server.requests.filter((received) => received.path === '/v1/edits');
console.log(`Pixelsmith received ${edits.length} edit requests, the first one refused with 429`);

// The same request on a bundled provider: one string changes.
const onOxen = await retouch.edit({ ...request, model: 'oxen:qwen-image-edit' });
console.log(`${onOxen.model}: ${onOxen.images.length} image, $${onOxen.cost?.usd} (${onOxen.cost?.source})`);

await retouch.close();
await server.close();
