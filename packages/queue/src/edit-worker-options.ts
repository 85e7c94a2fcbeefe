import { hostname } from 'node:os';
import { type BudgetOptions, type ProviderAdapter, RetouchError, type RetouchOptions } from '@retouch/core';
import { redact } from '@retouch/core/provider-utils';
import { checkMs, checkName, checkOptionsObject } from './option-checks.ts';
import { directoryOutput, type OutputSink } from './output-sink.ts';
import {
  type RedisConnection,
  type ResolvedRedisConnection,
  resolveRedisConnection,
} from './redis-connection.ts';
import { DEFAULT_PREFIX, DEFAULT_QUEUE_NAME } from './redis-keys.ts';

/** Where outputs go when a worker is given no `output`: a directory under the working directory. */
export const DEFAULT_OUTPUT_DIRECTORY = '.retouch-out/queue';

/**
 * The Retouch client options of a worker: those of `createRetouch()`, except that the shared limits
 * and the budget's store are the worker's (kept in Redis), and the budget can be named.
 */
export interface EditWorkerRetouchOptions
  extends Pick<RetouchOptions, 'limits' | 'retry' | 'fallback' | 'strict' | 'onProgress'> {
  /**
   * A spending cap shared by every worker of the account (a ledger kept atomically in Redis): an edit
   * that could take spent plus possibly billed plus reserved past `maxUsd` fails with
   * `BudgetExceededError` before anything is sent. A job's hold is the job's: a worker taking it over
   * inherits it, and the worker that resumes it settles it, once.
   */
  budget?: Omit<BudgetOptions, 'store'> & {
    /** The budget's name in Redis; workers with the same name share it. @default the account */
    name?: string;
  };
}

/**
 * Options of {@link createEditWorker}.
 *
 * @example
 * const options: EditWorkerOptions = {
 *   connection: 'redis://127.0.0.1:6379',
 *   providers: [createEdenAI()],
 *   retouch: { limits: { edenai: { requestsPerSecond: 10, concurrency: 8 } }, budget: { maxUsd: 100 } },
 *   concurrency: 8,
 *   output: '/mnt/shared/edits',
 * };
 */
export interface EditWorkerOptions {
  /** The Redis of the queue. */
  connection: RedisConnection;
  /** The queue to serve. @default 'retouch-edits' */
  name?: string;
  /** The first part of every Redis key; the same as the queue's. @default 'retouch' */
  prefix?: string;
  /** The provider adapters edits run on. */
  providers: readonly ProviderAdapter[];
  /**
   * Limits, retries, fallbacks, strict mode and a budget, as for `createRetouch()`. `limits` are the
   * account's: every worker of the account should be given the same.
   */
  retouch?: EditWorkerRetouchOptions;
  /**
   * The name the providers' limits (and, by default, the budget) are shared under: workers with the
   * same account share one request window, one concurrency and one budget per provider account,
   * whatever queue they serve.
   * @default the queue's name
   */
  account?: string;
  /** Jobs this worker runs at once. @default 4 */
  concurrency?: number;
  /**
   * Where output images go: a directory (every file written whole, named `<jobId>-<n>.<ext>`), or a
   * function that stores one image and returns its path or URL (an object store: providers' URLs expire).
   * @default '.retouch-out/queue' under the working directory
   */
  output?: string | OutputSink;
  /**
   * Send again an edit whose earlier worker stopped after sending its billable request and before
   * recording the provider's answer. It may then be paid for twice: the budget counts the resend as a
   * new edit, and the first send's estimate stays counted as possibly billed. Without it the provider's
   * records are asked first (`retouch.findLostEdit`, for providers that keep them): an edit found there
   * is resumed, one the provider never received is sent, and any other fails with
   * {@link PossiblyBilledError}.
   * @default false
   */
  resendPossiblyBilled?: boolean;
  /**
   * On `close()` (and SIGTERM), how long jobs in flight may take to finish before the worker stops
   * waiting for those it can hand over: a job the provider accepted (its snapshot is in the queue) or
   * one not yet sent goes back to the queue, and another worker resumes it. An edit whose billable
   * request is in flight is always waited for.
   * @default 25000
   */
  shutdownGraceMs?: number;
  /** Close gracefully on SIGTERM and SIGINT (a second signal exits at once). @default true */
  handleSignals?: boolean;
  /**
   * How long a job stays with a worker that stopped answering (a crash) before another worker takes
   * it over; also how long a stopped worker's call slots keep counting. (Budget holds are the jobs':
   * the worker taking a job over inherits its hold.)
   * @default 30000
   */
  lockDurationMs?: number;
  /** How often workers look for jobs whose worker stopped. @default 30000 */
  stalledIntervalMs?: number;
  /** Hears errors of the worker's connection to Redis. @default a line on stderr */
  onError?: (error: Error) => void;
}

/** {@link EditWorkerOptions} checked, with their defaults. */
export interface EditWorkerSettings {
  /** The connection as given: the shared limits and the budget store open their own. */
  readonly connectionOption: RedisConnection;
  readonly connection: ResolvedRedisConnection;
  readonly name: string;
  readonly prefix: string;
  readonly account: string;
  readonly providers: readonly ProviderAdapter[];
  readonly retouch: EditWorkerRetouchOptions;
  /** The budget's name in Redis, when there is a budget. */
  readonly budgetName: string | undefined;
  readonly concurrency: number;
  readonly shutdownGraceMs: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly output: OutputSink;
  readonly resendPossiblyBilled: boolean;
  readonly handleSignals: boolean;
  readonly onError: (error: Error) => void;
  /** This worker's id: host, process and a random part. */
  readonly id: string;
}

/** Checks the options of `createEditWorker()` before anything connects, naming the field and the fix. */
export function resolveEditWorkerSettings(options: EditWorkerOptions): EditWorkerSettings {
  const where = 'createEditWorker:';
  checkOptionsObject(options, { where, shape: '{ connection, providers, ... }' });
  const connection = resolveRedisConnection(options.connection, `${where} connection`);
  const name = checkName(options.name ?? DEFAULT_QUEUE_NAME, `${where} name`);
  const prefix = checkName(options.prefix ?? DEFAULT_PREFIX, `${where} prefix`);
  const account = checkName(options.account ?? name, `${where} account`);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1_000) {
    throw new RetouchError({
      message: `${where} concurrency must be a whole number of jobs from 1 to 1000, got ${String(concurrency)}`,
    });
  }
  const shutdownGraceMs = checkMs(options.shutdownGraceMs ?? 25_000, `${where} shutdownGraceMs`, 0);
  const lockDurationMs = checkMs(options.lockDurationMs ?? 30_000, `${where} lockDurationMs`, 1_000);
  const stalledIntervalMs = checkMs(options.stalledIntervalMs ?? 30_000, `${where} stalledIntervalMs`, 100);
  const output = resolveOutput({ output: options.output, where });
  const retouch = options.retouch ?? {};
  if (typeof retouch !== 'object') {
    throw new RetouchError({ message: `${where} retouch must be an object of createRetouch() options` });
  }
  for (const key of Object.keys(retouch)) {
    if (['providers', 'sharedLimits'].includes(key)) {
      throw new RetouchError({
        message: `${where} retouch.${key} is set by the worker; pass providers at the top level`,
      });
    }
  }
  const budget = retouch.budget;
  const budgetName = budget ? checkName(budget.name ?? account, `${where} retouch.budget.name`) : undefined;
  return {
    connectionOption: options.connection,
    connection,
    name,
    prefix,
    account,
    providers: options.providers,
    retouch,
    budgetName,
    concurrency,
    shutdownGraceMs,
    lockDurationMs,
    stalledIntervalMs,
    output,
    resendPossiblyBilled: options.resendPossiblyBilled ?? false,
    handleSignals: options.handleSignals ?? true,
    onError:
      options.onError ??
      ((error: Error) => {
        process.stderr.write(`@retouch/queue worker ${name}: ${redact(error.message)}\n`);
      }),
    id: `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`,
  };
}

function resolveOutput(options: { output: EditWorkerOptions['output']; where: string }): OutputSink {
  const { output } = options;
  if (output === undefined) return directoryOutput(DEFAULT_OUTPUT_DIRECTORY);
  if (typeof output === 'function') return output;
  if (typeof output === 'string' && output.trim() !== '') return directoryOutput(output);
  throw new RetouchError({
    message: `${options.where} output must be a directory path or a function ({ bytes, fileName, ... }) => Promise<{ path } | { url }>`,
  });
}
