import { formatDuration } from '@retouch/compare';
import { inCliWords } from '../cli-words.ts';
import type { BatchProgressEvent } from './batch-progress.ts';
import { QUIET_LIMIT_MS } from './queue-activity-watch.ts';

/**
 * Wraps a batch's progress listener so that no wait goes unsaid: when nothing was shown for
 * {@link QUIET_LIMIT_MS} while edits are in flight, a `waiting` event says what they wait on: the
 * edits held back by a retry delay, with the time left before the next attempt, and the others
 * waiting on the providers (a job still running, a rate limit's pause, a slow answer), for how long.
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
  // Lines waiting out a retry delay: when the next attempt goes, and why the last one failed.
  const retries = new Map<number, { at: number; reason: string | undefined }>();
  let lastShown = performance.now();
  const onProgress = (event: BatchProgressEvent): void => {
    lastShown = performance.now();
    if (event.type === 'started' || event.type === 'resumed') running.set(event.line, lastShown);
    if (event.type === 'retrying' && event.delayMs !== undefined) {
      retries.set(event.line, { at: lastShown + event.delayMs, reason: event.message });
    }
    if (event.type === 'succeeded' || event.type === 'failed') {
      running.delete(event.line);
      retries.delete(event.line);
    }
    options.onProgress(event);
  };
  const timer = setInterval(() => {
    const now = performance.now();
    if (running.size === 0 || now - lastShown < QUIET_LIMIT_MS) return;
    for (const [line, retry] of retries) if (retry.at <= now) retries.delete(line);
    onProgress({
      type: 'waiting',
      line: 0,
      model: '',
      message: waitingText({ now, lastShown, running, retries }),
    });
  }, 1_000);
  timer.unref?.();
  return { onProgress, stop: () => clearInterval(timer) };
}

/** What the edits in flight wait on, the retry delays first, with the time left. */
function waitingText(options: {
  now: number;
  lastShown: number;
  running: ReadonlyMap<number, number>;
  retries: ReadonlyMap<number, { at: number; reason: string | undefined }>;
}): string {
  const { now, running, retries } = options;
  const parts: string[] = [];
  const next = [...retries].sort(([, left], [, right]) => left.at - right.at)[0];
  if (next) {
    const [line, retry] = next;
    parts.push(
      `${retries.size} edit${retries.size === 1 ? '' : 's'} waiting to be retried, the next (line ${line}) in ${formatDuration(retry.at - now)}${retry.reason ? ` (${inCliWords(retry.reason).split(';')[0]})` : ''}`,
    );
  }
  const waiting = [...running].filter(([line]) => !retries.has(line)).map(([, since]) => since);
  if (waiting.length > 0) {
    parts.push(
      `waiting on the providers: ${waiting.length} edit${waiting.length === 1 ? '' : 's'} in flight, the longest for ${formatDuration(now - Math.min(...waiting))}`,
    );
  }
  parts.push(`nothing changed for ${formatDuration(now - options.lastShown)}`);
  return parts.join('; ');
}
