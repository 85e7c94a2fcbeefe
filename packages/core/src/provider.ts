import type { Cost } from './cost.ts';
import type { NormalizedEditRequest } from './edit-request.ts';
import type { EditWarning, GeneratedImage } from './edit-result.ts';
import type { RetouchError } from './errors/retouch-error.ts';

/**
 * The adapter spec: what a provider package implements so the dispatcher can drive it.
 * A provider with only a one-shot `edit` is complete; providers with jobs add `submit`, `status`
 * and `cancel` (and may add `waitForCompletion` when they can be told of completion, e.g. by events).
 * The dispatcher owns rate limits, retries, deadlines, budgets and the polling loop.
 *
 * Adapters never retry a billable POST themselves: they throw, and the dispatcher decides from
 * `ApiCallError.provablyNotProcessed` whether a second attempt could pay twice.
 *
 * @example
 * const echo: ProviderAdapter = {
 *   id: 'echo',
 *   specificationVersion: 1,
 *   async edit(call) {
 *     return { images: [], raw: {}, warnings: [] };
 *   },
 * };
 */
export interface ProviderAdapter {
  /** The provider id: the prefix of `model` strings that this adapter serves, e.g. `oxen`. */
  readonly id: string;
  /** The version of this spec the adapter implements. */
  readonly specificationVersion: 1;
  /** The provider's documented limits, used for its lane when the client configures none. */
  readonly defaultLimits?: LaneLimits;
  /**
   * True when `edit` should run as `submit` + completion (queue modes). The dispatcher then owns the
   * waiting, so a deadline or a cancel reaches the provider's job. A function decides per request,
   * for adapters whose mode can be chosen in `providerOptions` (it is called after `prepare`, with the
   * request the adapter will be given, and must not throw: `prepare` is where a request is refused).
   *
   * @example
   * // The request's own `providerOptions.<provider>.mode` wins over the adapter's default.
   * prefersJobs: (request) => (request.providerOptions.mode ?? defaultMode) !== 'sync',
   */
  readonly prefersJobs?: boolean | ((request: NormalizedEditRequest) => boolean);
  /** Interval between status polls when the dispatcher polls; default 2,000 ms. */
  readonly pollIntervalMs?: number;

  /**
   * Checks a request against the model before anything billable is sent: returns warnings for
   * options that will be dropped or adjusted, throws `UnsupportedFeatureError` (strict mode) or
   * `InvalidRequestError`. May read the provider's model catalogue (a cached, free call).
   */
  prepare?(request: NormalizedEditRequest, options: { signal?: AbortSignal }): Promise<PreparedEdit>;

  /** Runs one edit to completion and returns its outputs. */
  edit(call: ProviderCall): Promise<ProviderEditOutput>;

  /** Starts an edit as a provider-side job. The returned id must be enough to resume it later. */
  submit?(call: ProviderCall): Promise<ProviderJobSubmission>;

  /** Reads a job's state: a free, freely retried read. */
  status?(jobId: string, options: { signal?: AbortSignal }): Promise<ProviderJobStatus>;

  /**
   * Resolves when the job reaches a terminal state, by whatever means is cheaper than polling
   * (an event stream). Optional: without it the dispatcher polls `status`.
   */
  waitForCompletion?(jobId: string, options: WaitForCompletionOptions): Promise<ProviderJobStatus>;

  /** Cancels a job on the provider, where the provider allows it. */
  cancel?(jobId: string, options: { signal?: AbortSignal }): Promise<void>;

  /** The expected cost of a request from published prices, or `undefined` when unknown. */
  estimateCost?(request: NormalizedEditRequest, options: { signal?: AbortSignal }): Promise<Cost | undefined>;

  /** Describes what a model accepts, so options it lacks are caught before the call. */
  capabilities?(modelId: string, options: { signal?: AbortSignal }): Promise<ModelCapabilities | undefined>;

  /** The provider's edit-capable models. */
  listModels?(options?: { signal?: AbortSignal }): Promise<ModelInfo[]>;

  /** Releases sockets, timers and event streams. */
  close?(): Promise<void>;
}

/** One edit as the dispatcher hands it to an adapter. */
export interface ProviderCall {
  /** The validated request, with this provider's `providerOptions` only. */
  readonly request: NormalizedEditRequest;
  /** Aborts when the caller aborts, the job is cancelled, or the deadline passes. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds by which the whole edit must settle, when there is a deadline. */
  readonly deadline?: number;
  /** A stable key identifying this logical edit across attempts, for idempotency where supported. */
  readonly idempotencyKey: string;
  /**
   * Call before each request after the first that this call sends to the provider (the edit after an
   * upload, a second upload): it waits until the provider's rate window has room, then counts the
   * request there, so extra requests keep to the lane's rate limit too. Absent when the adapter is
   * used without the dispatcher.
   *
   * @example
   * const fileId = await upload(image);            // the call's first request: already counted
   * await call.paceRequest?.();                    // the second one waits for room in the window
   * return sendEdit({ fileId });
   */
  readonly paceRequest?: () => Promise<void>;
}

/** Options of {@link ProviderAdapter.waitForCompletion}. */
export interface WaitForCompletionOptions {
  /** Aborts the wait (the job itself is left to `cancel`). */
  signal: AbortSignal;
  /** Receives the job's intermediate states (`queued`, `running`) as the adapter learns them. */
  onStatus?: (status: ProviderJobStatus) => void;
  /**
   * Epoch milliseconds by which the edit must settle, when it has a deadline. A polling adapter bounds
   * each read by it, so a read that hangs is abandoned in time for another to bring the result.
   */
  deadline?: number;
  /**
   * The request that started the job, as `submit` was given it, so per-request settings (e.g. how
   * completion is learned) apply to the wait too. Absent for a job resumed from a snapshot, which
   * keeps no request: the adapter then uses its own defaults.
   */
  request?: NormalizedEditRequest;
}

/** What `prepare` found. */
export interface PreparedEdit {
  /** Options that will be dropped or adjusted. */
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
