/**
 * See what each model changed: the same masked edit on three models, each output measured against
 * the input (how much of the mask it edited, how much it leaked outside it, how similar the rest
 * stayed), ranked by leak, with an HTML report to look at.
 *
 * Run it against local simulators (no keys, no network): npx pnpm@10 example compare-what-changed
 */
import { fileURLToPath } from 'node:url';
import { runCompare } from '@retouch/compare';
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';

const oxen = createOxen({ baseURL: process.env.OXEN_BASE_URL, mode: 'sync' });
const edenai = createEdenAI({ baseURL: process.env.EDENAI_BASE_URL });

const { results, files } = await runCompare({
  providers: [oxen, edenai],
  models: [
    { model: 'edenai:openai/gpt-image-1-mini' },
    { model: 'oxen:gpt-image-2' },
    { model: 'oxen:flux-kontext-dev' },
  ],
  prompt: 'Turn the sky into a starry night; keep the hills as they are',
  images: [{ path: fileURLToPath(new URL('./assets/photo.png', import.meta.url)) }],
  // White where the edit may happen: the sky, the top 30 rows.
  mask: { path: fileURLToPath(new URL('./assets/photo-mask.png', import.meta.url)) },
  budgetUsd: 2,
  outDir: '.retouch-out/compare-what-changed',
});
await oxen.close();

const percent = (share: number | undefined) => (share === undefined ? '–' : `${(share * 100).toFixed(1)}%`);
const ranked = [...results.rows].sort(
  (left, right) => (left.measures?.maskLeak ?? Infinity) - (right.measures?.maskLeak ?? Infinity),
);
console.log('model                              coverage  leak     similarity  cost/image');
for (const row of ranked) {
  const measures = row.measures;
  console.log(
    `${row.label.padEnd(35)}${percent(measures?.maskCoverage).padEnd(10)}${percent(measures?.maskLeak).padEnd(9)}${(measures?.keptSimilarity?.toFixed(3) ?? '–').padEnd(12)}$${row.costPerImageUsd?.toFixed(4) ?? '?'}`,
  );
}
console.log(`kept the rest best: ${ranked[0]?.label}`);
console.log(`report: ${files.report}`);
