/**
 * A queue worker on the Oxen simulator in its own process, for the crash tests with a budget:
 * `node queue-worker-child.ts '<json settings>'`. It prints `ready <worker id>` once it takes jobs; on
 * SIGTERM it closes gracefully, handing back what it can, and exits by itself.
 */
import { createOxen } from '@retouch/provider-oxen';
import { createEditWorker } from '@retouch/queue';

/** What the parent passes. */
export interface QueueWorkerChildSettings {
  redisUrl: string;
  queueName: string;
  oxenUrl: string;
  oxenApiKey: string;
  output: string;
  budget: { maxUsd: number; name: string };
  lockDurationMs: number;
  stalledIntervalMs: number;
  shutdownGraceMs: number;
  concurrency: number;
  /** How the workers run Oxen edits. @default 'queue' */
  mode?: 'queue' | 'sync';
}

const settings = JSON.parse(process.argv[2]!) as QueueWorkerChildSettings;
const worker = createEditWorker({
  connection: settings.redisUrl,
  name: settings.queueName,
  providers: [
    createOxen({
      apiKey: settings.oxenApiKey,
      baseURL: settings.oxenUrl,
      mode: settings.mode ?? 'queue',
      pollIntervalMs: 50,
      maxPollIntervalMs: 100,
    }),
  ],
  retouch: { budget: settings.budget },
  output: settings.output,
  concurrency: settings.concurrency,
  lockDurationMs: settings.lockDurationMs,
  stalledIntervalMs: settings.stalledIntervalMs,
  shutdownGraceMs: settings.shutdownGraceMs,
});
await worker.ready();
process.stdout.write(`ready ${worker.id}\n`);
