import { formatDuration, formatUsd } from '@retouch/compare';
import { inCliWords } from './cli-words.ts';

/**
 * `[ 1.50s]`: the time since a command started, padded so the lines of a log line up.
 *
 * @example
 * elapsedStamp(1500); // '[ 1.50s]'
 */
export function elapsedStamp(milliseconds: number): string {
  return `[${formatDuration(milliseconds).padStart(6)}]`;
}

/**
 * A finished edit: its latency, and its cost when known.
 *
 * @example
 * doneText({ latencyMs: 1500, costUsd: 0.03 }); // 'done in 1.50s, $0.0300'
 */
export function doneText(options: { latencyMs: number; costUsd?: number }): string {
  return `done in ${formatDuration(options.latencyMs)}${options.costUsd !== undefined ? `, ${formatUsd(options.costUsd)}` : ''}`;
}

/**
 * An attempt failed and another follows: its number and delay when known, and why.
 *
 * @example
 * retryingText({ attempt: 2, delayMs: 1000, reason: 'rate limited (429)' }); // 'retrying (attempt 2, in 1.00s): rate limited (429)'
 */
export function retryingText(options: {
  /** The number of the attempt that follows. */
  attempt?: number;
  /** How long until it, in milliseconds. */
  delayMs?: number;
  /** Why, in words. */
  reason?: string;
}): string {
  const details = [
    options.attempt ? `attempt ${options.attempt}` : undefined,
    options.delayMs !== undefined ? `in ${formatDuration(options.delayMs)}` : undefined,
  ].filter(Boolean);
  return `retrying${details.length > 0 ? ` (${details.join(', ')})` : ''}${options.reason ? `: ${inCliWords(options.reason)}` : ''}`;
}
