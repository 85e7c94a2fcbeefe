import type { Context, Counter, Histogram, Span, Tracer } from '@opentelemetry/api';
import type { Cost } from '../cost.ts';
import type { EditResult } from '../edit-result.ts';
import type { BudgetExceededError } from '../errors/budget-exceeded-error.ts';
import { hasMarker, markerFor } from '../errors/marker.ts';
import { RateLimitError } from '../errors/rate-limit-error.ts';
import type { RequestGate, RequestOutcome } from '../http/request-gate.ts';
import { redact } from '../secrets.ts';
import type { JobObserver, ObservedJob } from './job-observer.ts';
import type { OpenTelemetryApi } from './open-telemetry.ts';
import { type RetouchLogFields, type RetouchLogger, writeLog } from './retouch-logger.ts';
import {
  ATTRIBUTE,
  GEN_AI_OPERATION,
  POSSIBLY_BILLED_EVENT,
  SPAN,
  urlForAttribute,
} from './telemetry-names.ts';

/** The client's metric instruments, made once per meter provider. */
export interface EditInstruments {
  readonly edits: Counter;
  readonly cost: Counter;
  readonly rateLimited: Counter;
  readonly possiblyBilled: Counter;
  readonly budgetRefusals: Counter;
  readonly editDuration: Histogram;
  readonly laneWait: Histogram;
}

/** What an observer reaches OpenTelemetry with, when an SDK is registered. */
export interface EditTelemetry {
  readonly api: OpenTelemetryApi;
  readonly tracer: Tracer;
  readonly instruments: EditInstruments;
}

/**
 * {@link BudgetExceededError.isInstance}, read from the class's marker: the class lives with the
 * dispatcher, which this module (loaded only once anyone listens) does not import.
 */
const budgetExceeded = markerFor('BudgetExceededError');

/** A wait at a lane's gate longer than this is logged. */
const LONG_WAIT_MS = 1_000;

/**
 * Follows one edit for OpenTelemetry and the logger: the `retouch.edit` span with a child span per
 * attempt and per HTTP request, the metrics counted as the edit goes, and the log lines an operator
 * reads. Made only when an SDK is registered or a logger is set; without either, an edit has none.
 */
export class EditObserver implements JobObserver {
  readonly #job: ObservedJob;
  readonly #logger: RetouchLogger | undefined;
  readonly #telemetry: EditTelemetry | undefined;
  readonly #span: Span | undefined;
  readonly #spanContext: Context | undefined;
  readonly #requestedModel: string;
  readonly #modelsTried: string[];
  #attempt: Span | undefined;
  #attemptContext: Context | undefined;
  #retries = 0;
  #ended = false;

  constructor(options: { job: ObservedJob; logger?: RetouchLogger | undefined; telemetry?: EditTelemetry }) {
    const { job, telemetry } = options;
    this.#job = job;
    this.#logger = options.logger;
    this.#telemetry = telemetry;
    this.#requestedModel = job.model;
    this.#modelsTried = [job.model];
    if (!telemetry) return;
    const active = telemetry.api.context.active();
    this.#span = telemetry.tracer.startSpan(
      SPAN.edit,
      {
        kind: telemetry.api.SpanKind.INTERNAL,
        startTime: job.createdAt,
        attributes: {
          [ATTRIBUTE.operationName]: GEN_AI_OPERATION,
          [ATTRIBUTE.providerName]: job.provider,
          [ATTRIBUTE.requestModel]: modelName(job.model),
          [ATTRIBUTE.model]: job.model,
          [ATTRIBUTE.jobId]: job.id,
        },
      },
      active,
    );
    this.#spanContext = telemetry.api.trace.setSpan(active, this.#span);
  }

  /** An attempt of the billable call left its lane slot: its span starts. Status reads have none. */
  attemptStarted(options: { attempt: number; operation: string }): void {
    const telemetry = this.#telemetry;
    if (!telemetry || options.operation === 'read') return;
    this.attemptEnded({});
    this.#attempt = telemetry.tracer.startSpan(
      SPAN.attempt,
      {
        attributes: {
          [ATTRIBUTE.attempt]: options.attempt,
          [ATTRIBUTE.operation]: options.operation,
          [ATTRIBUTE.model]: this.#job.model,
          [ATTRIBUTE.providerName]: this.#job.provider,
        },
      },
      this.#spanContext,
    );
    this.#attemptContext = telemetry.api.trace.setSpan(this.#spanContext!, this.#attempt);
  }

  /** The attempt in flight ended, with its error if it failed. */
  attemptEnded(options: { error?: unknown }): void {
    const attempt = this.#attempt;
    if (!attempt) return;
    this.#attempt = undefined;
    this.#attemptContext = undefined;
    if (options.error !== undefined) this.#markFailed(attempt, options.error);
    attempt.end();
  }

  /** Another attempt follows after `delayMs`. */
  retried(options: { attempt: number; delayMs: number; reason: string }): void {
    this.#retries++;
    this.#span?.addEvent('retouch.retry', {
      [ATTRIBUTE.attempt]: options.attempt,
      'retouch.delay_ms': options.delayMs,
    });
    this.#log('warn', {
      fields: { event: 'retouch.retry', attempt: options.attempt, delayMs: options.delayMs },
      message: `retrying ${this.#job.model} in ${options.delayMs} ms: ${options.reason}`,
    });
  }

  /** The model failed and the next one in the fallback list is tried. */
  fellBack(options: { to: string; error: unknown }): void {
    const from = this.#job.model;
    this.#modelsTried.push(options.to);
    this.#span?.addEvent('retouch.fallback', {
      'retouch.fallback.from': from,
      'retouch.fallback.to': options.to,
    });
    this.#log('warn', {
      fields: { event: 'retouch.fallback', to: options.to, error: errorText(options.error) },
      message: `${from} failed; falling back to ${options.to}`,
    });
  }

  /** The call failed after it was sent: the provider may have billed it, so the estimate counts as spent. */
  possiblyBilled(options: { estimate: Cost | undefined; error: unknown }): void {
    const job = this.#job;
    const estimatedUsd = options.estimate?.usd;
    this.#span?.addEvent(POSSIBLY_BILLED_EVENT, {
      [ATTRIBUTE.model]: job.model,
      ...(estimatedUsd !== undefined ? { [ATTRIBUTE.estimatedUsd]: estimatedUsd } : {}),
      ...(job.providerJobId ? { [ATTRIBUTE.providerJobId]: job.providerJobId } : {}),
      [ATTRIBUTE.errorType]: errorName(options.error),
    });
    this.#telemetry?.instruments.possiblyBilled.add(1, this.#metricAttributes());
    this.#log('warn', {
      fields: {
        event: 'retouch.possibly_billed',
        ...(estimatedUsd !== undefined ? { estimatedUsd } : {}),
        ...(job.providerJobId ? { providerJobId: job.providerJobId } : {}),
        error: errorText(options.error),
      },
      message: `${job.model} failed after the request was sent; the provider may have billed it`,
    });
  }

  /**
   * The gate with this edit's eyes on it: each request it lets through gets a span from the moment it
   * asked (so the wait at the gate is inside it) to its answer, with the status and any Retry-After.
   */
  observeGate(gate: RequestGate): RequestGate {
    return {
      admit: async (request) => {
        const askedAt = Date.now();
        const settle = await gate.admit(request);
        const waitedMs = Date.now() - askedAt;
        const span = this.#requestStarted({ method: request.method, url: request.url, askedAt, waitedMs });
        return (outcome: RequestOutcome) => {
          settle(outcome);
          this.#requestAnswered({ span, outcome });
        };
      },
    };
  }

  /** The edit settled (`result` on success, `error` otherwise): the span ends and the edit is counted. */
  settled(outcome: { result?: EditResult | undefined; error?: unknown }): void {
    if (this.#ended) return;
    this.#ended = true;
    this.attemptEnded(outcome.result ? {} : { error: outcome.error });
    const telemetry = this.#telemetry;
    if (!telemetry) return;
    const job = this.#job;
    const status = job.status;
    const attributes = { ...this.#metricAttributes(), [ATTRIBUTE.outcome]: status };
    const { instruments } = telemetry;
    instruments.edits.add(1, attributes);
    instruments.editDuration.record((Date.now() - job.createdAt) / 1000, attributes);
    const cost = outcome.result?.cost;
    if (cost)
      instruments.cost.add(cost.usd, { ...this.#metricAttributes(), [ATTRIBUTE.costSource]: cost.source });
    if (hasMarker(outcome.error, budgetExceeded)) instruments.budgetRefusals.add(1, this.#metricAttributes());
    const span = this.#span;
    if (!span) return;
    span.setAttributes({
      [ATTRIBUTE.providerName]: job.provider,
      [ATTRIBUTE.responseModel]: modelName(job.model),
      [ATTRIBUTE.model]: job.model,
      [ATTRIBUTE.outcome]: status,
      [ATTRIBUTE.retries]: this.#retries,
      [ATTRIBUTE.fallbacks]: this.#modelsTried.length - 1,
      [ATTRIBUTE.modelsTried]: this.#modelsTried,
      [ATTRIBUTE.providersTried]: [...new Set(this.#modelsTried.map(providerOf))],
      ...(job.providerJobId ? { [ATTRIBUTE.providerJobId]: job.providerJobId } : {}),
      ...(cost ? { [ATTRIBUTE.costUsd]: cost.usd, [ATTRIBUTE.costSource]: cost.source } : {}),
    });
    if (this.#requestedModel !== job.model)
      span.setAttribute('retouch.requested_model', this.#requestedModel);
    if (!outcome.result) this.#markFailed(span, outcome.error);
    span.end();
  }

  #requestStarted(options: {
    method: string;
    url: string;
    askedAt: number;
    waitedMs: number;
  }): Span | undefined {
    const { waitedMs } = options;
    const provider = this.#job.provider;
    this.#telemetry?.instruments.laneWait.record(waitedMs / 1000, { [ATTRIBUTE.providerName]: provider });
    if (waitedMs > LONG_WAIT_MS) {
      this.#log('info', {
        fields: { event: 'retouch.lane_wait', waitedMs },
        message: `${this.#job.model} waited ${waitedMs} ms at the ${provider} lane's gate`,
      });
    }
    const telemetry = this.#telemetry;
    if (!telemetry) return undefined;
    const url = options.url === '' ? '' : urlForAttribute(redact(options.url));
    const host = url === '' ? '' : new URL(url).host;
    return telemetry.tracer.startSpan(
      options.method,
      {
        kind: telemetry.api.SpanKind.CLIENT,
        startTime: options.askedAt,
        attributes: {
          [ATTRIBUTE.method]: options.method,
          [ATTRIBUTE.laneWaitMs]: waitedMs,
          [ATTRIBUTE.providerName]: provider,
          ...(url ? { [ATTRIBUTE.urlFull]: url, [ATTRIBUTE.serverAddress]: host } : {}),
        },
      },
      this.#attemptContext ?? this.#spanContext,
    );
  }

  #requestAnswered(options: { span: Span | undefined; outcome: RequestOutcome }): void {
    const { span, outcome } = options;
    const rateLimited = outcome.status === 429 || RateLimitError.isInstance(outcome.error);
    if (rateLimited) {
      this.#telemetry?.instruments.rateLimited.add(1, { [ATTRIBUTE.providerName]: this.#job.provider });
    }
    if (!span) return;
    if (outcome.status !== undefined) span.setAttribute(ATTRIBUTE.statusCode, outcome.status);
    if (RateLimitError.isInstance(outcome.error) && outcome.error.retryAfterMs !== undefined) {
      span.setAttribute(ATTRIBUTE.retryAfterMs, outcome.error.retryAfterMs);
    }
    if (outcome.error !== undefined) this.#markFailed(span, outcome.error);
    span.end();
  }

  #markFailed(span: Span, error: unknown): void {
    const telemetry = this.#telemetry;
    if (!telemetry) return;
    span.setAttribute(ATTRIBUTE.errorType, errorName(error));
    span.setStatus({ code: telemetry.api.SpanStatusCode.ERROR, message: errorText(error) });
  }

  #metricAttributes(): Record<string, string> {
    return { [ATTRIBUTE.providerName]: this.#job.provider, [ATTRIBUTE.model]: this.#job.model };
  }

  #log(
    level: 'info' | 'warn',
    line: { fields: { event: RetouchLogFields['event']; [field: string]: unknown }; message: string },
  ): void {
    const logger = this.#logger;
    if (!logger) return;
    const job = this.#job;
    writeLog({
      logger,
      level,
      fields: { jobId: job.id, model: job.model, provider: job.provider, ...line.fields },
      message: line.message,
    });
  }
}

/** `oxen:qwen-image-edit` → `qwen-image-edit`: the model as the provider names it. */
function modelName(model: string): string {
  const at = model.indexOf(':');
  return at === -1 ? model : model.slice(at + 1);
}

function providerOf(model: string): string {
  const at = model.indexOf(':');
  return at === -1 ? model : model.slice(0, at);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** An error's message, keys redacted (Retouch's errors redact their own; a caller's abort reason may not). */
function errorText(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}
