import { fileURLToPath } from 'node:url';
import { killReadyChildren, type ReadyChild, startReadyChild } from '../../scripts/lib/ready-child.ts';
import type { QueueWorkerChildSettings } from './queue-worker-child.ts';

const script = fileURLToPath(new URL('./queue-worker-child.ts', import.meta.url));

/** A queue worker running in a child process. */
export type QueueWorkerProcess = ReadyChild;

/** Starts a worker process with the real node binary and waits until it takes jobs. */
export function startQueueWorker(settings: QueueWorkerChildSettings): Promise<QueueWorkerProcess> {
  return startReadyChild({ script, settings, startTimeoutMs: 20_000 });
}

/** Kills every worker process still running, and waits until they are gone. */
export function killQueueWorkers(): Promise<void> {
  return killReadyChildren();
}

/** Waits until `condition` holds, checking every 20 ms, for at most `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`the condition did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
