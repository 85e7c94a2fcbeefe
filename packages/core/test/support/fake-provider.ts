/**
 * An in-memory provider implementing the adapter spec, for dispatcher tests: it records every call with
 * its start time, answers from a script of outcomes per operation, can enforce a server-side sliding
 * window (answering 429), and keeps provider-side jobs in a backend that several adapter instances can
 * share (a "restart" of the client process). It runs under vitest and under plain Node (type stripping).
 */
import {
  ApiCallError,
  type EditWarning,
  GenerationFailedError,
  InsufficientCreditsError,
  type LaneLimits,
  type NormalizedEditRequest,
  type ProviderAdapter,
  RateLimitError,
  type RetouchError,
  TimeoutError,
} from '@retouch/core';
import {
  createGeneratedImage,
  type ProviderCall,
  type ProviderEditOutput,
  type ProviderJobStatus,
} from '@retouch/core/provider-utils';

/** A 1×1 PNG. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** An operation of the fake provider. */
export type FakeOperation = 'edit' | 'submit' | 'status' | 'cancel';

/**
 * A scripted outcome: `ok` answers normally; an Error is thrown (`afterMs` later); `hang` never answers
 * until the call's signal aborts; `delayMs` answers normally after that long.
 */
export type FakeStep =
  | 'ok'
  | Error
  | { error: Error; afterMs?: number }
  | { hang: true }
  | { delayMs: number };

/** One call the fake received. */
export interface FakeCall {
  kind: FakeOperation | 'prepare' | 'estimate' | 'wait';
  /** `Date.now()` when it arrived. */
  at: number;
  model?: string;
  prompt?: string;
  jobId?: string;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** For `wait`: the request the dispatcher passed along, if any. */
  request?: NormalizedEditRequest;
  /** Set when the call settled. */
  outcome?: 'ok' | 'error' | 'aborted';
}

/** A provider job in the fake backend. */
export interface FakeJob {
  id: string;
  model: string;
  createdAt: number;
  cancelled: boolean;
  /** Terminal failure to report once the job has run. */
  failure?: RetouchError;
}

/** Provider-side job state, shared by adapter instances like a real provider's servers. */
export class FakeJobBackend {
  readonly jobs = new Map<string, FakeJob>();
  #next = 1;
  queueMs: number;
  durationMs: number;
  /** Failures given to the next jobs created, in order. */
  readonly failures: RetouchError[] = [];

  constructor(options: { queueMs?: number; durationMs?: number } = {}) {
    this.queueMs = options.queueMs ?? 20;
    this.durationMs = options.durationMs ?? 40;
  }

  create(model: string): FakeJob {
    const failure = this.failures.shift();
    const job: FakeJob = {
      id: `gen-${this.#next++}`,
      model,
      createdAt: Date.now(),
      cancelled: false,
      ...(failure ? { failure } : {}),
    };
    this.jobs.set(job.id, job);
    return job;
  }

  state(job: FakeJob): 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' {
    if (job.cancelled) return 'cancelled';
    const age = Date.now() - job.createdAt;
    if (age < this.queueMs) return 'queued';
    if (age < this.queueMs + this.durationMs) return 'running';
    return job.failure ? 'failed' : 'succeeded';
  }
}

/** Options of {@link createFakeProvider}. */
export interface FakeProviderOptions {
  id?: string;
  /** Time each call takes when the script does not say otherwise. @default 5 */
  latencyMs?: number;
  /** Adds `submit`, `status` and `cancel`. */
  jobs?: boolean;
  prefersJobs?: boolean | ((request: NormalizedEditRequest) => boolean);
  /** Adds `watch`, which watches the backend like an event stream would. */
  watch?: boolean;
  /**
   * What `watch` tells of a job before it ends: `all` its states, `nothing` (only the outcome, like a
   * completion event). @default 'all'
   */
  waitReports?: 'all' | 'nothing';
  /**
   * Adds the provider's `startedAt`/`completedAt` to a finished job's output: `exact` milliseconds,
   * or `seconds`, rounded down to whole seconds as some providers report them.
   */
  reportsTimes?: 'exact' | 'seconds';
  pollIntervalMs?: number;
  defaultLimits?: LaneLimits;
  /** `estimateCost` returns this per output image; without it the adapter has no `estimateCost`. */
  estimateUsd?: number;
  /** The cost reported with each result. */
  reportedUsd?: number;
  /** Warnings `prepare` returns. */
  prepareWarnings?: EditWarning[];
  /** Server-side sliding window: more than `requests` accepted in `windowMs` answers 429. */
  serverRateLimit?: { requests: number; windowMs: number; retryAfterMs?: number };
  backend?: FakeJobBackend;
  /** Holds an open handle (like an event-stream socket) from the first call until `close()`. */
  holdsHandle?: boolean;
}

/** The fake adapter plus what tests inspect. */
export interface FakeProvider extends ProviderAdapter {
  readonly calls: FakeCall[];
  readonly backend: FakeJobBackend;
  /** Billable submissions the provider accepted (and would bill). */
  readonly accepted: FakeCall[];
  /** Responses that were 429 because of `serverRateLimit`. */
  readonly throttled: FakeCall[];
  /** The most edit/submit calls in flight at once. */
  readonly maxInFlight: number;
  /** Whether `close()` was called. */
  readonly closed: boolean;
  /** Queues outcomes for the next calls of an operation. */
  script(operation: FakeOperation, ...steps: FakeStep[]): void;
  /** Calls of one kind. */
  callsOf(kind: FakeCall['kind']): FakeCall[];
}

/** Creates a fake provider adapter. */
export function createFakeProvider(options: FakeProviderOptions = {}): FakeProvider {
  const id = options.id ?? 'fake';
  const latencyMs = options.latencyMs ?? 5;
  const backend = options.backend ?? new FakeJobBackend();
  const calls: FakeCall[] = [];
  const accepted: FakeCall[] = [];
  const throttled: FakeCall[] = [];
  const scripts: Record<FakeOperation, FakeStep[]> = { edit: [], submit: [], status: [], cancel: [] };
  const acceptedTimes: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let closed = false;
  let handle: ReturnType<typeof setInterval> | undefined;

  const hold = (): void => {
    if (options.holdsHandle && !handle && !closed) handle = setInterval(() => {}, 1_000);
  };

  const record = (call: Omit<FakeCall, 'at'>): FakeCall => {
    hold();
    const entry: FakeCall = { ...call, at: Date.now() };
    calls.push(entry);
    return entry;
  };

  /** Plays the next scripted step (or the default), then resolves; throws the scripted error. */
  const play = async (operation: FakeOperation, call: FakeCall, signal: AbortSignal): Promise<void> => {
    const step = scripts[operation].shift() ?? { delayMs: latencyMs };
    try {
      if (step === 'ok') await sleep(latencyMs, signal);
      else if (step instanceof Error) throw step;
      else if ('hang' in step) await sleep(Number.POSITIVE_INFINITY, signal);
      else if ('error' in step) {
        await sleep(step.afterMs ?? 0, signal);
        throw step.error;
      } else await sleep(step.delayMs, signal);
      call.outcome = 'ok';
    } catch (error) {
      call.outcome = signal.aborted ? 'aborted' : 'error';
      throw error;
    }
  };

  const throttle = (call: FakeCall): void => {
    const limit = options.serverRateLimit;
    if (!limit) return;
    const now = Date.now();
    while (acceptedTimes.length > 0 && now - acceptedTimes[0]! >= limit.windowMs) acceptedTimes.shift();
    if (acceptedTimes.length >= limit.requests) {
      throttled.push(call);
      call.outcome = 'error';
      throw failures.rateLimited({ provider: id, retryAfterMs: limit.retryAfterMs });
    }
    acceptedTimes.push(now);
  };

  const billable = async (operation: 'edit' | 'submit', providerCall: ProviderCall): Promise<FakeCall> => {
    const call = record({
      kind: operation,
      model: providerCall.request.model,
      prompt: providerCall.request.prompt,
      idempotencyKey: providerCall.idempotencyKey,
      signal: providerCall.signal,
    });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      throttle(call);
      await play(operation, call, providerCall.signal);
      accepted.push(call);
      return call;
    } finally {
      inFlight--;
    }
  };

  const output = (model: string, jobId?: string): ProviderEditOutput => ({
    images: [createGeneratedImage({ provider: id, base64: TINY_PNG_BASE64 })],
    ...(options.reportedUsd !== undefined ? { cost: { usd: options.reportedUsd, source: 'reported' } } : {}),
    warnings: [],
    raw: { model, image: TINY_PNG_BASE64.repeat(40), ...(jobId ? { jobId } : {}) },
    ...(jobId ? { jobId } : {}),
  });

  const times = (job: FakeJob): Pick<ProviderEditOutput, 'startedAt' | 'completedAt'> => {
    if (!options.reportsTimes) return {};
    const round = (at: number) => (options.reportsTimes === 'seconds' ? Math.floor(at / 1000) * 1000 : at);
    const startedAt = job.createdAt + backend.queueMs;
    return { startedAt: round(startedAt), completedAt: round(startedAt + backend.durationMs) };
  };

  const statusOf = (job: FakeJob): ProviderJobStatus => {
    const state = backend.state(job);
    if (state === 'succeeded') return { state, output: { ...output(job.model, job.id), ...times(job) } };
    if (state === 'failed') return { state, error: job.failure! };
    return { state };
  };

  const adapter: FakeProvider = {
    id,
    specificationVersion: 2,
    ...(options.defaultLimits ? { defaultLimits: options.defaultLimits } : {}),
    ...(options.prefersJobs ? { prefersJobs: options.prefersJobs } : {}),
    ...(options.pollIntervalMs !== undefined ? { polling: { intervalMs: options.pollIntervalMs } } : {}),
    calls,
    backend,
    accepted,
    throttled,
    get maxInFlight() {
      return maxInFlight;
    },
    get closed() {
      return closed;
    },
    script(operation, ...steps) {
      scripts[operation].push(...steps);
    },
    callsOf(kind) {
      return calls.filter((call) => call.kind === kind);
    },

    async prepare(request) {
      record({ kind: 'prepare', model: request.model });
      return { plan: undefined, warnings: [...(options.prepareWarnings ?? [])] };
    },

    async edit(providerCall) {
      await billable('edit', providerCall);
      return output(providerCall.request.model);
    },

    ...(options.estimateUsd !== undefined
      ? {
          async estimateCost({ request }: { request: NormalizedEditRequest }) {
            record({ kind: 'estimate', model: request.model });
            return { usd: options.estimateUsd! * request.n, source: 'estimated' as const };
          },
        }
      : {}),

    async close() {
      closed = true;
      if (handle) clearInterval(handle);
      handle = undefined;
    },
  };

  if (options.jobs) {
    adapter.submit = async (providerCall) => {
      await billable('submit', providerCall);
      const job = backend.create(providerCall.request.model);
      return { jobId: job.id, warnings: [] };
    };
    adapter.status = async (jobId, { signal }) => {
      const call = record({ kind: 'status', jobId });
      await play('status', call, signal ?? new AbortController().signal);
      const job = backend.jobs.get(jobId);
      if (!job) throw failures.notFound({ provider: id, jobId });
      return statusOf(job);
    };
    adapter.cancel = async (jobId, { signal }) => {
      const call = record({ kind: 'cancel', jobId });
      await play('cancel', call, signal ?? new AbortController().signal);
      const job = backend.jobs.get(jobId);
      if (!job) throw failures.notFound({ provider: id, jobId });
      if (backend.state(job) === 'queued' || backend.state(job) === 'running') job.cancelled = true;
    };
  }
  if (options.watch) {
    // Like an event stream: it learns of the job from the backend every 5 ms and tells the dispatcher.
    adapter.watch = (jobId, { notify, request }) => {
      record({ kind: 'wait', jobId, ...(request ? { request } : {}) });
      let last: string | undefined;
      const timer = setInterval(() => {
        const job = backend.jobs.get(jobId);
        if (!job) return;
        const status = statusOf(job);
        const terminal = status.state !== 'queued' && status.state !== 'running';
        if (terminal) clearInterval(timer);
        if ((terminal || options.waitReports !== 'nothing') && status.state !== last) notify(status);
        last = status.state;
      }, 5);
      return {
        live: true,
        stop: () => clearInterval(timer),
      };
    };
  }
  return adapter;
}

/** Errors shaped as the HTTP layer builds them, for each failure kind. */
export const failures = {
  rateLimited: (options: { provider?: string; retryAfterMs?: number | undefined } = {}) =>
    new RateLimitError({
      message: `${options.provider ?? 'fake'}: POST /edit failed with 429: Rate limit exceeded.`,
      provider: options.provider ?? 'fake',
      url: 'https://fake.test/edit',
      method: 'POST',
      statusCode: 429,
      isRetryable: true,
      provablyNotProcessed: true,
      ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}),
    }),
  unavailable: () =>
    new ApiCallError({
      message: 'fake: POST /edit failed with 503.',
      provider: 'fake',
      url: 'https://fake.test/edit',
      method: 'POST',
      statusCode: 503,
      isRetryable: true,
      provablyNotProcessed: true,
    }),
  badGateway: () =>
    new ApiCallError({
      message: 'fake: POST /edit failed with 502.',
      provider: 'fake',
      url: 'https://fake.test/edit',
      method: 'POST',
      statusCode: 502,
      isRetryable: true,
    }),
  serverError: () =>
    new ApiCallError({
      message: 'fake: POST /edit failed with 500.',
      provider: 'fake',
      url: 'https://fake.test/edit',
      method: 'POST',
      statusCode: 500,
      isRetryable: true,
    }),
  connectionRefused: () =>
    new ApiCallError({
      message: 'fake: POST /edit failed with a network error (ECONNREFUSED); the request was never sent',
      provider: 'fake',
      url: 'https://fake.test/edit',
      method: 'POST',
      isRetryable: true,
      provablyNotProcessed: true,
      code: 'ECONNREFUSED',
    }),
  connectionReset: () =>
    new ApiCallError({
      message: 'fake: POST /edit failed with a network error (ECONNRESET)',
      provider: 'fake',
      url: 'https://fake.test/edit',
      method: 'POST',
      isRetryable: true,
      code: 'ECONNRESET',
    }),
  attemptTimeout: () =>
    new TimeoutError({
      message: 'fake: POST /edit got no response within 100 ms',
      timeoutMs: 100,
      stage: 'request',
    }),
  badRequest: () =>
    new ApiCallError({
      message: 'fake: POST /edit failed with 400: invalid_params.',
      provider: 'fake',
      url: 'https://fake.test/edit',
      method: 'POST',
      statusCode: 400,
    }),
  notFound: (options: { provider: string; jobId: string }) =>
    new ApiCallError({
      message: `${options.provider}: GET /queue/${options.jobId} failed with 404.`,
      provider: options.provider,
      url: `https://fake.test/queue/${options.jobId}`,
      method: 'GET',
      statusCode: 404,
    }),
  generationFailed: (provider = 'fake') =>
    new GenerationFailedError({
      message: `${provider}: the job failed: NSFW content detected`,
      provider,
      providerMessage: 'NSFW content detected',
    }),
  insufficientCredits: (provider = 'fake') =>
    new InsufficientCreditsError({ message: `${provider}: Insufficient credits`, provider, statusCode: 402 }),
};

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = Number.isFinite(ms)
      ? setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, ms)
      : undefined;
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
