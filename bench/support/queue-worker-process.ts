import type { ChildProcess } from 'node:child_process';
import { endChild, forkTypeScript, nextMessage } from './children.ts';
import type { QueueWorkerConfig, QueueWorkerMessage } from './queue-worker-protocol.ts';

/** A queue worker running in a child process. */
export interface QueueWorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Billable requests it sent, that the provider accepted as jobs, and that settled, so far. */
  readonly counts: { sent: number; accepted: number; settled: number };
  /** Closes it gracefully (as SIGTERM would), or kills it if it does not exit in time. */
  close(): Promise<void>;
  /** kill -9. */
  kill(): Promise<void>;
}

const childFile = new URL('./queue-worker-child.ts', import.meta.url);

/** Starts a worker process and waits until it takes jobs. */
export async function startQueueWorker(config: QueueWorkerConfig): Promise<QueueWorkerProcess> {
  const child = forkTypeScript({ file: childFile, args: [JSON.stringify(config)] });
  const counts = { sent: 0, accepted: 0, settled: 0 };
  child.on('message', (raw) => {
    const message = raw as QueueWorkerMessage;
    if (message.type === 'sent') counts.sent++;
    if (message.type === 'accepted') counts.accepted++;
    if (message.type === 'settled') counts.settled++;
  });
  const ready = await nextMessage({
    child,
    what: 'queue worker',
    timeoutMs: 30_000,
    accept: (message) =>
      (message as QueueWorkerMessage).type === 'ready' ? (message as { id: string }) : undefined,
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    id: ready.id,
    child,
    counts,
    close: () =>
      endChild({
        child,
        stop: () => {
          if (child.connected) child.send({ command: 'close' });
        },
        graceMs: 30_000,
      }),
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
