import type { Cost } from '../cost.ts';
import type { EditJobSnapshot } from '../edit-job-snapshot.ts';
import type { EditRequest } from '../edit-request.ts';
import type { EditResult } from '../edit-result.ts';
import type { LaneLimits, ModelInfo, ProviderAdapter } from '../provider.ts';
import type { RetouchLogger } from '../telemetry/retouch-logger.ts';
import type { BudgetOptions } from './budget.ts';
import type { EditCheck } from './check-edit.ts';
import type { EditJob } from './edit-job.ts';
import type { EditManyOptions, EditOutcome } from './edit-many.ts';
import type { ProgressEvent, ProgressListener } from './events.ts';
import type { FindLostEditOptions, LostEdit } from './find-lost-edit.ts';
import type { LaneStats } from './lane.ts';
import type { RetryOptions } from './retry.ts';
import type { SharedLimits } from './shared-limits.ts';

/**
 * Options of {@link createRetouch}.
 *
 * @example
 * const retouch = createRetouch({
 *   providers: [oxen, edenai],
 *   limits: { edenai: { concurrency: 4, requestsPerSecond: 10 } },
 *   retry: { maxRetries: 3 },
 *   budget: { maxUsd: 10 },
 *   fallback: ['edenai:google/gemini-2.5-flash-image'],
 * });
 */
export interface RetouchOptions {
  /** The provider adapters; a request goes to the one whose `id` is the prefix of its `model`. */
  providers: readonly ProviderAdapter[];
  /**
   * Lane limits per provider id. Unset values come from the provider's documented limits, else a
   * concurrency of 8. A configured `requestsPerSecond` is kept as a hard limit: starts are spaced by
   * the one-second window plus a 40 ms margin (widened by 10 ms after each 429, up to 100 ms), so
   * network jitter does not push requests into the provider's window. A lane without
   * `requestsPerSecond` adapts to 429s: it slows to 0.7 of its rate
   * (at most once a window) and probes back up by one request a second after a window of successes,
   * starting from (and never probing past) the provider's documented rate when there is one.
   */
  limits?: Readonly<Record<string, LaneLimits>>;
  /** How failed calls are retried. */
  retry?: RetryOptions;
  /** A spending cap, checked before anything is sent. */
  budget?: BudgetOptions;
  /**
   * `provider:model` strings tried in order when the requested model fails for a reason another model
   * could fix (a provider outage, a failed generation, an unsupported option, missing credits), never
   * for an invalid request, a refused budget or a cancellation.
   */
  fallback?: readonly string[];
  /** Refuse, with `UnsupportedFeatureError`, an option the model would drop or adjust, instead of warning. @default false */
  strict?: boolean;
  /**
   * Limits shared with other clients of the same provider accounts, in other processes or on other
   * machines (`@retouch/queue` keeps them in Redis): each provider's request window and concurrency
   * then hold for all the clients together.
   */
  sharedLimits?: SharedLimits;
  /** Receives every job's {@link ProgressEvent}s. */
  onProgress?: ProgressListener;
  /**
   * Where to log what happens to edits: retries, waits over a second at a lane's gate, edits that
   * may have been billed without a result, and fallbacks. `console` and pino loggers fit. Silent
   * when unset; API keys are redacted from every line.
   *
   * @example
   * createRetouch({ providers: [oxen], logger: console });
   */
  logger?: RetouchLogger;
}

/**
 * Options of one `edit()` or `submit()`. The deadline and the abort signal are fields of the request.
 *
 * @example
 * await retouch.edit(request, { priority: 10 }); // ahead of the batch waiting in the same lane
 */
export interface DispatchOptions {
  /** The priority in the provider's lane; higher goes first. @default 0 */
  priority?: number;
  /**
   * The edit's billing identity in the budget's store: the same edit, run or resumed in any process,
   * is counted once under it. A queue passes its job id, a batch its line's content; a key the store
   * already settled is refused, since sending it again would pay twice. Fallback models add `#1`,
   * `#2`, ...
   * @default the job id
   */
  billingKey?: string;
  /**
   * Awaited just before the edit's billable request first leaves: after validation, the estimate,
   * the budget reservation, and the wait in the provider's lane (its slot and rate window), so a crash
   * while the edit waits there is never taken for one that was sent. A queue records here that the
   * edit may be billed from now on. Throwing stops the edit before anything billable leaves, with
   * that error.
   */
  beforeSend?: () => Promise<void> | void;
  /**
   * Awaited once the provider accepted the edit as a job, before the wait for it starts, with the
   * job's snapshot (`job.toJSON()`): persist it here, and a crash can no longer lose a job that may be
   * billed, since `retouch.resume(snapshot)` re-attaches to it. Throwing stops the job and cancels it
   * on the provider. A job whose snapshot this hook stored is left running on the provider when the
   * client closes, as a `submit()` job is, since that snapshot can resume it.
   */
  onProviderJob?: (snapshot: EditJobSnapshot) => Promise<void> | void;
  /**
   * Hears this edit's {@link ProgressEvent}s only (the client's `onProgress` hears every edit's), e.g.
   * to report one queued job's progress.
   */
  onProgress?: ProgressListener;
}

/**
 * Options of `resume()`. The deadline and the signal of the original request belonged to its process.
 *
 * @example
 * const job = retouch.resume(snapshot, { timeoutMs: 10 * 60_000 });
 */
export interface ResumeOptions {
  /** The priority of status reads in the lane. @default 0 */
  priority?: number;
  /** A deadline for the resumed wait, in milliseconds; on expiry the job fails and is cancelled on the provider. */
  timeoutMs?: number;
  /** Aborts the resumed wait and cancels the job on the provider. */
  signal?: AbortSignal;
}

/**
 * What the client has done so far.
 *
 * @example
 * const { succeeded, failed, spentUsd } = retouch.stats();
 */
export interface RetouchStats {
  /** Jobs waiting, in a lane or in a provider's queue. */
  queued: number;
  /** Jobs being sent or run by a provider. */
  running: number;
  /** Jobs that succeeded. */
  succeeded: number;
  /** Jobs that failed (a missed deadline included). */
  failed: number;
  /** Jobs cancelled by `cancel()`, an abort signal, the provider or `close()`. */
  cancelled: number;
  /** Calls retried, over all jobs. */
  retries: number;
  /** Settled so far, in US dollars: reported costs, else estimates. */
  spentUsd: number;
  /**
   * The estimates of edits whose billable request left and which are not settled (in flight, or failed
   * in a way the provider may have billed), in US dollars. A budget counts them as spent.
   */
  possiblyBilledUsd: number;
  /** Held for edits not sent yet, in US dollars. */
  reservedUsd: number;
  /** Each provider lane's limits and state, by provider id. */
  lanes: Record<string, LaneStats>;
}

/**
 * A Retouch client: edits through several providers behind one API, with per-provider rate limits,
 * safe retries, deadlines, a budget and resumable jobs. Create it with {@link createRetouch}.
 */
export interface Retouch {
  /**
   * Runs one edit and resolves with its result. The provider is the prefix of `request.model`.
   * `request.timeoutMs` bounds the whole edit: waiting in the lane, every attempt and the waits between
   * them, the provider's job, and any download the adapter makes before it returns (a later
   * `image.bytes()` is outside it). Rejects with `InvalidRequestError` (before any call) for a bad request, `BudgetExceededError`
   * (before any call) when the budget would be crossed, `TimeoutError` when `request.timeoutMs`
   * passes, the signal's reason when `request.signal` aborts, or the provider's error.
   *
   * @example
   * const result = await retouch.edit({
   *   model: 'oxen:qwen-image-edit',
   *   prompt: 'Make the sky purple',
   *   images: ['https://example.com/photo.jpg'],
   *   timeoutMs: 120_000,
   * });
   * await writeFile('out.png', await result.images[0].bytes());
   */
  edit(request: EditRequest, options?: DispatchOptions): Promise<EditResult>;
  /**
   * Starts an edit as a job and resolves once the provider accepted it, so `job.toJSON()` already holds
   * the provider's job id: save it, and a later process can `resume()` the paid-for work. For providers
   * without jobs the edit runs in this process and the job resolves once the request is validated.
   * Rejects like `edit()` when the edit cannot be started.
   *
   * @example
   * const job = await retouch.submit({ model: 'oxen:qwen-image-edit', prompt: 'Add a hat', images: [url] });
   * await writeFile('job.json', JSON.stringify(job));
   * const result = await job.result();
   */
  submit(request: EditRequest, options?: DispatchOptions): Promise<EditJob>;
  /**
   * Re-attaches to a job saved with `job.toJSON()`, possibly by another process: a provider job is
   * followed to its end (a finished one is read once, for fresh result URLs), a settled job resolves
   * with its saved outcome. Resolves with the job once the snapshot is read; rejects with
   * `InvalidRequestError` for a snapshot it cannot read, an unregistered
   * provider, or a job that ran in its own process (a provider without jobs) and had not finished,
   * which cannot be re-attached. A resumed job does not fall back to other models, and its cost is
   * counted but never refused by the budget: the work was already paid for.
   *
   * @example
   * const job = await retouch.resume(JSON.parse(await readFile('job.json', 'utf8')));
   * const result = await job.result();
   */
  resume(snapshot: EditJobSnapshot | unknown, options?: ResumeOptions): Promise<EditJob>;
  /**
   * Looks an edit up in its provider's own records after the process that sent it stopped before its
   * answer (a queue worker that died): `found` holds a snapshot for `resume()`, which charges the
   * `billingKey` entry once with the provider's cost; `absent` means the provider never received it,
   * so sending it again cannot pay twice; `unknown` says why the records cannot tell. A provider
   * without records (no `findLostEdit` in its adapter) always answers `unknown`. Waits, when the
   * provider's records may not list a request that recent yet. Sends nothing billable.
   *
   * @example
   * const lost = await retouch.findLostEdit(request, { sentAt, billingKey });
   * if (lost.state === 'found') await (await retouch.resume(lost.snapshot)).result();
   */
  findLostEdit(request: EditRequest, options: FindLostEditOptions): Promise<LostEdit>;
  /**
   * Runs many edits and yields each outcome as it settles (completion order; `index` gives the source
   * position). Requests are taken from the source lazily, at most `maxInFlight` ahead of the consumer,
   * so a source of a million requests never becomes a million pending promises. A failed edit is an
   * outcome with `ok: false`, not an exception. Leaving the loop early cancels the edits in flight.
   *
   * @example
   * for await (const outcome of retouch.editMany(requests, { onProgress: (event) => bar.update(event) })) {
   *   if (outcome.ok) await save(outcome.index, outcome.result);
   *   else console.error(outcome.index, outcome.error);
   * }
   */
  editMany(
    requests: Iterable<EditRequest> | AsyncIterable<EditRequest>,
    options?: EditManyOptions,
  ): AsyncIterable<EditOutcome>;
  /**
   * The expected cost of an edit from the provider's published prices, or `undefined` when the
   * provider publishes none for the model. Nothing billable is sent.
   *
   * @example
   * const cost = await retouch.estimate(request);
   * if (cost) console.log(`about $${cost.usd.toFixed(3)}`);
   */
  estimate(request: EditRequest): Promise<Cost | undefined>;
  /**
   * Checks a request as `edit()` would before sending it, and sends nothing billable: the request's
   * fields, then its adapter's preparation (a model's parameter schema, read from the provider's
   * catalogue where the adapter reads one). Throws `InvalidRequestError` (or, in strict mode,
   * `UnsupportedFeatureError`) for what `edit()` would refuse; returns what the model would drop or
   * adjust, as the result's `warnings` would say.
   *
   * @example
   * const { warnings } = await retouch.check(request);
   * for (const warning of warnings) console.warn(warning.message);
   */
  check(request: EditRequest): Promise<EditCheck>;
  /**
   * The edit-capable models of every registered provider (or of one), read from each provider's
   * catalogue through its lane.
   *
   * @example
   * for (const model of await retouch.listModels({ provider: 'oxen' })) console.log(model.id);
   */
  listModels(options?: {
    /** Only this provider's models. */
    provider?: string;
    /** Aborts the reads. */
    signal?: AbortSignal;
  }): Promise<ModelInfo[]>;
  /**
   * Counts of jobs, retries and money so far, and each lane's state.
   *
   * @example
   * console.log(retouch.stats());
   */
  stats(): RetouchStats;
  /**
   * Listens to every job's events; returns the function that stops listening.
   *
   * @example
   * const unsubscribe = retouch.subscribe((event) => console.log(event.type, event.jobId));
   */
  subscribe(listener: ProgressListener): () => void;
  /**
   * Resolves when no job is queued or running.
   *
   * @example
   * for (const request of requests) retouch.submit(request);
   * await retouch.onIdle();
   */
  onIdle(): Promise<void>;
  /**
   * Stops the client and releases every timer, socket and event stream, so the process can exit.
   * Edits in flight reject with `JobCancelledError`; their provider jobs are cancelled, except those of
   * `submit()` and `resume()`, which are left running so a saved snapshot can be resumed later. Calls
   * after `close()` throw. Calling it again returns the same promise.
   *
   * @example
   * process.once('SIGTERM', () => retouch.close());
   */
  close(): Promise<void>;
}
