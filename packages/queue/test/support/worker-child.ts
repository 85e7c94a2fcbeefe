/**
 * A worker in its own process, for crash and shutdown tests: `node worker-child.ts '<json settings>'`.
 * It prints `ready <worker id>` once it takes jobs, and, on SIGTERM, closes gracefully and must then
 * exit by itself (no process.exit): a handle left open would keep it running.
 */
import { createEditWorker } from '../../src/index.ts';
import { createWireProvider } from './wire-provider.ts';

/** What the parent passes. */
export interface WorkerChildSettings {
  redisUrl: string;
  name: string;
  wireUrl: string;
  jobs: boolean;
  output: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  shutdownGraceMs?: number;
  concurrency?: number;
  /** A budget shared with the test's own workers. */
  budget?: { maxUsd: number; name: string };
}

const settings = JSON.parse(process.argv[2]!) as WorkerChildSettings;
const worker = createEditWorker({
  connection: settings.redisUrl,
  name: settings.name,
  providers: [createWireProvider({ baseURL: settings.wireUrl, jobs: settings.jobs })],
  output: settings.output,
  lockDurationMs: settings.lockDurationMs,
  stalledIntervalMs: settings.stalledIntervalMs,
  concurrency: settings.concurrency ?? 2,
  ...(settings.budget ? { retouch: { budget: settings.budget } } : {}),
  ...(settings.shutdownGraceMs !== undefined ? { shutdownGraceMs: settings.shutdownGraceMs } : {}),
});
await worker.ready();
process.stdout.write(`ready ${worker.id}\n`);
