import type { LaneLimits } from '@retouch/core';

/** How a benchmark worker process is set up. */
export interface QueueWorkerConfig {
  redisUrl: string;
  queue: string;
  /** Workers with the same account share limits and, by default, the budget. */
  account: string;
  provider: 'oxen' | 'edenai';
  simulatorUrl: string;
  apiKey: string;
  oxenMode?: 'sync' | 'queue' | 'sse';
  limits: Record<string, LaneLimits>;
  concurrency: number;
  output: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  budget?: { maxUsd: number; name: string };
}

/** A command from the benchmark. */
export interface QueueWorkerCommand {
  command: 'close';
}

/** A message from a worker process. */
export type QueueWorkerMessage =
  | { type: 'ready'; id: string }
  | { type: 'sent' }
  | { type: 'accepted' }
  | { type: 'settled' }
  | { type: 'closed' };
