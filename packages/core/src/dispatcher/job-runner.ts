import type { Cost } from '../cost.ts';
import { type EditRequest, type NormalizedEditRequest, normalizeEditRequest } from '../edit-request.ts';
import type { EditResult, EditWarning, FailedAttempt } from '../edit-result.ts';
import { ApiCallError } from '../errors/api-call-error.ts';
import { BudgetExceededError } from '../errors/budget-exceeded-error.ts';
import { InsufficientCreditsError } from '../errors/insufficient-credits-error.ts';
import { InvalidRequestError } from '../errors/invalid-request-error.ts';
import { InvalidResponseError } from '../errors/invalid-response-error.ts';
import { JobCancelledError } from '../errors/job-cancelled-error.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { TimeoutError } from '../errors/timeout-error.ts';
import { UnsupportedFeatureError } from '../errors/unsupported-feature-error.ts';
import type { ProviderAdapter, ProviderCall, ProviderEditOutput, ProviderJobStatus } from '../provider.ts';
import { redactValue } from '../secrets.ts';
import type { BudgetLedger } from './budget.ts';
import { delay, type JobStage } from './deadline.ts';
import type { DispatchJob } from './edit-job.ts';
import type { Lane } from './lane.ts';
import { decideRetry, type OperationKind, type ResolvedRetryOptions } from './retry.ts';

/** The first status poll comes this soon (or at the adapter's interval, if shorter); then the wait doubles. */
const FIRST_POLL_MS = 500;
/** The adapter's poll interval when it states none. */
const DEFAULT_POLL_INTERVAL_MS = 2_000;
/**
 * The longest one status read may take. A read is small: one that hangs is better abandoned and sent
 * again than waited on for the HTTP layer's whole per-attempt timeout, which could outlast the job.
 */
const STATUS_READ_TIMEOUT_MS = 15_000;
/** The shortest per-attempt timeout of a status read, however near the deadline. */
const MIN_STATUS_READ_TIMEOUT_MS = 250;
/** The longest wait between failed reads of an accepted job when the adapter polls faster than this. */
const MAX_READ_BACKOFF_MS = 5_000;

/** What the runner needs from the client. */
export interface DispatchContext {
  readonly adapters: ReadonlyMap<string, ProviderAdapter>;
  readonly retry: ResolvedRetryOptions;
  readonly ledger: BudgetLedger;
  readonly strict: boolean;
  lane(provider: string): Lane;
  countRetry(): void;
}

/** One edit to run: the request as given, its validated form, and how to dispatch it. */
export interface EditPlan {
  readonly request: EditRequest;
  readonly primary: NormalizedEditRequest;
  readonly fallback: readonly string[];
  readonly priority: number;
  /** `submit` runs the edit as a provider job whenever the adapter has jobs; `edit` only when it prefers them. */
  readonly mode: 'edit' | 'submit';
  /** Called once the edit is accepted: the provider returned a job id, or (without jobs) it was validated. */
  readonly onAccepted: () => void;
}

/**
 * Drives one job: its attempts on each model (the primary, then the fallbacks), the retries of each
 * call, the provider job and the wait for it, and the budget reservation; then settles the job.
 */
export class JobRunner {
  readonly #context: DispatchContext;
  readonly #job: DispatchJob;

  constructor(options: { context: DispatchContext; job: DispatchJob }) {
    this.#context = options.context;
    this.#job = options.job;
  }

  /** Runs a new edit through its models and settles the job. */
  async run(plan: EditPlan): Promise<void> {
    const job = this.#job;
    const models = [plan.primary.model, ...plan.fallback].filter(
      (model, index, list) => list.indexOf(model) === index,
    );
    const attempts: FailedAttempt[] = [];
    for (const [index, model] of models.entries()) {
      try {
        const normalized =
          index === 0 ? plan.primary : await normalizeEditRequest({ ...plan.request, model });
        job.succeed(await this.#attempt({ plan, normalized, attempts, index }));
        return;
      } catch (error) {
        if (job.control.signal.aborted) {
          job.fail(job.control.signal.reason);
          return;
        }
        const next = models[index + 1];
        if (next === undefined || !canFallBack(error, { primary: index === 0 })) {
          job.fail(
            attempts.length === 0 ? error : withNote(error, { note: `after ${describeAttempts(attempts)}` }),
          );
          return;
        }
        attempts.push(failedAttempt({ model, error }));
        job.attempts = [...attempts];
        job.emit('retrying', {
          reason: `${model} failed (${error instanceof Error ? error.message : String(error)}); falling back to ${next}`,
          delayMs: 0,
          error,
        });
      }
    }
  }

  /**
   * Re-attaches to a provider job started by an earlier process and settles the job with its outcome.
   * When the snapshot already held a result and the provider can no longer be read, that result is used.
   */
  async resume(options: {
    adapter: ProviderAdapter;
    providerJobId: string;
    priority: number;
    stored?: EditResult;
  }): Promise<void> {
    const job = this.#job;
    // The job was accepted by an earlier process, at a moment this one cannot know: without word from
    // the provider, its time running counts from the re-attachment, and the time before as waiting.
    const started: SendState = {
      sent: true,
      sentAt: undefined,
      acceptedAt: Date.now(),
      seenRunningAt: undefined,
    };
    try {
      job.control.stage = 'poll';
      const final = await this.#waitForJob({
        adapter: options.adapter,
        providerJobId: options.providerJobId,
        priority: options.priority,
        checkFirst: true,
        state: started,
      });
      const output = this.#outputOf({ final, providerJobId: options.providerJobId });
      this.#context.ledger.record(output.cost);
      job.succeed(
        buildResult({
          job,
          output,
          warnings: job.warnings,
          attempts: job.attempts,
          estimate: job.estimatedCost,
          state: started,
          providerJobId: options.providerJobId,
        }),
      );
    } catch (error) {
      if (job.control.signal.aborted) job.fail(job.control.signal.reason);
      else if (options.stored) job.succeed(options.stored);
      else job.fail(error);
    }
  }

  /** One model: prepare, estimate and reserve, then send (as a provider job or a one-shot edit). */
  async #attempt(options: {
    plan: EditPlan;
    normalized: NormalizedEditRequest;
    attempts: readonly FailedAttempt[];
    index: number;
  }): Promise<EditResult> {
    const { normalized, plan } = options;
    const context = this.#context;
    const job = this.#job;
    const adapter = context.adapters.get(normalized.provider);
    if (!adapter) {
      throw new InvalidRequestError({
        issues: [
          { path: 'model', message: `no provider "${normalized.provider}" is registered with this client` },
        ],
      });
    }
    const signal = job.control.signal;
    if (options.index > 0) {
      job.setModel({ model: normalized.model, provider: normalized.provider });
      job.setStatus('queued', { reason: `trying ${normalized.model}` });
    }
    const request = forAdapter(normalized);

    signal.throwIfAborted();
    const prepared = adapter.prepare ? await adapter.prepare(request, { signal }) : { warnings: [] };
    if (context.strict) {
      const refused = prepared.warnings.find((warning) => warning.type !== 'other');
      if (refused) {
        throw new UnsupportedFeatureError({
          message: `${normalized.model}: ${refused.message} (strict mode refuses an option the model would drop or adjust; remove "${refused.option}" or turn strict off)`,
          provider: normalized.provider,
          model: normalized.modelId,
          feature: refused.option,
        });
      }
    }
    // Decided before anything is reserved: the adapter reads the request it has just prepared.
    const useJobs =
      adapter.submit !== undefined && (plan.mode === 'submit' || prefersJobs({ adapter, request }));
    const estimate = await this.#estimate({ adapter, request });
    signal.throwIfAborted();
    const reservation = context.ledger.reserve({ model: normalized.model, estimate });
    job.estimatedCost = estimate;
    const warnings: EditWarning[] = [...prepared.warnings];
    if (estimate === undefined && context.ledger.capped) {
      warnings.push({
        type: 'other',
        message: `${normalized.model} publishes no price, so this edit was sent without a cost estimate; its reported cost is counted once known`,
      });
    }
    job.warnings = dedupeWarnings(warnings);

    const state: SendState = {
      sent: false,
      sentAt: undefined,
      acceptedAt: undefined,
      seenRunningAt: undefined,
    };
    const call = {
      request,
      signal,
      ...(job.control.deadline !== undefined ? { deadline: job.control.deadline } : {}),
      idempotencyKey: options.index === 0 ? job.id : `${job.id}-${options.index}`,
    };
    try {
      job.control.stage = 'queue';
      job.emit('queued');
      let output: ProviderEditOutput;
      let providerJobId: string | undefined;
      if (useJobs) {
        const submission = await this.#withRetries({
          adapter,
          operation: 'submission',
          priority: plan.priority,
          state,
          run: (attemptSignal) =>
            adapter.submit!(this.#attemptCall({ call, adapter, signal: attemptSignal })),
        });
        providerJobId = submission.jobId;
        job.warnings = dedupeWarnings([...job.warnings, ...submission.warnings]);
        job.setProviderJob(providerJobId);
        plan.onAccepted();
        job.setStatus('queued', { reason: 'waiting in the provider queue' });
        state.acceptedAt = Date.now();
        job.control.stage = 'poll';
        const final = await this.#waitForJob({
          adapter,
          providerJobId,
          priority: plan.priority,
          checkFirst: false,
          state,
          request,
        });
        output = this.#outputOf({ final, providerJobId });
      } else {
        plan.onAccepted();
        output = await this.#withRetries({
          adapter,
          operation: 'submission',
          priority: plan.priority,
          state,
          run: (attemptSignal) => adapter.edit(this.#attemptCall({ call, adapter, signal: attemptSignal })),
        });
      }
      const cost =
        output.cost ?? (estimate ? { usd: estimate.usd, source: 'estimated' as const } : undefined);
      context.ledger.commit(reservation, { cost });
      return buildResult({
        job,
        output: { ...output, ...(cost ? { cost } : {}) },
        warnings: job.warnings,
        attempts: options.attempts,
        estimate,
        state,
        providerJobId,
      });
    } catch (error) {
      if (!state.sent || provablyFree(error)) context.ledger.release(reservation);
      // The provider may have billed it: the budget counts the estimate as spent rather than risk the cap.
      else context.ledger.commit(reservation, { cost: undefined });
      throw error;
    }
  }

  async #estimate(options: {
    adapter: ProviderAdapter;
    request: NormalizedEditRequest;
  }): Promise<Cost | undefined> {
    const { adapter, request } = options;
    const signal = this.#job.control.signal;
    if (!adapter.estimateCost) return undefined;
    try {
      return await adapter.estimateCost(request, { signal });
    } catch (error) {
      // Without a cap the estimate is only informative, and a failed price lookup must not fail the edit.
      if (this.#context.ledger.capped || signal.aborted) throw error;
      return undefined;
    }
  }

  /** One attempt's call: its own signal, and extra requests paced by the provider's lane. */
  #attemptCall(options: {
    call: Omit<ProviderCall, 'signal'>;
    adapter: ProviderAdapter;
    signal: AbortSignal;
  }): ProviderCall {
    const lane = this.#context.lane(options.adapter.id);
    return { ...options.call, signal: options.signal, paceRequest: () => lane.pace(options.signal) };
  }

  /** Runs one call through the lane, retrying as {@link decideRetry} allows, and reports each retry. */
  #withRetries<T>(options: {
    adapter: ProviderAdapter;
    operation: OperationKind;
    priority: number;
    state?: SendState;
    /** Reads of a job the provider accepted (and may bill): retried until it settles, never given up on a count. */
    acceptedJob?: { providerJobId: string; maxDelayMs: number };
    run: (signal: AbortSignal) => Promise<T>;
  }): Promise<T> {
    const context = this.#context;
    const job = this.#job;
    const control = job.control;
    const waitingStage: JobStage = options.operation === 'read' ? 'poll' : 'queue';
    return retrying({
      retry: context.retry,
      lane: context.lane(options.adapter.id),
      operation: options.operation,
      priority: options.priority,
      signal: control.signal,
      deadline: control.deadline,
      ...(options.acceptedJob ? { acceptedJob: options.acceptedJob } : {}),
      run: options.run,
      onStart: (attempt) => {
        if (options.operation === 'read') return;
        control.stage = 'request';
        if (options.state) {
          options.state.sent = true;
          options.state.sentAt = Date.now();
        }
        job.setStatus('running');
        job.emit('started', { attempt });
      },
      onRetry: ({ attempt, delayMs, reason, error }) => {
        control.stage = waitingStage;
        context.countRetry();
        job.emit('retrying', { attempt, delayMs, reason, error });
      },
    });
  }

  /** Waits for a provider job to reach a terminal state: by the adapter's event stream, else by polling. */
  async #waitForJob(options: {
    adapter: ProviderAdapter;
    providerJobId: string;
    priority: number;
    checkFirst: boolean;
    state: SendState;
    /** The request that started the job; absent when resuming, since a snapshot keeps none. */
    request?: NormalizedEditRequest;
  }): Promise<ProviderJobStatus> {
    const { adapter, providerJobId } = options;
    const job = this.#job;
    const signal = job.control.signal;
    const observe = (status: ProviderJobStatus): void => {
      if (status.state === 'running') {
        options.state.seenRunningAt ??= Date.now();
        job.setStatus('running', { reason: 'the provider is running the job' });
      } else if (status.state === 'queued') {
        job.setStatus('queued', { reason: 'waiting in the provider queue' });
      }
    };
    const status = adapter.status?.bind(adapter);
    const interval = adapter.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    const deadline = job.control.deadline;
    const read = (): Promise<ProviderJobStatus> =>
      this.#withRetries({
        adapter,
        operation: 'read',
        // Polls yield to submissions: a late poll costs a little latency, a late submission a whole edit.
        priority: options.priority - 1,
        acceptedJob: { providerJobId, maxDelayMs: Math.max(interval, MAX_READ_BACKOFF_MS) },
        run: (attemptSignal) =>
          withReadTimeout({
            signal: attemptSignal,
            deadline,
            what: `${adapter.id}: reading the status of job ${providerJobId}`,
            run: (readSignal) => status!(providerJobId, { signal: readSignal }),
          }),
      });

    if (options.checkFirst && status) {
      const first = await read();
      observe(first);
      if (isTerminal(first)) return first;
    }
    if (adapter.waitForCompletion) {
      try {
        const final = await adapter.waitForCompletion(providerJobId, {
          signal,
          onStatus: observe,
          ...(deadline !== undefined ? { deadline } : {}),
          ...(options.request ? { request: options.request } : {}),
        });
        observe(final);
        return final;
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (!status) throw error;
        job.emit('retrying', {
          reason: `the completion stream failed (${error instanceof Error ? error.message : String(error)}); polling the job instead`,
          delayMs: 0,
          error,
        });
      }
    }
    if (!status) {
      throw new RetouchError({
        message: `the ${adapter.id} adapter has jobs but neither status() nor waitForCompletion(); it cannot be waited on`,
      });
    }
    let wait = Math.min(FIRST_POLL_MS, interval);
    for (;;) {
      await delay(wait, { signal });
      wait = Math.min(wait * 2, interval);
      const current = await read();
      observe(current);
      if (isTerminal(current)) return current;
    }
  }

  #outputOf(options: { final: ProviderJobStatus; providerJobId: string }): ProviderEditOutput {
    const { final, providerJobId } = options;
    const provider = this.#job.provider;
    if (final.state === 'succeeded') return final.output;
    if (final.state === 'failed') throw final.error;
    if (final.state === 'cancelled') {
      throw new JobCancelledError({
        message: `${provider} reports job ${providerJobId} as cancelled`,
        provider,
        jobId: providerJobId,
      });
    }
    throw new RetouchError({ message: `${provider} job ${providerJobId} is still ${final.state}` });
  }
}

/** What the client saw of one attempt on a model: what was sent, and when each step happened. */
interface SendState {
  /** Whether a billable attempt left the lane (and so may have been billed). */
  sent: boolean;
  /** When the latest billable attempt left the lane: the work cannot have started earlier. */
  sentAt: number | undefined;
  /** When the provider accepted the job (its submission returned), for edits run as provider jobs. */
  acceptedAt: number | undefined;
  /** When the client first saw the provider report the job as running: it had started by then. */
  seenRunningAt: number | undefined;
}

/** Whether a failure provably cost nothing: the provider refused the request before doing the work. */
export function provablyFree(error: unknown): boolean {
  if (
    InvalidRequestError.isInstance(error) ||
    UnsupportedFeatureError.isInstance(error) ||
    BudgetExceededError.isInstance(error) ||
    InsufficientCreditsError.isInstance(error)
  ) {
    return true;
  }
  if (!ApiCallError.isInstance(error)) return false;
  if (error.provablyNotProcessed) return true;
  const status = error.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 409;
}

/**
 * Whether another model may succeed where this one failed. Never after an invalid request, a refused
 * budget or a cancellation on the primary; a fallback model that cannot take the request is skipped.
 */
export function canFallBack(error: unknown, options: { primary: boolean }): boolean {
  if (!RetouchError.isInstance(error)) return false;
  if (JobCancelledError.isInstance(error)) return false;
  if (InvalidRequestError.isInstance(error) || BudgetExceededError.isInstance(error)) return !options.primary;
  if (TimeoutError.isInstance(error)) return error.stage === 'request';
  if (ApiCallError.isInstance(error) && [400, 413, 422].includes(error.statusCode ?? 0)) return false;
  return true;
}

/** The retry loop shared by job calls and provider cancels. */
export async function retrying<T>(options: {
  retry: ResolvedRetryOptions;
  lane: Lane;
  operation: OperationKind;
  priority: number;
  signal: AbortSignal;
  deadline?: number | undefined;
  /**
   * Set for reads of a job the provider accepted. Its result is paid for, so a failed read is never
   * the end: reads go on, backing off up to `maxDelayMs`, until the job settles, the deadline passes
   * or the job is cancelled. Only an answer that cannot change by asking again (a 404 on the job, a
   * refused key) fails it.
   */
  acceptedJob?: { providerJobId: string; maxDelayMs: number };
  run: (signal: AbortSignal) => Promise<T>;
  onStart?: (attempt: number) => void;
  onRetry?: (retry: { attempt: number; delayMs: number; reason: string; error: unknown }) => void;
}): Promise<T> {
  const { lane, signal, acceptedJob } = options;
  const retry: ResolvedRetryOptions = acceptedJob
    ? {
        ...options.retry,
        maxRetries: Number.POSITIVE_INFINITY,
        maxRateLimitRetries: Number.POSITIVE_INFINITY,
        initialDelayMs: Math.min(options.retry.initialDelayMs, acceptedJob.maxDelayMs),
        maxDelayMs: Math.min(options.retry.maxDelayMs, acceptedJob.maxDelayMs),
      }
    : options.retry;
  let retries = 0;
  let rateLimitRetries = 0;
  let unusableAnswers = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await lane.run((taskSignal) => options.run(taskSignal), {
        priority: options.priority,
        signal,
        onStart: () => options.onStart?.(attempt),
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const rateLimited = RateLimitError.isInstance(error);
      // An answer that arrived but cannot be used (garbled, or pointing where it must not) is read
      // again within retry.maxRetries, even for an accepted job: the same answer tends to come back,
      // unlike an outage, which ends. Consecutive ones only: any other failure resets the count.
      const unusable = acceptedJob !== undefined && InvalidResponseError.isInstance(error);
      unusableAnswers = unusable ? unusableAnswers + 1 : 0;
      const decision = decideRetry({
        error,
        operation: options.operation,
        retriesSoFar: unusable ? unusableAnswers - 1 : retries,
        rateLimitRetriesSoFar: rateLimitRetries,
        options: unusable ? { ...retry, maxRetries: options.retry.maxRetries } : retry,
      });
      if (!decision.retry) {
        if (acceptedJob) {
          throw withNote(error, {
            note: acceptedJobGivenUp({ error, acceptedJob, reason: unusable ? decision.reason : '' }),
          });
        }
        throw decision.reason ? withNote(error, { note: decision.reason }) : error;
      }
      if (rateLimited) rateLimitRetries++;
      else retries++;
      // After a 429 the whole lane is paused: the retry waits in the lane, not in a timer of its own.
      let delayMs = rateLimited ? lane.pausedForMs() : decision.delayMs;
      let reason = decision.reason;
      if (options.deadline !== undefined && Date.now() + delayMs >= options.deadline) {
        if (!acceptedJob) {
          throw withNote(error, {
            note: `not retried: waiting ${delayMs} ms would pass the deadline set by timeoutMs`,
          });
        }
        // The job may be done: one more read before the deadline can still bring the result home.
        if (!rateLimited) delayMs = Math.max(10, Math.floor((options.deadline - Date.now()) / 2));
      }
      if (acceptedJob) {
        const failures = retries + rateLimitRetries;
        reason = `${reason}; job ${acceptedJob.providerJobId} was accepted and may be billed, so its status is read until it settles, ${
          options.deadline === undefined
            ? 'with no deadline (set timeoutMs to bound the wait),'
            : 'the deadline passes'
        } or it is cancelled (${failures} failed ${failures === 1 ? 'read' : 'reads'} in a row)`;
      }
      options.onRetry?.({ attempt: attempt + 1, delayMs, reason, error });
      if (!rateLimited && delayMs > 0) await delay(delayMs, { signal });
    }
  }
}

/** Why the reads of an accepted job stop: the answer says the job is gone, or asking again cannot help. */
function acceptedJobGivenUp(options: {
  error: unknown;
  acceptedJob: { providerJobId: string };
  /** Why the retries of unusable answers stopped, when they did. */
  reason: string;
}): string {
  const { error, acceptedJob } = options;
  if (ApiCallError.isInstance(error) && error.statusCode === 404) {
    return `the provider no longer knows job ${acceptedJob.providerJobId}: its status answered 404 after the job was accepted, so its result cannot be read`;
  }
  const why = options.reason
    ? `its status answer stayed unusable (${options.reason})`
    : 'reading its status again cannot succeed';
  return `job ${acceptedJob.providerJobId} was accepted and may still finish, but ${why}; fix the cause and re-attach with retouch.resume(snapshot)`;
}

/**
 * Runs one status read with its own, shorter timeout: at most {@link STATUS_READ_TIMEOUT_MS}, and half
 * the time left before the deadline, so a read that hangs leaves room for another that may bring the
 * result. The timeout surfaces as a per-attempt `TimeoutError`, which the retry loop reads again.
 */
async function withReadTimeout<T>(options: {
  signal: AbortSignal;
  deadline: number | undefined;
  what: string;
  run: (signal: AbortSignal) => Promise<T>;
}): Promise<T> {
  const { signal, deadline } = options;
  const timeoutMs = Math.floor(
    deadline === undefined
      ? STATUS_READ_TIMEOUT_MS
      : Math.min(STATUS_READ_TIMEOUT_MS, Math.max(MIN_STATUS_READ_TIMEOUT_MS, (deadline - Date.now()) / 2)),
  );
  const controller = new AbortController();
  const timeout = new TimeoutError({
    message: `${options.what} got no answer within ${timeoutMs} ms`,
    timeoutMs,
    stage: 'request',
  });
  const onAbort = (): void => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
  try {
    return await options.run(controller.signal);
  } catch (error) {
    // An adapter may throw its own abort error: the read timed out all the same.
    if (!signal.aborted && controller.signal.reason === timeout) throw timeout;
    throw error;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/** Whether the adapter wants this request run as a provider job (`prefersJobs`, a flag or a function of the request). */
function prefersJobs(options: { adapter: ProviderAdapter; request: NormalizedEditRequest }): boolean {
  const { prefersJobs: preference } = options.adapter;
  return typeof preference === 'function'
    ? preference.call(options.adapter, options.request) === true
    : preference === true;
}

function isTerminal(status: ProviderJobStatus): boolean {
  return status.state === 'succeeded' || status.state === 'failed' || status.state === 'cancelled';
}

function buildResult(options: {
  job: DispatchJob;
  output: ProviderEditOutput;
  warnings: readonly EditWarning[];
  attempts: readonly FailedAttempt[];
  estimate: Cost | undefined;
  state: SendState;
  providerJobId: string | undefined;
}): EditResult {
  const { job, output } = options;
  const now = Date.now();
  const totalMs = now - job.createdAt;
  const startedAt = workStartedAt({ output, state: options.state, now, createdAt: job.createdAt });
  const runningMs = Math.max(0, Math.min(totalMs, now - startedAt));
  const jobId = output.jobId ?? options.providerJobId;
  const cost =
    output.cost ??
    (options.estimate ? { usd: options.estimate.usd, source: 'estimated' as const } : undefined);
  return {
    images: output.images,
    provider: job.provider,
    model: job.model,
    ...(cost ? { cost } : {}),
    warnings: dedupeWarnings([...options.warnings, ...output.warnings]),
    timings: { queuedMs: totalMs - runningMs, runningMs, totalMs },
    ...(jobId !== undefined ? { jobId } : {}),
    ...(output.upstreamProvider !== undefined ? { upstreamProvider: output.upstreamProvider } : {}),
    ...(output.usage !== undefined ? { usage: output.usage } : {}),
    ...(options.attempts.length > 0 ? { attempts: [...options.attempts] } : {}),
    raw: redactValue(output.raw),
  };
}

/**
 * When the work behind a result started, on this client's clock. The provider's own `startedAt`
 * comes first, kept between the moment the request was sent (nothing starts before) and the moment
 * the job was seen running or the result arrived, which bounds a coarse (whole seconds) or skewed
 * provider clock. Without it: when the job was first seen running, else when the provider accepted
 * the job (its time in the provider's queue then counts as running: nothing tells them apart), else
 * when the request was sent (a one-shot edit, which waits in no provider queue the client can see).
 */
function workStartedAt(options: {
  output: ProviderEditOutput;
  state: SendState;
  now: number;
  createdAt: number;
}): number {
  const { output, state, now } = options;
  const reported = output.startedAt;
  const consistent =
    typeof reported === 'number' &&
    Number.isFinite(reported) &&
    !(typeof output.completedAt === 'number' && output.completedAt < reported);
  if (consistent) {
    const earliest = state.sentAt ?? options.createdAt;
    const latest = Math.min(now, state.seenRunningAt ?? now);
    return Math.min(latest, Math.max(earliest, reported));
  }
  return state.seenRunningAt ?? state.acceptedAt ?? state.sentAt ?? now;
}

/** The request as adapters see it: the caller's signal and deadline are the dispatcher's business. */
function forAdapter(request: NormalizedEditRequest): NormalizedEditRequest {
  const { signal: _signal, timeoutMs: _timeoutMs, ...rest } = request;
  return rest;
}

function dedupeWarnings(warnings: readonly EditWarning[]): EditWarning[] {
  const seen = new Set<string>();
  return warnings.filter((warning) => {
    const key = `${warning.type}:${'option' in warning ? warning.option : ''}:${warning.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function failedAttempt(options: { model: string; error: unknown }): FailedAttempt {
  const { model, error } = options;
  return {
    model,
    errorName: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
  };
}

function describeAttempts(attempts: readonly FailedAttempt[]): string {
  return `earlier attempts failed: ${attempts.map((attempt) => `${attempt.model} (${attempt.errorName})`).join(', ')}`;
}

/**
 * The same error with a note appended to its message. A copy, not a mutation: the adapter may hold on
 * to the error it threw. The copy keeps the class, the fields and the `isInstance` markers.
 */
export function withNote<E>(error: E, options: { note: string }): E {
  if (!(error instanceof Error)) return error;
  const message = `${error.message} (${options.note})`;
  const stack = typeof error.stack === 'string' ? error.stack.replace(error.message, message) : undefined;
  const copy = Object.create(Object.getPrototypeOf(error), Object.getOwnPropertyDescriptors(error)) as Error;
  Object.defineProperty(copy, 'message', { value: message, writable: true, configurable: true });
  if (stack !== undefined)
    Object.defineProperty(copy, 'stack', { value: stack, writable: true, configurable: true });
  return copy as E;
}
