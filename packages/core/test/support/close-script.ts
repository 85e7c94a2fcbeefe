/**
 * Run by dispatcher-close.test.ts in a child process: it leaves the client with every kind of pending
 * work (a lane paused by a 429, a request waiting behind it, a submitted provider job, an edit waiting
 * on a provider job with a long deadline, adapters holding handles), calls close(), and prints what
 * happened. It must then exit by itself: any timer, socket or stream left open keeps it alive.
 */
import { createRetouch, type EditRequest, JobCancelledError } from '@retouch/core';
import { createFakeProvider, FakeJobBackend, failures } from './fake-provider.ts';

const backend = new FakeJobBackend({ queueMs: 10, durationMs: 60 * 60 * 1000 });
const queue = createFakeProvider({
  id: 'queue',
  jobs: true,
  prefersJobs: true,
  pollIntervalMs: 50,
  backend,
  holdsHandle: true,
});
const events = createFakeProvider({
  id: 'events',
  jobs: true,
  prefersJobs: true,
  watch: true,
  backend,
  holdsHandle: true,
});
const sync = createFakeProvider({ id: 'sync', holdsHandle: true });
sync.script('edit', 'ok', failures.rateLimited({ provider: 'sync', retryAfterMs: 10 * 60 * 1000 }));

const retouch = createRetouch({ providers: [queue, events, sync], limits: { sync: { concurrency: 1 } } });
const request = (model: string): EditRequest => ({
  model,
  prompt: 'add a hat',
  images: ['https://example.com/cat.png'],
});

const settled = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'fulfilled',
    (error: unknown) => (JobCancelledError.isInstance(error) ? 'JobCancelledError' : String(error)),
  );

await retouch.edit(request('sync:model-a'));
const throttled = settled(retouch.edit(request('sync:model-a')));
const behind = settled(retouch.edit(request('sync:model-a'), { priority: -1 }));
const submitted = await retouch.submit(request('queue:model-a'));
const submittedOutcome = settled(submitted.result());
const waiting = settled(retouch.edit({ ...request('queue:model-a'), timeoutMs: 60 * 60 * 1000 }));
const streamed = settled(retouch.edit(request('events:model-a')));
await new Promise((resolve) => setTimeout(resolve, 150));
const before = retouch.stats();

await retouch.close();
let afterClose = 'no error';
try {
  await retouch.edit(request('sync:model-a'));
} catch (error) {
  afterClose = (error as Error).message;
}

const jobs = [...backend.jobs.values()];
console.log(
  JSON.stringify({
    before: { queued: before.queued, running: before.running, pausedForMs: before.lanes.sync?.pausedForMs },
    outcomes: {
      throttled: await throttled,
      behind: await behind,
      submitted: await submittedOutcome,
      waiting: await waiting,
      streamed: await streamed,
    },
    submittedJobCancelled: backend.jobs.get(submitted.providerJobId!)?.cancelled,
    editJobsCancelled: jobs.filter((job) => job.id !== submitted.providerJobId).map((job) => job.cancelled),
    adaptersClosed: [queue.closed, events.closed, sync.closed],
    afterClose,
  }),
);
