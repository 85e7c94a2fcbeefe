import { formatDuration } from '@retouch/compare';
import type { BatchProgressEvent } from './batch-progress.ts';
import { QUIET_LIMIT_MS } from './queue-activity-watch.ts';

/**
 * Wraps a batch's progress listener so that no wait goes unsaid: when nothing was shown for
 * {@link QUIET_LIMIT_MS} while edits are in flight, a `waiting` event says how many and for how long
 * nothing has changed (a provider's job still running, a rate limit's pause, a slow answer).
 *
 * @example
 * const quiet = quietNotice({ onProgress: (event) => progress.update(event) });
 * await runBatch({ ..., onProgress: quiet.onProgress });
 * quiet.stop();
 */
export function quietNotice(options: { onProgress: (event: BatchProgressEvent) => void }): {
  onProgress: (event: BatchProgressEvent) => void;
  stop(): void;
} {
  const running = new Map<number, number>();
  let lastShown = performance.now();
  const onProgress = (event: BatchProgressEvent): void => {
    lastShown = performance.now();
    if (event.type === 'started' || event.type === 'resumed') running.set(event.line, lastShown);
    if (event.type === 'succeeded' || event.type === 'failed') running.delete(event.line);
    options.onProgress(event);
  };
  const timer = setInterval(() => {
    const now = performance.now();
    if (running.size === 0 || now - lastShown < QUIET_LIMIT_MS) return;
    const oldest = Math.min(...running.values());
    onProgress({
      type: 'waiting',
      line: 0,
      model: '',
      message: `waiting on the providers: ${running.size} edit${running.size === 1 ? '' : 's'} in flight, the longest for ${formatDuration(now - oldest)}; nothing changed for ${formatDuration(now - lastShown)}`,
    });
  }, 1_000);
  timer.unref?.();
  return { onProgress, stop: () => clearInterval(timer) };
}
