/**
 * One `@retouch/queue` worker in its own process, for the distributed benchmark. The parent passes its
 * settings as JSON and talks to it over IPC (see queue-worker-process.ts): `ready` once it takes jobs,
 * `sent` as an edit's billable request leaves, `accepted` when the provider accepted one as a job,
 * `settled` when one ends. `close` closes it gracefully; a disconnected parent ends it.
 */
import { createEdenAI } from '@retouch/provider-edenai';
import { createOxen } from '@retouch/provider-oxen';
import { createEditWorker } from '@retouch/queue';
import type { QueueWorkerCommand, QueueWorkerConfig, QueueWorkerMessage } from './queue-worker-protocol.ts';

const config = JSON.parse(process.argv[2] ?? '{}') as QueueWorkerConfig;
const send = (message: QueueWorkerMessage): void => {
  if (process.connected) process.send?.(message);
};

/** Billable submissions: Oxen's queue and sync edit, Eden AI's edit. */
const BILLABLE = /\/(api\/ai\/queue|api\/ai\/images\/edit|v3\/images\/edits)$/;
// Tells the benchmark when a billable request leaves this process, so it can kill it with edits
// truly in flight at the provider.
const instrumented: typeof fetch = (input, init) => {
  const request = input instanceof Request ? input : undefined;
  const method = init?.method ?? request?.method ?? 'GET';
  const url = new URL(request?.url ?? String(input));
  if (method === 'POST' && BILLABLE.test(url.pathname)) send({ type: 'sent' });
  return fetch(input, init);
};

const provider =
  config.provider === 'oxen'
    ? createOxen({
        baseURL: config.simulatorUrl,
        apiKey: config.apiKey,
        mode: config.oxenMode ?? 'queue',
        pollIntervalMs: 100,
        maxPollIntervalMs: 200,
        fetch: instrumented,
      })
    : createEdenAI({ baseURL: config.simulatorUrl, apiKey: config.apiKey, fetch: instrumented });

const worker = createEditWorker({
  connection: config.redisUrl,
  name: config.queue,
  account: config.account,
  providers: [provider],
  concurrency: config.concurrency,
  output: config.output,
  lockDurationMs: config.lockDurationMs,
  stalledIntervalMs: config.stalledIntervalMs,
  handleSignals: false,
  retouch: {
    limits: config.limits,
    ...(config.budget ? { budget: config.budget } : {}),
    onProgress: (event) => {
      if (event.type === 'status' && event.providerJobId) send({ type: 'accepted' });
      if (event.type === 'succeeded' || event.type === 'failed') send({ type: 'settled' });
    },
  },
});
await worker.ready();
send({ type: 'ready', id: worker.id });

let closing: Promise<void> | undefined;
const close = (): Promise<void> => {
  closing ??= worker.close().then(() => {
    send({ type: 'closed' });
    if (process.connected) process.disconnect();
  });
  return closing;
};
process.on('message', (raw) => {
  if ((raw as QueueWorkerCommand).command === 'close') void close();
});
// Never outlive the benchmark.
process.on('disconnect', () => {
  void close();
});
