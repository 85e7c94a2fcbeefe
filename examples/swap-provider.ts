/**
 * Swap a provider with one string: the same edit through Oxen.ai and through Eden AI, with the
 * same request, result and error types.
 *
 * Run it against local simulators (no keys, no network): npx pnpm@10 example swap-provider
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRetouch, type EditRequest } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';

// The keys come from OXEN_API_KEY and EDENAI_API_KEY; the base URLs default to the real APIs.
const oxen = createOxen({ baseURL: process.env.OXEN_BASE_URL });
const edenai = createEdenAI({ baseURL: process.env.EDENAI_BASE_URL });
const retouch = createRetouch({ providers: [oxen, edenai] });

const request: EditRequest = {
  model: 'oxen:qwen-image-edit',
  prompt: 'Turn the sky into a sunset',
  images: [{ path: fileURLToPath(new URL('./assets/photo.png', import.meta.url)) }],
};

await mkdir('.retouch-out', { recursive: true });
for (const model of ['oxen:qwen-image-edit', 'edenai:google/gemini-2.5-flash-image']) {
  // Only the model string changes: the request, the result and the errors are the same.
  const result = await retouch.edit({ ...request, model });
  const file = `.retouch-out/${model.replace(/[:/]/g, '-')}.png`;
  await writeFile(file, await result.images[0]!.bytes());
  const cost = result.cost ? `$${result.cost.usd.toFixed(4)} (${result.cost.source})` : 'cost unknown';
  console.log(`${result.model}: ${file}, ${cost}, ${result.timings.totalMs} ms`);
}

await retouch.close();
