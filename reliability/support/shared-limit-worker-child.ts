/**
 * A `@retouch/queue` worker in its own process for the shared-limit test: Eden AI edits under a
 * request window shared through Redis. It loads its modules, says `loaded`, and builds the worker only
 * on `start`, so it is fresh (no round trip measured, no connection open) when its first job comes.
 *
 * With `stallMs`, its event loop is blocked that long by a busy loop, as a loaded machine stalls a
 * process: once right after its first request is handed to fetch (the request then leaves that much
 * after the shared window admitted it) and then every `stallEveryMs`.
 *
 * Messages to the parent: `loaded`, `ready`, `closed`. Commands: `start`, `close`.
 */
import { createEdenAI } from '@retouch/provider-edenai';
import { createEditWorker, type EditWorker } from '@retouch/queue';

/** What the parent passes, as JSON in the first argument. */
export interface SharedLimitWorkerSettings {
  redisUrl: string;
  queue: string;
  account: string;
  simulatorUrl: string;
  apiKey: string;
  requestsPerSecond: number;
  concurrency: number;
  output: string;
  /** How long each stall blocks the event loop; 0 for none. */
  stallMs: number;
  /** How often the event loop stalls after the first request. */
  stallEveryMs: number;
}

const settings = JSON.parse(process.argv[2] ?? '{}') as SharedLimitWorkerSettings;
const send = (message: { type: 'loaded' | 'ready' | 'closed' }): void => {
  if (process.connected) process.send?.(message);
};

function stall(): void {
  const until = performance.now() + settings.stallMs;
  while (performance.now() < until) {
    // blocking on purpose: nothing else in this process runs meanwhile
  }
}

let stalling: ReturnType<typeof setInterval> | undefined;
const stallingFetch: typeof fetch = (input, init) => {
  if (settings.stallMs > 0 && stalling === undefined) {
    // The busy loop runs before the request reaches the socket, which takes a few more turns.
    setTimeout(stall, 0);
    stalling = setInterval(stall, settings.stallEveryMs);
  }
  return fetch(input, init);
};

let worker: EditWorker | undefined;
let closing: Promise<void> | undefined;
const close = (): Promise<void> => {
  closing ??= (async () => {
    clearInterval(stalling);
    await worker?.close();
    send({ type: 'closed' });
    if (process.connected) process.disconnect();
  })();
  return closing;
};

process.on('message', (raw) => {
  const command = (raw as { command?: string }).command;
  if (command === 'close') void close();
  if (command === 'start' && worker === undefined) {
    worker = createEditWorker({
      connection: settings.redisUrl,
      name: settings.queue,
      account: settings.account,
      providers: [
        createEdenAI({ baseURL: settings.simulatorUrl, apiKey: settings.apiKey, fetch: stallingFetch }),
      ],
      concurrency: settings.concurrency,
      output: settings.output,
      handleSignals: false,
      retouch: {
        limits: { edenai: { requestsPerSecond: settings.requestsPerSecond, concurrency: 16 } },
      },
    });
    void worker.ready().then(() => send({ type: 'ready' }));
  }
});
// Never outlive the test.
process.on('disconnect', () => {
  void close();
});
send({ type: 'loaded' });
