import { formatDuration, type RunProgressEvent, truncate } from '@retouch/compare';
import { styles, visibleLength } from './ansi.ts';
import type { OutputStream } from './context.ts';
import { createLiveDisplay, spinnerFrame } from './live-display.ts';
import { doneText, elapsedStamp, retryingText } from './progress-text.ts';

/** Shows the progress of a comparison; see {@link createProgressDisplay}. */
export interface ProgressDisplay {
  /** Records an event and shows it (redraws the lines, or writes one). */
  update(event: RunProgressEvent): void;
  /** Draws the final state and stops the refresh timer. */
  finish(): void;
}

type RunState = 'queued' | 'running' | 'succeeded' | 'failed';

interface RowState {
  label: string;
  runs: RunState[];
  retries: number;
  providerStatus: string | undefined;
  startedAt: number | undefined;
  settledAt: number | undefined;
}

/**
 * Live progress per model: on a terminal, one line per model redrawn in place (queued / running /
 * done, elapsed time, retries); elsewhere (a CI log, a pipe) one plain line per start, retry and
 * result, so the log reads top to bottom.
 *
 * @example
 * const display = createProgressDisplay({ stream: process.stderr, labels: ['oxen:qwen-image-edit'], repeat: 1, interactive: process.stderr.isTTY === true, color: true });
 * display.update({ type: 'started', row: 0, repeat: 1 });
 * display.finish();
 */
export function createProgressDisplay(options: {
  stream: OutputStream;
  labels: readonly string[];
  /** Runs per model. */
  repeat: number;
  /** Redraw lines in place (a terminal) instead of appending plain lines. */
  interactive: boolean;
  color: boolean;
  /** Milliseconds clock; injectable for tests. */
  now?: () => number;
  /** Redraw interval on a terminal. @default 100 */
  refreshMs?: number;
}): ProgressDisplay {
  const now = options.now ?? (() => performance.now());
  const style = styles(options.color);
  const start = now();
  const rows: RowState[] = options.labels.map((label) => ({
    label,
    runs: Array.from({ length: options.repeat }, () => 'queued' as RunState),
    retries: 0,
    providerStatus: undefined,
    startedAt: undefined,
    settledAt: undefined,
  }));
  const labelWidth = Math.min(44, Math.max(...options.labels.map((label) => label.length), 5));
  let drawnLines = 0;

  const runName = (event: RunProgressEvent) =>
    `${rows[event.row]?.label ?? `#${event.row}`}${options.repeat > 1 ? ` #${event.repeat}` : ''}`;

  function describe(row: RowState, frame: number): { symbol: string; text: string } {
    const count = (state: RunState) => row.runs.filter((run) => run === state).length;
    const [queued, running, succeeded, failed] = [
      count('queued'),
      count('running'),
      count('succeeded'),
      count('failed'),
    ];
    const total = row.runs.length;
    const parts: string[] = [];
    if (running > 0)
      parts.push(
        `running${total > 1 ? ` ${running}` : ''}${row.providerStatus ? ` (${row.providerStatus})` : ''}`,
      );
    if (queued > 0 && (running > 0 || succeeded + failed > 0)) parts.push(`queued ${queued}`);
    if (queued === total) parts.push('queued');
    if (succeeded > 0) parts.push(total > 1 ? `done ${succeeded}/${total}` : 'done');
    if (failed > 0) parts.push(style.red(total > 1 ? `failed ${failed}/${total}` : 'failed'));
    const settled = succeeded + failed === total;
    const symbol = !settled
      ? running > 0
        ? style.cyan(spinnerFrame(frame))
        : style.dim('·')
      : failed === 0
        ? style.green('✔')
        : succeeded === 0
          ? style.red('✖')
          : style.yellow('!');
    return { symbol, text: parts.join(', ') };
  }

  function line(row: RowState, frame: number): string {
    const { symbol, text } = describe(row, frame);
    const end = row.settledAt ?? now();
    const elapsed = row.startedAt === undefined ? '' : formatDuration(end - row.startedAt);
    const retries =
      row.retries > 0 ? style.yellow(`  ${row.retries} ${row.retries === 1 ? 'retry' : 'retries'}`) : '';
    const label = truncate({ text: row.label, length: labelWidth }).padEnd(labelWidth);
    return `${symbol} ${label}  ${text}${' '.repeat(Math.max(0, 32 - visibleLength(text)))} ${style.dim(elapsed.padStart(7))}${retries}`;
  }

  function draw(frame: number): void {
    const width = Math.max(20, (options.stream.columns ?? 120) - 1);
    const lines = rows.map((row) => clip(line(row, frame), width));
    let output = drawnLines > 0 ? `\u001b[${drawnLines}A` : '';
    for (const text of lines) output += `\u001b[2K${text}\n`;
    options.stream.write(output);
    drawnLines = lines.length;
  }

  function log(event: RunProgressEvent): void {
    let text: string | undefined;
    switch (event.type) {
      case 'started':
        text = 'started';
        break;
      case 'retrying':
        text = retryingText(event);
        break;
      case 'succeeded':
        text = `${doneText({ latencyMs: event.latencyMs ?? 0, costUsd: event.costUsd })}, ${event.images ?? 0} image${event.images === 1 ? '' : 's'}`;
        break;
      case 'failed':
        text = `failed: ${event.message ?? 'unknown error'}`;
        break;
      default:
        text = undefined;
    }
    if (text !== undefined) {
      options.stream.write(`${style.dim(elapsedStamp(now() - start))} ${runName(event)} ${text}\n`);
    }
  }

  function record(event: RunProgressEvent): boolean {
    const row = rows[event.row];
    if (!row) return false;
    const index = event.repeat - 1;
    switch (event.type) {
      case 'queued':
        row.runs[index] = 'queued';
        break;
      case 'started':
        row.runs[index] = 'running';
        row.startedAt ??= now();
        break;
      case 'retrying':
        row.retries += 1;
        break;
      case 'status':
        row.providerStatus = event.status ? event.status : undefined;
        break;
      case 'succeeded':
      case 'failed':
        row.runs[index] = event.type;
        row.startedAt ??= now();
        if (row.runs.every((run) => run === 'succeeded' || run === 'failed')) {
          row.settledAt = now();
          row.providerStatus = undefined;
        }
        break;
    }
    return true;
  }

  const total = rows.length * options.repeat;
  return createLiveDisplay({
    stream: options.stream,
    interactive: options.interactive,
    refreshMs: options.refreshMs,
    header: `Running ${total} edit${total === 1 ? '' : 's'} over ${rows.length} model${rows.length === 1 ? '' : 's'}\n`,
    record,
    draw,
    log,
  });
}

/** Cuts a line to the terminal width so it never wraps (a wrapped line would break the redraw). */
function clip(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let visible = 0;
  let result = '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: splitting on ANSI escapes is the point.
  for (const part of text.split(/(\u001b\[[0-9;]*[A-Za-z])/)) {
    if (part.startsWith('\u001b[')) {
      result += part;
      continue;
    }
    for (const character of part) {
      if (visible >= width - 1) return `${result}…\u001b[0m`;
      result += character;
      visible += 1;
    }
  }
  return result;
}
