/**
 * Compare models on cost and latency for the same edit: first each model's estimate from its
 * published prices (nothing billable is sent), then one real run of each, with the cost the
 * provider reported and the time it took.
 *
 * Run it against local simulators (no keys, no network): npx pnpm@10 example compare-costs
 */
import { fileURLToPath } from 'node:url';
import { createRetouch, type EditRequest, type EditResult } from '@retouch/core';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';

// reportCost: read what Oxen billed for each job instead of estimating it from the price list.
const oxen = createOxen({ baseURL: process.env.OXEN_BASE_URL, reportCost: true });
const edenai = createEdenAI({ baseURL: process.env.EDENAI_BASE_URL });
const retouch = createRetouch({ providers: [oxen, edenai] });

const models = [
  'oxen:qwen-image-edit',
  'oxen:flux-kontext-dev',
  'edenai:openai/gpt-image-1-mini',
  'edenai:google/gemini-2.5-flash-image',
  'edenai:openai/gpt-image-2',
];
const request: Omit<EditRequest, 'model'> = {
  prompt: 'Add a red hot-air balloon in the sky',
  images: [{ path: fileURLToPath(new URL('./assets/photo.png', import.meta.url)) }],
};

// 1. Estimates: free, from the providers' published prices.
const estimates = new Map<string, number | undefined>();
for (const model of models) {
  estimates.set(model, (await retouch.estimate({ ...request, model }))?.usd);
}

// 2. One real edit per model, all at once: each provider's lane applies its own limits.
const results: EditResult[] = [];
for await (const outcome of retouch.editMany(models.map((model) => ({ ...request, model })))) {
  if (outcome.ok) results.push(outcome.result);
  else console.error(`${outcome.request.model} failed: ${String(outcome.error)}`);
}

const usd = (value: number | undefined) => (value === undefined ? '?' : `$${value.toFixed(4)}`);
results.sort((left, right) => (left.cost?.usd ?? Infinity) - (right.cost?.usd ?? Infinity));
console.log('model                                   estimate   cost                  time');
for (const result of results) {
  const cost = `${usd(result.cost?.usd)} (${result.cost?.source ?? 'unknown'})`;
  console.log(
    `${result.model.padEnd(40)}${usd(estimates.get(result.model)).padEnd(11)}${cost.padEnd(22)}${result.timings.totalMs} ms`,
  );
}
const cheapest = results[0];
if (cheapest?.cost) console.log(`cheapest: ${cheapest.model} at ${usd(cheapest.cost.usd)} an edit`);
console.log(`spent in total: ${usd(retouch.stats().spentUsd)}`);

await retouch.close();
