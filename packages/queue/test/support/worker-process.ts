import { fileURLToPath } from 'node:url';
import { killReadyChildren, type ReadyChild, startReadyChild } from '../../../../scripts/lib/ready-child.ts';
import type { WorkerChildSettings } from './worker-child.ts';

const script = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

/** A worker running in a child process. */
export type WorkerProcess = ReadyChild;

/** Starts a worker process and waits until it takes jobs. */
export function startWorkerProcess(settings: WorkerChildSettings): Promise<WorkerProcess> {
  return startReadyChild({ script, settings, startTimeoutMs: 15_000 });
}

/** Kills every worker process still running (after a failed test). */
export function killWorkerProcesses(): Promise<void> {
  return killReadyChildren();
}
