/**
 * Edit a batch of 500 pictures under a spending cap, with a progress line. Each edit's estimated
 * cost is reserved before anything is sent, so the cap holds even with many edits in flight: the
 * edits that would cross it are refused with `BudgetExceededError` and never reach the provider.
 *
 * Run it against local simulators (no keys, no network): npx pnpm@10 example batch-under-budget
 */
import { fileURLToPath } from 'node:url';
import { BudgetExceededError, createRetouch, type EditRequest } from '@retouch/core';
import { createOxen } from '@retouch/provider-oxen';

const oxen = createOxen({ baseURL: process.env.OXEN_BASE_URL });
// #region client
const retouch = createRetouch({
  providers: [oxen],
  // Oxen publishes no rate limit: 16 jobs at a time is a polite pace for one account.
  limits: { oxen: { concurrency: 16 } },
  // qwen-image-edit costs $0.03 an edit: $12 pays for 400 of the 500.
  budget: { maxUsd: 12 },
});
// #endregion client

// #region batch
const photo = fileURLToPath(new URL('./assets/photo.png', import.meta.url));
// A generator: editMany takes requests lazily, so a batch of any size never sits in memory at once.
function* requests(): Generator<EditRequest> {
  for (let index = 0; index < 500; index += 1) {
    yield {
      model: 'oxen:qwen-image-edit',
      prompt: `Paint picture ${index} as a watercolor`,
      images: [{ path: photo }],
    };
  }
}

let succeeded = 0;
let refused = 0;
let failed = 0;
for await (const outcome of retouch.editMany(requests())) {
  if (outcome.ok) succeeded += 1;
  else if (BudgetExceededError.isInstance(outcome.error)) refused += 1;
  else {
    failed += 1;
    console.error(`edit ${outcome.index} failed: ${String(outcome.error)}`);
  }
  const done = succeeded + refused + failed;
  if (done % 50 === 0) {
    const { spentUsd, running } = retouch.stats();
    console.log(`${done}/500 settled, ${running} running, $${spentUsd.toFixed(2)} spent`);
  }
}

console.log(`${succeeded} edited, ${refused} refused by the budget, ${failed} failed`);
console.log(`spent $${retouch.stats().spentUsd.toFixed(2)} of $12.00`);
// #endregion batch
await retouch.close();
