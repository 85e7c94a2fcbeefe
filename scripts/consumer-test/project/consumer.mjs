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

  // The zod schemas, from their own entry; the edits above loaded the same module on first use.
  const { editResultSchema } = await import('@retouch/core/schemas');
  const saved = editResultSchema.parse(JSON.parse(JSON.stringify(await retouch.edit(request))));
  console.log(`@retouch/core/schemas: a serialized result of ${saved.model} parses`);
} finally {
  await retouch.close();
  await Promise.all([oxenSimulator.close(), edenaiSimulator.close()]);
}

// @retouch/ai-sdk with its peer @ai-sdk/provider from the registry: an AI SDK image model (written by
// hand here, as a provider package would) as a Retouch provider, and the client back as an AI SDK model.
const { createRetouchProvider, fromImageModel } = await import('@retouch/ai-sdk');
const model = {
  specificationVersion: 'v4',
  provider: 'example.image',
  modelId: 'echo-1',
  maxImagesPerCall: 1,
  async doGenerate(options) {
    return {
      images: [options.files[0].data],
      warnings: [],
      response: { timestamp: new Date(), modelId: 'echo-1', headers: undefined },
    };
  },
};
const bridged = createRetouch({
  providers: [fromImageModel(model, { id: 'example', prices: { perImageUsd: 0.01 } })],
});
try {
  const image = createRetouchProvider(bridged).image('example:echo-1');
  const generated = await image.doGenerate({
    prompt: 'echo',
    files: [{ type: 'file', mediaType: 'image/png', data: png }],
    n: 1,
    providerOptions: {},
  });
  const cost = generated.providerMetadata.retouch.cost;
  if (generated.images.length !== 1 || cost.usd !== 0.01)
    throw new Error(`@retouch/ai-sdk: unexpected ${JSON.stringify(cost)}`);
  console.log(`example:echo-1 through @retouch/ai-sdk both ways: 1 image, $${cost.usd} (${cost.source})`);
} finally {
  await bridged.close();
}
