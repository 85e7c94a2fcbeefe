import type { Cost } from './cost.ts';
import type { NormalizedEditRequest } from './edit-request.ts';
import type { EditWarning, GeneratedImage } from './edit-result.ts';
import type { RetouchError } from './errors/retouch-error.ts';
import type { HttpClient } from './http/http-client.ts';

/**
 * The adapter spec: what a provider package implements so the dispatcher can drive it. An adapter
 * translates between Retouch's neutral request and its provider's wire format, and nothing more.
 *
 * The dispatcher owns every guarantee, so that no adapter has to remember one:
 * - **pacing**: every method is given `http`, the adapter's client bound to the provider's lane, so each
 *   request (submissions, uploads, status and cost reads, cancels, downloads from the provider's host,
 *   the opening of an event stream) waits for room in the lane's rate window;
 * - **waiting**: for a provider job the dispatcher polls `status` at the adapter's `polling` interval,
 *   with backoff, deadlines and the rule that an accepted job is never given up on for a failed read;
 *   an adapter that can learn of completion sooner (an event stream) offers `watch`, which only wakes
 *   that loop;
 * - **retries**: adapters never retry; they throw, and the dispatcher decides from
 *   `ApiCallError.provablyNotProcessed` whether a second attempt could pay twice;
 * - **strictness**: adapters report what they drop or adjust as warnings naming the neutral option;
 *   `createRetouch({ strict: true })` turns those into `UnsupportedFeatureError`.
 *
 * An adapter may not sleep, retry, pace or enforce strictness itself.
 *
 * @typeParam Plan - what `prepare` works out for a request (the wire body, say), handed back in the call.
 *
 * @example
 * const echo: ProviderAdapter = {
 *   id: 'echo',
 *   specificationVersion: 2,
 *   async edit(call) {
 *     return { images: [], raw: {}, warnings: [] };
 *   },
 * };
 */
export interface ProviderAdapter<Plan = unknown> {
  /** The provider id: the prefix of `model` strings that this adapter serves, e.g. `oxen`. */
  readonly id: string;
  /** The version of this spec the adapter implements. */
  readonly specificationVersion: 2;
  /**
   * The adapter's HTTP client for its provider (from `createHttpClient`). The dispatcher hands every
   * method a copy bound to the provider's lane, as `http`. An adapter without one (it reaches its
   * provider some other way) is paced one request per call.
   */
  readonly http?: HttpClient;
  /** The provider's documented limits, used for its lane when the client configures none. */
  readonly defaultLimits?: LaneLimits;
  /** How often the dispatcher reads the status of this provider's jobs. */
  readonly polling?: PollingSettings;
  /**
   * True when `edit` should run as `submit` + a wait (queue modes). The dispatcher then owns the
   * waiting, so a deadline or a cancel reaches the provider's job. A function decides per request,
   * for adapters whose mode can be chosen in `providerOptions` (it is called after `prepare`, with the
   * request and its plan, and must not throw: `prepare` is where a request is refused).
   *
   * @example
   * // The request's own `providerOptions.<provider>.mode` wins over the adapter's default.
   * prefersJobs: (request) => (request.providerOptions.mode ?? defaultMode) !== 'sync',
   */
  readonly prefersJobs?: boolean | PrefersJobs<Plan>;

  /**
   * Works out how a request goes on the wire, before anything billable is sent: returns the plan and
   * warnings for options that will be dropped or adjusted, or throws `InvalidRequestError`. May read
   * the provider's model catalogue (a free call). Called once per request and model; the plan comes
   * back in the call.
   */
  prepare?(request: NormalizedEditRequest, context: ProviderContext): Promise<PreparedEdit<Plan>>;

  /** Runs one edit to completion and returns its outputs (one-shot providers and modes). */
  edit?(call: ProviderCall<Plan>): Promise<ProviderEditOutput>;

  /** Starts an edit as a provider-side job. The returned id must be enough to resume it later. */
  submit?(call: ProviderCall<Plan>): Promise<ProviderJobSubmission>;

  /** Reads a job's state once: a free read, which the dispatcher repeats and retries. */
  status?(jobId: string, context: ProviderContext): Promise<ProviderJobStatus>;

  /**
   * Starts listening for news of a job (an event stream), so the dispatcher's wait wakes as soon as
   * the provider announces it. Optional: without it the dispatcher polls `status`.
   */
  watch?(jobId: string, options: WatchOptions): JobWatch;

  /**
   * Looks up, in the provider's own records, an edit whose billable request left at `sentAt` and
   * whose answer was lost with the process that sent it (a worker that died), so the process taking
   * it over neither pays for it twice nor gives up a result already paid for. Answers `found` with the
   * provider job to re-attach to (running or finished: `status` reads it), `absent` only when the
   * records would list the request by now had the provider received it, else `unknown` with the
   * reason (ambiguous, unreadable, or too early: `notBefore` says when asking again can tell).
   * Optional: without it such an edit stays possibly billed. A free read, like `status`.
   */
  findLostEdit?(lost: LostEditQuery<Plan>, context: ProviderContext): Promise<LostEditSearch>;

  /** Cancels a job on the provider, where the provider allows it. */
  cancel?(jobId: string, context: ProviderContext): Promise<void>;

  /** The expected cost of a prepared request from published prices, or `undefined` when unknown. */
  estimateCost?(
    edit: { request: NormalizedEditRequest; plan: Plan },
    context: ProviderContext,
  ): Promise<Cost | undefined>;

  /** Describes what a model accepts, so options it lacks are caught before the call. */
  capabilities?(modelId: string, context: ProviderContext): Promise<ModelCapabilities | undefined>;

  /** The provider's edit-capable models. */
  listModels?(context: ProviderContext): Promise<ModelInfo[]>;

  /** Releases sockets, timers and event streams. */
  close?(): Promise<void>;
}

/**
 * The function form of {@link ProviderAdapter.prefersJobs}. Written as a method's type so that an
 * adapter with a typed plan (`ProviderAdapter<MyPlan>`) still fits where any adapter is expected.
 */
export type PrefersJobs<Plan> = {
  /** Whether this request, with its plan, runs as a provider job. */
  bivariant(request: NormalizedEditRequest, plan: Plan): boolean;
}['bivariant'];

/** What every adapter method is given. */
export interface ProviderContext {
  /**
   * The adapter's HTTP client bound to the provider's lane: every request through it waits for room
   * in the rate window. The adapter sends everything through this client, and keeps it for later
   * downloads of the results it returns.
   */
  readonly http: HttpClient;
  /** Aborts when the caller aborts, the job is cancelled, or the deadline passes. */
  readonly signal: AbortSignal;
}

/** One edit as the dispatcher hands it to an adapter. */
export interface ProviderCall<Plan = unknown> extends ProviderContext {
  /** The validated request, with this provider's `providerOptions` only. */
  readonly request: NormalizedEditRequest;
  /** What `prepare` returned for this request (`undefined` for an adapter without `prepare`). */
  readonly plan: Plan;
  /** Epoch milliseconds by which the whole edit must settle, when there is a deadline. */
  readonly deadline?: number;
  /** A stable key identifying this logical edit across attempts, for idempotency where supported. */
  readonly idempotencyKey: string;
}

/**
 * How often the dispatcher reads a job's status. The first read comes after `firstIntervalMs`; the
 * wait then grows by half each time up to `maxIntervalMs`. While a `watch` is live, reads come only
 * every `whileWatchedMs`, as a safety net for a missed event.
 */
export interface PollingSettings {
  /**
   * The provider's documented interval between reads.
   * @default 2000
   */
  intervalMs?: number;
  /**
   * The longest interval between reads.
   * @default intervalMs
   */
  maxIntervalMs?: number;
  /**
   * The first read's delay after the job is accepted.
   * @default the smaller of 500 and intervalMs
   */
  firstIntervalMs?: number;
  /**
   * The interval between reads while the adapter's `watch` reports itself live.
   * @default 30000
   */
  whileWatchedMs?: number;
}

/** Options of {@link ProviderAdapter.watch}. */
export interface WatchOptions extends ProviderContext {
  /**
   * Hands the dispatcher news of the job: a status the adapter learned (from an event), or nothing to
   * ask for a status read now (after a reconnection, when events may have been missed).
   */
  notify(status?: ProviderJobStatus): void;
  /**
   * The request that started the job, as `submit` was given it, so per-request settings (how completion
   * is learned) apply. Absent for a job resumed from a snapshot: the adapter then uses its defaults.
   */
  request?: NormalizedEditRequest;
}

/** A watch started by {@link ProviderAdapter.watch}. */
export interface JobWatch {
  /**
   * True while the adapter is sure to hear of the job's end (its event stream is connected): the
   * dispatcher then polls only every `polling.whileWatchedMs`. False makes it poll at the usual pace.
   */
  readonly live: boolean;
  /** Stops listening. */
  stop(): void;
}

/** The edit {@link ProviderAdapter.findLostEdit} looks for. */
export interface LostEditQuery<Plan = unknown> {
  /** The request as it was sent, with this provider's `providerOptions`. */
  readonly request: NormalizedEditRequest;
  /** What `prepare` returns for it now (the same request prepares the same way). */
  readonly plan: Plan;
  /** When its billable request was about to leave, in epoch milliseconds: it left at or after this. */
  readonly sentAt: number;
}

/** What {@link ProviderAdapter.findLostEdit} found. */
export type LostEditSearch =
  | {
      /** The provider's records hold the edit, and nothing else that could be it. */
      state: 'found';
      /** The provider job to re-attach to, as `submit` would have returned it. */
      providerJobId: string;
    }
  | {
      /** The provider provably never received it: its records would list it by now, and do not. */
      state: 'absent';
    }
  | {
      /** The records cannot tell: the edit may have been billed. */
      state: 'unknown';
      /** Why, for people: e.g. two generations could be it, or the records could not be read. */
      reason: string;
      /** Epoch milliseconds from which the records would surely list the request, when it is not yet. */
      notBefore?: number;
    };

/** What `prepare` found. */
export interface PreparedEdit<Plan = unknown> {
  /** How the request goes on the wire; handed back as `call.plan`. */
  plan: Plan;
  /** Options that will be dropped or adjusted (typed with the neutral option name), and advice. */
  warnings: EditWarning[];
}

/** The outputs of a finished edit, as an adapter returns them. */
export interface ProviderEditOutput {
  /** The output images (build them with `createGeneratedImage`). */
  images: GeneratedImage[];
  /** The cost, reported by the provider or estimated from its prices. */
  cost?: Cost;
  /** Options that were dropped or adjusted, and other advice. */
  warnings: EditWarning[];
  /** The provider's parsed response (secrets and long base64 strings are elided by the dispatcher). */
  raw: unknown;
  /** The provider's job id when the edit ran as a job. */
  jobId?: string;
  /** For aggregators, the upstream provider that ran the model. */
  upstreamProvider?: string;
  /** Usage the provider reported. */
  usage?: Record<string, unknown>;
  /**
   * When the provider started the work (epoch ms), if it says: the result's `queuedMs` then covers
   * the provider's queue. The dispatcher keeps it between the submission and the result, so a coarse
   * provider clock (whole seconds) cannot push the start outside the edit.
   */
  startedAt?: number;
  /** When the provider finished the work (epoch ms), if it says; one before `startedAt` voids both. */
  completedAt?: number;
}

/** The result of `submit`. */
export interface ProviderJobSubmission {
  /** The provider's job id (opaque to the dispatcher; may join several provider ids). */
  jobId: string;
  /** Options that will be dropped or adjusted, known at submission. */
  warnings: EditWarning[];
  /** The provider's parsed response to the submission. */
  raw?: unknown;
}

/** A job's state as the provider reports it. */
export type ProviderJobStatus =
  | {
      /** Waiting in the provider's queue, or being worked on. */
      state: 'queued' | 'running';
      /** The provider's parsed status response. */
      raw?: unknown;
    }
  | {
      /** Finished with outputs. */
      state: 'succeeded';
      /** The outputs, as `edit` would return them. */
      output: ProviderEditOutput;
    }
  | {
      /** Finished without outputs. */
      state: 'failed';
      /** Why, as a typed error (e.g. `GenerationFailedError`, `InsufficientCreditsError`). */
      error: RetouchError;
      /** The provider's parsed status response. */
      raw?: unknown;
    }
  | {
      /** Cancelled before it finished. */
      state: 'cancelled';
      /** The provider's parsed status response. */
      raw?: unknown;
    };

/** Per-provider lane limits. */
export interface LaneLimits {
  /**
   * Most requests in flight at once.
   * @default the provider's default, else 8
   */
  concurrency?: number;
  /**
   * Most request starts in any sliding one-second window. Leave unset to let the lane adapt to 429s.
   */
  requestsPerSecond?: number;
}

/** What a model accepts, used to warn about or refuse options before the call. */
export interface ModelCapabilities {
  /** The most input images the model takes (1 for single-image models). */
  maxInputImages: number;
  /** Whether the model takes a mask. */
  mask: boolean;
  /** Output count the model can produce per call; the adapter may split larger `n`. */
  maxOutputs: number;
  /** Accepted `size` values (`WxH` or `auto`), or `undefined` when the model has no size option. */
  sizes?: readonly string[];
  /** Accepted `aspectRatio` values, or `undefined` when the model has no aspect ratio option. */
  aspectRatios?: readonly string[];
  /** Accepted `quality` values. */
  qualities?: readonly string[];
  /** Accepted output formats, in neutral spelling (`png`, `jpeg`, `webp`). */
  outputFormats?: readonly string[];
  /** Whether `seed` is honoured. */
  seed: boolean;
  /** Whether `negativePrompt` is honoured. */
  negativePrompt: boolean;
}

/** A price list entry for one model. */
export interface ModelPricing {
  /** Flat price per output image, in USD. */
  perImageUsd?: number;
  /** Prices by quality then resolution, in USD per image, e.g. `{ high: { '1024x1024': 0.2 } }`. */
  perImageGridUsd?: Record<string, Record<string, number>>;
  /** How the provider bills the model when it is not per image (e.g. `token`, `time`). */
  method?: string;
}

/** One edit-capable model of a provider. */
export interface ModelInfo {
  /** `provider:model`, ready to use as `EditRequest.model`. */
  id: string;
  /** The provider id, e.g. `oxen`. */
  provider: string;
  /** The provider's own model id. */
  modelId: string;
  /** The model's name for people, e.g. `Qwen Image Edit`. */
  displayName?: string;
  /** What the model is good at, in the provider's words. */
  description?: string;
  /** What the model accepts, when the provider describes it. */
  capabilities?: ModelCapabilities;
  /** The model's published prices, when the provider lists them. */
  pricing?: ModelPricing;
  /** The model's own parameters (name → allowed values or a short description). */
  parameters?: Record<
    string,
    {
      /** The JSON Schema type, e.g. `string` or `integer`. */
      type?: string;
      /** The allowed values, when the parameter is an enumeration. */
      enum?: readonly unknown[];
      /** The value used when the parameter is omitted. */
      default?: unknown;
      /** What the parameter does, in the provider's words. */
      description?: string;
    }
  >;
}
