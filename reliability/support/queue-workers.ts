import { fileURLToPath } from 'node:url';
import { killReadyChildren, type ReadyChild, startReadyChild } from '../../scripts/lib/ready-child.ts';
import type { QueueWorkerChildSettings } from './queue-worker-child.ts';

export { until } from '../../scripts/lib/until.ts';

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
