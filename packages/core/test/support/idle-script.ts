/**
 * Run by dispatcher-close.test.ts in a child process: a 429 pauses the lane for ten minutes, and the
 * edit waiting out that pause is aborted. With nothing left to do, the process must exit by itself,
 * without close(): an idle client holds no timer.
 */
import { createRetouch } from '@retouch/core';
import { createFakeProvider, failures } from './fake-provider.ts';

const fake = createFakeProvider();
fake.script('edit', failures.rateLimited({ retryAfterMs: 10 * 60 * 1000 }));
const retouch = createRetouch({ providers: [fake] });
const controller = new AbortController();
const edit = retouch.edit({
  model: 'fake:model-a',
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
  signal: controller.signal,
  timeoutMs: 60 * 60 * 1000,
});
await new Promise((resolve) => setTimeout(resolve, 100));
const paused = retouch.stats().lanes.fake?.pausedForMs ?? 0;
controller.abort(new Error('no longer needed'));
const outcome = await edit.then(
  () => 'fulfilled',
  (error: unknown) => (error as Error).message,
);
console.log(JSON.stringify({ paused, outcome, calls: fake.callsOf('edit').length }));
