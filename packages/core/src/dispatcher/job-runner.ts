/**
 * One edit from request to settlement: its models in fallback order, and for each the preparation,
 * the budget reservation and the billable call. The attempt's state (what was sent, when, and whether
 * it may have been billed) lives here, because it decides both the retries and the money; the call's
 * retries are run by job-retries.ts and the wait for a provider job by follow-provider-job.ts.
 */
import type { Cost } from '../cost.ts';
import type { EditRequest, NormalizedEditRequest } from '../edit-request.ts';
import type { EditResult, EditWarning, FailedAttempt } from '../edit-result.ts';
import { InvalidRequestError } from '../errors/invalid-request-error.ts';
import type { HttpClient } from '../http/http-client.ts';
import { normalizeEditRequest } from '../normalize-edit-request.ts';
import type { ProviderAdapter, ProviderCall, ProviderEditOutput } from '../provider.ts';
import { attemptKey, forAdapter, prefersJobs } from './attempt-plan.ts';
import type { SpendHold } from './budget.ts';
import type { DispatchContext } from './dispatch-context.ts';
import type { DispatchJob } from './edit-job.ts';
import { canFallBack, describeAttempts, failedAttempt, provablyFree, withNote } from './failure-rules.ts';
import { followProviderJob, outputOfProviderJob } from './follow-provider-job.ts';
import { withJobRetries } from './job-retries.ts';
import { prepareEdit } from './prepare-edit.ts';
import { buildResult, dedupeWarnings, type SendState } from './result-timings.ts';
import type { DispatchOptions } from './retouch.ts';

/** One edit to run: the request as given, its validated form, and how to dispatch it. */
export interface DispatchPlan {
  readonly request: EditRequest;
  readonly primary: NormalizedEditRequest;
  readonly fallback: readonly string[];
  readonly priority: number;
  /** `submit` runs the edit as a provider job whenever the adapter has jobs; `edit` only when it prefers them. */
  readonly mode: 'edit' | 'submit';
  /** Called once the edit is accepted: the provider returned a job id, or (without jobs) it was validated. */
  readonly onAccepted: () => void;
  /** The caller's hooks around the billable request. */
  readonly hooks?: Pick<DispatchOptions, 'beforeSend' | 'onProviderJob'> | undefined;
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
  async run(plan: DispatchPlan): Promise<void> {
    const job = this.#job;
    await this.#observe();
    const models = [plan.primary.model, ...plan.fallback].filter(
      (model, index, list) => list.indexOf(model) === index,
    );
    const attempts: FailedAttempt[] = [];
    for (let index = 0; index < models.length; index++) {
      const model = models[index]!;
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
        job.observer?.fellBack({ to: next, error });
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
    await this.#observe();
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
      const final = await followProviderJob({
        context: this.#context,
        job,
        adapter: options.adapter,
        providerJobId: options.providerJobId,
        priority: options.priority,
        checkFirst: true,
        state: started,
      });
      const output = outputOfProviderJob({
        final,
        providerJobId: options.providerJobId,
        provider: job.provider,
      });
      await this.#context.ledger.settleResumed({
        key: attemptKey({ billingKey: job.billingKey, index: job.attempts.length }),
        model: job.model,
        cost: output.cost,
        estimate: job.estimatedCost,
        providerJobId: options.providerJobId,
      });
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
    plan: DispatchPlan;
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
    const state: SendState = {
      sent: false,
      sentAt: undefined,
      acceptedAt: undefined,
      seenRunningAt: undefined,
    };
    // A billable request that left the lane may be billed; reads, free POSTs (uploads) and requests
    // still waiting in the window cost nothing. The ledger's entry becomes possibly billed, and the
    // caller's beforeSend is awaited, as the first one leaves the lane, not before it waits there: a
    // crash while it waits has sent nothing.
    let beforeSend = plan.hooks?.beforeSend;
    let hold: SpendHold | undefined;
    const markPossiblyBilled = (): Promise<void> | undefined =>
      hold ? context.ledger.markPossiblyBilled(hold) : undefined;
    const http = context.transport({
      adapter,
      priority: plan.priority,
      observer: job.observer,
      onAdmit: ({ billable }) => {
        // Until a request leaves, the edit is waiting in the lane (for a slot, the window, a pause).
        if (job.control.stage === 'queue') job.control.stage = 'request';
        if (!billable) return;
        const hook = beforeSend;
        beforeSend = undefined;
        const markSent = (): void => {
          state.sent = true;
          state.sentAt = Date.now();
        };
        // Synchronous without a hook or a shared store: this runs for every request that leaves.
        const recorded = markPossiblyBilled();
        if (!hook && !recorded) return markSent();
        return Promise.resolve(recorded)
          .then(() => hook?.())
          .then(markSent);
      },
    });

    signal.throwIfAborted();
    const prepared = await this.#prepare({ adapter, request, http });
    // Decided before anything is reserved: the adapter reads the request it has just prepared.
    const useJobs =
      adapter.submit !== undefined &&
      (plan.mode === 'submit' || !adapter.edit || prefersJobs({ adapter, request, plan: prepared.plan }));
    const estimate = await this.#estimate({ adapter, request, plan: prepared.plan, http });
    signal.throwIfAborted();
    const reservation = await context.ledger.reserve({
      key: attemptKey({ billingKey: job.billingKey, index: options.index }),
      model: normalized.model,
      estimate,
    });
    hold = reservation;
    job.estimatedCost = estimate;
    const warnings: EditWarning[] = [...prepared.warnings];
    if (estimate === undefined && context.ledger.capped) {
      warnings.push({
        type: 'other',
        message: `${normalized.model} publishes no price, so this edit was sent without a cost estimate; its reported cost is counted once known`,
      });
    }
    job.warnings = dedupeWarnings(warnings);

    const idempotencyKey = options.index === 0 ? job.id : `${job.id}-${options.index}`;
    const call = (attemptSignal: AbortSignal): ProviderCall => {
      const value: { -readonly [Key in keyof ProviderCall]: ProviderCall[Key] } = {
        request,
        plan: prepared.plan,
        http,
        signal: attemptSignal,
        idempotencyKey,
      };
      if (job.control.deadline !== undefined) value.deadline = job.control.deadline;
      return value;
    };
    try {
      job.control.stage = 'queue';
      job.emit('queued');
      let output: ProviderEditOutput;
      let providerJobId: string | undefined;
      // An adapter that sends through its own means is not seen by the lane's gate: its call is the request.
      if (adapter.http === undefined) {
        const hook = beforeSend;
        beforeSend = undefined;
        await markPossiblyBilled();
        await hook?.();
      }
      if (useJobs) {
        const submission = await withJobRetries({
          context,
          job,
          adapter,
          operation: 'submission',
          priority: plan.priority,
          state,
          run: (attemptSignal) => adapter.submit!(call(attemptSignal)),
        });
        providerJobId = submission.jobId;
        job.warnings = dedupeWarnings([...job.warnings, ...submission.warnings]);
        job.setProviderJob(providerJobId);
        await this.#persist(plan);
        plan.onAccepted();
        job.setStatus('queued', { reason: 'waiting in the provider queue' });
        state.acceptedAt = Date.now();
        job.control.stage = 'poll';
        const final = await followProviderJob({
          context,
          job,
          adapter,
          providerJobId,
          priority: plan.priority,
          checkFirst: false,
          state,
          request,
        });
        output = outputOfProviderJob({ final, providerJobId, provider: job.provider });
      } else {
        plan.onAccepted();
        output = await withJobRetries({
          context,
          job,
          adapter,
          operation: 'submission',
          priority: plan.priority,
          state,
          run: (attemptSignal) => adapter.edit!(call(attemptSignal)),
        });
      }
      const cost =
        output.cost ?? (estimate ? { usd: estimate.usd, source: 'estimated' as const } : undefined);
      await context.ledger.settle(reservation, {
        cost,
        ...(providerJobId !== undefined ? { providerJobId } : {}),
      });
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
      if (!state.sent || provablyFree(error)) await context.ledger.release(reservation);
      // The provider may have billed it: the entry stays possibly billed, its estimate counted as
      // spent rather than risk the cap, until the provider's records say otherwise.
      else {
        job.observer?.possiblyBilled({ estimate, error });
        await context.ledger.leavePossiblyBilled(reservation);
      }
      throw error;
    }
  }

  /** Gives the job its observer when anyone listens (an OpenTelemetry SDK, a logger). */
  async #observe(): Promise<void> {
    const { telemetry } = this.#context;
    if (!telemetry.wanted) return;
    const job = this.#job;
    job.observer = await telemetry.observe(job);
    // A job cancelled while its observer was made has settled already: its span ends here.
    if (job.settled) job.observer?.settled({ error: job.control.signal.reason });
  }

  /**
   * Hands the caller the snapshot of a job the provider accepted, before the wait starts. A hook that
   * fails stops the job (and cancels it on the provider): a job that cannot be resumed after a crash
   * is not worth waiting on.
   */
  async #persist(plan: DispatchPlan): Promise<void> {
    const hook = plan.hooks?.onProviderJob;
    if (!hook) return;
    try {
      await hook(this.#job.toJSON());
      this.#job.persisted = true;
    } catch (error) {
      this.#job.control.abort(error);
      throw error;
    }
  }

  /** The adapter's plan and warnings; in strict mode a warning about an option refuses the edit. */
  async #prepare(options: {
    adapter: ProviderAdapter;
    request: NormalizedEditRequest;
    http: HttpClient;
  }): Promise<{ plan: unknown; warnings: EditWarning[] }> {
    return prepareEdit({
      adapter: options.adapter,
      request: options.request,
      context: { http: options.http, signal: this.#job.control.signal },
      strict: this.#context.strict,
    });
  }

  async #estimate(options: {
    adapter: ProviderAdapter;
    request: NormalizedEditRequest;
    plan: unknown;
    http: HttpClient;
  }): Promise<Cost | undefined> {
    const { adapter, request } = options;
    const signal = this.#job.control.signal;
    if (!adapter.estimateCost) return undefined;
    try {
      return await adapter.estimateCost({ request, plan: options.plan }, { http: options.http, signal });
    } catch (error) {
      // Without a cap the estimate is only informative, and a failed price lookup must not fail the edit.
      if (this.#context.ledger.capped || signal.aborted) throw error;
      return undefined;
    }
  }
}
