import { errorLine, formatDuration, formatUsd } from '@retouch/compare';
import { styles } from '../ansi.ts';
import type { OutputStream } from '../context.ts';
import { createLiveDisplay, spinnerFrame } from '../live-display.ts';
import { doneText, elapsedStamp, retryingText } from '../progress-text.ts';
import type { BatchLineRun } from './journal.ts';

/** Something that happened to one line of a batch. */
export interface BatchProgressEvent {
  /**
   * `started` (sent, or taken by a queue worker), `resumed` (collected from a provider job an earlier
   * run had started), `retrying`, `succeeded`, `failed`; `waiting` says what the batch waits on
   * (no worker on the queue, a lock, a retry delay), for no line in particular.
   */
  type: 'started' | 'resumed' | 'retrying' | 'succeeded' | 'failed' | 'waiting';
  /** The manifest line (0 for `waiting`). */
  line: number;
  /** The `provider:model`. */
  model: string;
  /** For `succeeded`: the latency in milliseconds. */
  latencyMs?: number;
  /** For `succeeded`: the cost, when known. */
  costUsd?: number;
  /** For `failed` and `retrying`: why; for `waiting`: on what. */
  message?: string;
  /** For `retrying`: how long until the next attempt, in milliseconds. */
  delayMs?: number;
}

/** The event that reports a line's settled run, the same for local and queued batches. */
export function settledEvent(options: { line: number; run: BatchLineRun }): BatchProgressEvent {
  const { line, run } = options;
  return run.status === 'succeeded'
    ? {
        type: 'succeeded',
        line,
        model: run.model,
        ...(run.latencyMs !== undefined ? { latencyMs: run.latencyMs } : {}),
        ...(run.costUsd !== undefined ? { costUsd: run.costUsd } : {}),
      }
    : { type: 'failed', line, model: run.model, message: run.error ? errorLine(run.error) : 'unknown error' };
}

/** Shows a batch's progress; see {@link createBatchProgress}. */
export interface BatchProgress {
  /** Records an event and shows it. */
  update(event: BatchProgressEvent): void;
  /** Draws the final state and stops the refresh timer. */
  finish(): void;
}

const BAR_WIDTH = 24;

/**
 * A batch's progress: on a terminal, one bar redrawn in place (done of total, running, failed, spent,
 * elapsed); elsewhere (a CI log, a pipe) one plain line per finished, failed, retried or resumed line.
 *
 * @example
 * const progress = createBatchProgress({ stream: process.stderr, total: 300, settled: 0, interactive: true, color: true });
 * progress.update({ type: 'succeeded', line: 1, model: 'oxen:qwen-image-edit', latencyMs: 1200, costUsd: 0.03 });
 * progress.finish();
 */
export function createBatchProgress(options: {
  stream: OutputStream;
  /** Lines in the manifest. */
  total: number;
  /** Lines already settled by an earlier run. */
  settled: number;
  interactive: boolean;
  color: boolean;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /** Redraw interval on a terminal. @default 100 */
  refreshMs?: number;
}): BatchProgress {
  const now = options.now ?? (() => performance.now());
  const style = styles(options.color);
  const start = now();
  const running = new Set<number>();
  let done = options.settled;
  let failed = 0;
  let spentUsd = 0;
  let drawn = false;

  const bar = (frame: number): string => {
    const ratio = options.total === 0 ? 1 : done / options.total;
    const filled = Math.round(ratio * BAR_WIDTH);
    const symbol = done === options.total ? style.green('✔') : style.cyan(spinnerFrame(frame));
    const parts = [
      `${done}/${options.total}`,
      running.size > 0 ? `${running.size} running` : undefined,
      failed > 0 ? style.red(`${failed} failed`) : undefined,
      spentUsd > 0 ? formatUsd(spentUsd) : undefined,
      formatDuration(now() - start),
    ].filter(Boolean);
    return `${symbol} [${'█'.repeat(filled)}${style.dim('░'.repeat(BAR_WIDTH - filled))}] ${parts.join(' · ')}`;
  };
  const draw = (frame: number): void => {
    options.stream.write(`${drawn ? '\r' : ''}\u001b[2K${bar(frame)}`);
    drawn = true;
  };
  const log = (event: BatchProgressEvent): void => {
    const at = style.dim(elapsedStamp(now() - start));
    const name = `line ${event.line} ${event.model}`;
    if (event.type === 'waiting') {
      options.stream.write(`${at} ${event.message ?? ''}\n`);
      return;
    }
    let text: string | undefined;
    if (event.type === 'succeeded') {
      text = `${doneText({ latencyMs: event.latencyMs ?? 0, costUsd: event.costUsd })} (${done}/${options.total})`;
    } else if (event.type === 'failed') {
      text = `${style.red('failed')}: ${event.message ?? 'unknown error'} (${done}/${options.total})`;
    } else if (event.type === 'retrying') {
      text = retryingText({
        ...(event.message ? { reason: event.message } : {}),
        ...(event.delayMs !== undefined ? { delayMs: event.delayMs } : {}),
      });
    } else if (event.type === 'resumed') {
      text = 'resumed from the provider job an earlier run started';
    }
    if (text !== undefined) options.stream.write(`${at} ${name} ${text}\n`);
  };
  const record = (event: BatchProgressEvent): boolean => {
    if (event.type === 'waiting' && options.interactive) {
      // Printed above the bar, which the display redraws below it.
      options.stream.write(`${drawn ? '\r' : ''}\u001b[2K${style.yellow(event.message ?? '')}\n`);
      drawn = false;
    }
    if (event.type === 'started' || event.type === 'resumed') running.add(event.line);
    if (event.type === 'succeeded' || event.type === 'failed') {
      running.delete(event.line);
      done += 1;
      if (event.type === 'failed') failed += 1;
      spentUsd += event.costUsd ?? 0;
    }
    return true;
  };

  const left = options.total - options.settled;
  return createLiveDisplay({
    stream: options.stream,
    interactive: options.interactive,
    refreshMs: options.refreshMs,
    header: `Running ${left} edit${left === 1 ? '' : 's'}${options.settled > 0 ? ` (${options.settled} of ${options.total} finished by an earlier run)` : ''}\n`,
    footer: '\n',
    record,
    draw,
    log,
  });
}
