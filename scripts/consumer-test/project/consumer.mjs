// Plain Node ESM, no TypeScript, no workspace: the packages as installed from their tarballs.
import { createRetouch, InvalidRequestError } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { startEdenAISimulator, startOxenSimulator } from '@retouch/simulator';

// A 1x1 PNG: the picture every edit below changes.
const png = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
    'base64',
  ),
);
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

const oxenSimulator = await startOxenSimulator();
const edenaiSimulator = await startEdenAISimulator();
const retouch = createRetouch({
  providers: [
    createOxen({ baseURL: oxenSimulator.url, apiKey: oxenSimulator.apiKey }),
    createEdenAI({ baseURL: edenaiSimulator.url, apiKey: edenaiSimulator.apiKey }),
  ],
});
try {
  const request = { model: 'oxen:qwen-image-edit', prompt: 'make the sky purple', images: [png] };
  for (const model of ['oxen:qwen-image-edit', 'edenai:openai/gpt-image-2']) {
    const result = await retouch.edit({ ...request, model });
    const bytes = await result.images[0].bytes();
    if (!PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) {
      throw new Error(`${model}: the output is not a PNG`);
    }
    console.log(
      `${result.model}: ${result.images.length} image, $${result.cost?.usd} (${result.cost?.source})`,
    );
  }
  if (oxenSimulator.billableCount !== 1 || edenaiSimulator.billableCount !== 1) {
    throw new Error(
      `expected one paid call per provider, got ${oxenSimulator.billableCount} and ${edenaiSimulator.billableCount}`,
    );
  }

  const refused = await retouch.edit({ ...request, aspect_ratio: '1:1' }).catch((error) => error);
  if (!InvalidRequestError.isInstance(refused) || !refused.message.includes('aspectRatio')) throw refused;
} finally {
  await retouch.close();
  await Promise.all([oxenSimulator.close(), edenaiSimulator.close()]);
}
