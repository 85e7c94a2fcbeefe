/**
 * Compare Oxen.ai, Eden AI and OpenAI direct on one edit, with OpenAI reached through the Vercel AI
 * SDK (`@ai-sdk/openai`) and wrapped as a Retouch provider: one client, one budget, one table. Then
 * the other way round: the same client as an AI SDK provider, for `generateImage`.
 *
 * Run it against local simulators (no keys, no network): npx pnpm@10 example compare-with-ai-sdk
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createOpenAI } from '@ai-sdk/openai';
import { createRetouchProvider, fromImageModel } from '@retouch/ai-sdk';
import { createRetouch, type EditRequest, type EditResult } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { generateImage } from 'ai';

// The keys come from OXEN_API_KEY, EDENAI_API_KEY and OPENAI_API_KEY; the base URLs default to the real APIs.
const oxen = createOxen({ baseURL: process.env.OXEN_BASE_URL });
const edenai = createEdenAI({ baseURL: process.env.EDENAI_BASE_URL });
const openai = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL });

const retouch = createRetouch({
  providers: [
    oxen,
    edenai,
    // Any AI SDK image model becomes a provider. It reports no cost, so the price comes from your list.
    fromImageModel(openai.image('gpt-image-1'), { id: 'openai', prices: { perImageUsd: 0.042 } }),
  ],
  limits: { openai: { requestsPerSecond: 2 } },
  budget: { maxUsd: 1 },
});

const request: Omit<EditRequest, 'model'> = {
  prompt: 'Add a red hot-air balloon in the sky',
  images: [{ path: fileURLToPath(new URL('./assets/photo.png', import.meta.url)) }],
};
const models = ['oxen:qwen-image-edit', 'edenai:openai/gpt-image-1', 'openai:gpt-image-1'];

await mkdir('.retouch-out/compare-with-ai-sdk', { recursive: true });
const results: EditResult[] = [];
for await (const outcome of retouch.editMany(models.map((model) => ({ ...request, model })))) {
  if (!outcome.ok) {
    console.error(`${outcome.request.model} failed: ${String(outcome.error)}`);
    continue;
  }
  results.push(outcome.result);
  const file = `.retouch-out/compare-with-ai-sdk/${outcome.result.model.replace(/[:/]/g, '-')}.png`;
  await writeFile(file, await outcome.result.images[0]!.bytes());
}

results.sort(
  (left, right) =>
    (left.cost?.usd ?? Infinity) - (right.cost?.usd ?? Infinity) || left.model.localeCompare(right.model),
);
console.log('model                        cost                  time');
for (const result of results) {
  const cost = result.cost ? `$${result.cost.usd.toFixed(4)} (${result.cost.source})` : 'unknown';
  console.log(`${result.model.padEnd(29)}${cost.padEnd(22)}${result.timings.totalMs} ms`);
}
console.log(`spent in total: $${retouch.stats().spentUsd.toFixed(4)} of the $1 budget`);

// The other way round: the same client as an AI SDK provider, for code written against generateImage.
// maxRetries: 0, because the dispatcher already retries what is safe to send again. The AI SDK logs
// warnings to the console by default; this example prints them with the result instead.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
const provider = createRetouchProvider(retouch);
const { images, calls, warnings } = await generateImage({
  model: provider.image('oxen:qwen-image-edit'),
  prompt: { text: 'Make it a watercolour', images: [await oxenOutput(results)] },
  maxRetries: 0,
});
const metadata = calls[0]?.providerMetadata?.retouch as { cost: { usd: number; source: string } } | undefined;
console.log(
  `generateImage via Retouch: ${images.length} image, $${metadata?.cost.usd.toFixed(4)} (${metadata?.cost.source})`,
);
for (const warning of warnings) {
  const text = 'feature' in warning ? (warning.details ?? warning.feature) : warning.message;
  console.log(`  warning: ${text}`);
}

await retouch.close();

/** Oxen's picture from the comparison, to edit once more. */
async function oxenOutput(list: EditResult[]): Promise<Uint8Array> {
  const oxenResult = list.find((result) => result.provider === 'oxen');
  if (!oxenResult) throw new Error('the Oxen edit failed; nothing to edit further');
  return oxenResult.images[0]!.bytes();
}
