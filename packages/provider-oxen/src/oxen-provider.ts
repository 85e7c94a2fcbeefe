import {
  type Cost,
  type ModelCapabilities,
  type ModelInfo,
  type NormalizedEditRequest,
  type ProviderAdapter,
  RetouchError,
} from '@retouch/core';
import {
  createHttpClient,
  type HttpClient,
  type JobWatch,
  type LostEditQuery,
  type LostEditSearch,
  loadApiKey,
  type PreparedEdit,
  type ProviderCall,
  type ProviderContext,
  type ProviderEditOutput,
  type ProviderJobStatus,
  type ProviderJobSubmission,
  type WatchOptions,
} from '@retouch/core/provider-utils';
import { OXEN_BASE_URL } from './oxen-api.ts';
import type { OxenBilledGenerations, OxenBilledGenerationsOptions } from './oxen-billed-generations.ts';
import { OxenEditModel } from './oxen-edit-model.ts';
import type { OxenMode } from './oxen-edit-options.ts';
import type { OxenEditPlan } from './oxen-edit-plan.ts';
import { parseOxenErrorBody } from './oxen-error.ts';
import type { OxenEventStreamOptions } from './oxen-events.ts';

/** Options of {@link createOxen}. */
export interface OxenProviderSettings {
  /**
   * The Oxen API key. Read from `OXEN_API_KEY` when omitted, at first use (creating the provider
   * never throws for a missing key).
   */
  apiKey?: string;
  /**
   * Oxen's API origin. Only this origin ever receives the key.
   * @default 'https://hub.oxen.ai'
   */
  baseURL?: string;
  /** The Oxen namespace (user or organization) billed and storing results. @default the key's owner */
  targetNamespace?: string;
  /**
   * How edits run. `sse` never holds a request open for the length of a model run (so a slow
   * model cannot hit an HTTP timeout), learns of completion as soon as Oxen announces it, and
   * costs one connection however many jobs wait, where `queue` costs a read per job every few
   * seconds. `sync` suits one quick edit where a long-lived connection is unwanted. One request
   * may choose another mode with `providerOptions.oxen.mode`.
   * @default 'sse'
   */
  mode?: OxenMode;
  /**
   * The interval between the dispatcher's status reads of a job (`polling.intervalMs`): in `queue`
   * mode, and in `sse` mode while the event stream is down. Reads start sooner and back off by half
   * each round up to `maxPollIntervalMs`.
   * @default 2000
   */
  pollIntervalMs?: number;
  /**
   * The longest interval between status reads (`polling.maxIntervalMs`).
   * @default 10000
   */
  maxPollIntervalMs?: number;
  /** A `fetch` implementation, e.g. for a proxy. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
  /** Extra headers on every request to Oxen. */
  headers?: Record<string, string>;
  /**
   * Read the billed cost of each queued job from `GET /api/ai/generations/{id}` (one read per output);
   * otherwise the cost is estimated from the model's published prices.
   * @default false
   */
  reportCost?: boolean;
  /**
   * The longest a `sync` request may wait for its response (Oxen answers only when the model is done).
   * @default 600000
   */
  syncTimeoutMs?: number;
  /** Tuning of the shared event stream used in `sse` mode. */
  events?: OxenEventStreamOptions;
}

/**
 * The Oxen.ai provider: a Retouch {@link ProviderAdapter} (adapter spec 2) plus the model catalogue.
 * Hand it to `createRetouch`, which paces, waits, retries and enforces strict mode for it.
 *
 * @example
 * const retouch = createRetouch({ providers: [oxen] });
 * const result = await retouch.edit({
 *   model: 'oxen:qwen-image-edit',
 *   prompt: 'Make the background blue',
 *   images: ['https://example.com/my-photo.jpg'],
 * });
 */
export interface OxenProvider extends ProviderAdapter<OxenEditPlan> {
  readonly id: 'oxen';
  readonly specificationVersion: 2;
  /** The client every request to Oxen is made with; the dispatcher binds it to the provider's lane. */
  readonly http: HttpClient;
  /** The mode edits run in, unless a request sets `providerOptions.oxen.mode`. */
  readonly mode: OxenMode;
  /**
   * How often the dispatcher reads a job's status: `pollIntervalMs` and `maxPollIntervalMs`, and
   * `events.reconcileIntervalMs` while the event stream is connected.
   */
  readonly polling: {
    /** The interval between status reads (`pollIntervalMs`). */
    readonly intervalMs: number;
    /** The longest interval between status reads (`maxPollIntervalMs`). */
    readonly maxIntervalMs: number;
    /** The interval between status reads while the event stream is live (`events.reconcileIntervalMs`). */
    readonly whileWatchedMs: number;
  };
  /** False for a request that runs in `sync` mode (its own, from its plan, or the provider's), true otherwise. */
  prefersJobs(request: NormalizedEditRequest, plan?: OxenEditPlan): boolean;
  /**
   * Checks the request, reads the model's parameter schema (once per model) and maps the request onto
   * it: the plan, with a warning for each option the model drops or adjusts.
   */
  prepare(request: NormalizedEditRequest, context: ProviderContext): Promise<PreparedEdit<OxenEditPlan>>;
  /** Runs a prepared edit in sync mode: one blocking `POST /api/ai/images/edit` per output image. */
  edit(call: ProviderCall<OxenEditPlan>): Promise<ProviderEditOutput>;
  /**
   * Enqueues a prepared edit (`POST /api/ai/queue`, in chunks of at most four generations, all or
   * nothing), after opening the event stream in `sse` mode. The job id joins the generation ids.
   */
  submit(call: ProviderCall<OxenEditPlan>): Promise<ProviderJobSubmission>;
  /** Reads every generation of a job once and folds them into one status. */
  status(jobId: string, context: ProviderContext): Promise<ProviderJobStatus>;
  /**
   * Follows a job on the shared event stream when it runs in `sse` mode (the request's, or for a
   * resumed job the provider's): wakes the dispatcher with the job's final status once every
   * generation is announced, and asks for a status read when the stream drops or comes back.
   */
  watch(jobId: string, options: WatchOptions): JobWatch;
  /**
   * Looks up an edit whose answer was lost with the process that sent it (a queue worker that died)
   * in Oxen's records (`GET /api/ai/queue` and `GET /api/ai/generations`), matching model, prompt,
   * echoed parameters and enqueue time from `sentAt`: `found` only when exactly its generations
   * match, `absent` once a request that recent would be listed (5 s) and nothing matches, else
   * `unknown` with the reason. Through a client: `retouch.findLostEdit(request, { sentAt })`.
   */
  findLostEdit(lost: LostEditQuery<OxenEditPlan>, context: ProviderContext): Promise<LostEditSearch>;
  /** Cancels every generation of a job (`DELETE /api/ai/queue/{id}`). */
  cancel(jobId: string, context: ProviderContext): Promise<void>;
  /** The expected cost of a prepared edit, from the model's published prices. */
  estimateCost(
    edit: { request: NormalizedEditRequest; plan: OxenEditPlan },
    context: ProviderContext,
  ): Promise<Cost | undefined>;
  /**
   * What Oxen billed over a time range: every generation its history (`GET /api/ai/generations`, all
   * pages) holds from `from` to `to`, with its id, model, prompt, status, cost in USD, creation time
   * and output URLs, and their total. Free reads, each sent again after a 429 or 5xx. Requests go
   * through the provider's own client unless `http` (e.g. a client bound to a lane) is given.
   *
   * @example
   * const { generations, totalUsd } = await oxen.listBilledGenerations({
   *   from: new Date('2026-12-01T00:00:00Z'),
   *   to: new Date('2026-12-02T00:00:00Z'),
   * });
   */
  listBilledGenerations(
    options: OxenBilledGenerationsOptions & { http?: HttpClient | undefined },
  ): Promise<OxenBilledGenerations>;
  /** What a model accepts, in neutral terms, from its parameter schema. */
  capabilities(modelId: string, context: ProviderContext): Promise<ModelCapabilities | undefined>;
  /**
   * The edit models (`GET /api/ai/models`), with their parameters and prices. Through a client:
   * `retouch.listModels({ provider: 'oxen' })`.
   */
  listModels(context: ProviderContext): Promise<ModelInfo[]>;
  /**
   * Closes the event stream, so the process can exit; jobs still waiting on it are then polled. The
   * provider stays usable: a later job opens a new stream.
   */
  close(): Promise<void>;
}

const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_MAX_POLL_INTERVAL_MS = 10_000;
const DEFAULT_WHILE_WATCHED_MS = 30_000;
const DEFAULT_SYNC_TIMEOUT_MS = 10 * 60_000;

/**
 * Creates an Oxen.ai provider.
 *
 * @example
 * import { createOxen } from '@retouch/provider-oxen';
 * const oxen = createOxen({ mode: 'queue', targetNamespace: 'my-org' });
 */
export function createOxen(settings: OxenProviderSettings = {}): OxenProvider {
  const removed = (settings as { strict?: unknown }).strict;
  if (removed !== undefined && removed !== false) {
    throw new RetouchError({
      message:
        'createOxen: strict is no longer a provider setting; pass it to the client instead: createRetouch({ providers, strict: true })',
    });
  }
  const mode = settings.mode ?? 'sse';
  if (mode !== 'sync' && mode !== 'queue' && mode !== 'sse') {
    throw new RetouchError({
      message: `createOxen: mode must be "sse", "queue" or "sync", not ${JSON.stringify(mode)}`,
    });
  }
  const intervalMs = positive({
    name: 'pollIntervalMs',
    value: settings.pollIntervalMs,
    fallback: DEFAULT_POLL_INTERVAL_MS,
  });
  const maxIntervalMs = Math.max(
    intervalMs,
    positive({
      name: 'maxPollIntervalMs',
      value: settings.maxPollIntervalMs,
      fallback: DEFAULT_MAX_POLL_INTERVAL_MS,
    }),
  );
  const whileWatchedMs = positive({
    name: 'events.reconcileIntervalMs',
    value: settings.events?.reconcileIntervalMs,
    fallback: DEFAULT_WHILE_WATCHED_MS,
  });
  const syncTimeoutMs = positive({
    name: 'syncTimeoutMs',
    value: settings.syncTimeoutMs,
    fallback: DEFAULT_SYNC_TIMEOUT_MS,
  });
  const baseURL = settings.baseURL ?? OXEN_BASE_URL;
  if (!/^https?:\/\/[^/]/i.test(baseURL) || !URL.canParse(baseURL)) {
    throw new RetouchError({
      message: `createOxen: baseURL must be an http(s) URL such as "${OXEN_BASE_URL}"`,
    });
  }
  const http = createHttpClient({
    provider: 'oxen',
    baseURL,
    apiKey: () =>
      loadApiKey({
        apiKey: settings.apiKey,
        environmentVariable: 'OXEN_API_KEY',
        description: 'Oxen.ai',
        factory: 'createOxen',
      }),
    apiKeyEnvVar: 'OXEN_API_KEY',
    parseErrorBody: parseOxenErrorBody,
    ...(settings.headers ? { headers: settings.headers } : {}),
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  });
  return new OxenEditModel({
    http,
    mode,
    polling: { intervalMs, maxIntervalMs, whileWatchedMs },
    targetNamespace: settings.targetNamespace,
    reportCost: settings.reportCost ?? false,
    syncTimeoutMs,
    events: settings.events ?? {},
  });
}

/** A setting of milliseconds that must be positive: `value`, else `fallback` when it is not given. */
function positive(options: { name: string; value: number | undefined; fallback: number }): number {
  const { name, value, fallback } = options;
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RetouchError({ message: `createOxen: ${name} must be a positive number of milliseconds` });
  }
  return value;
}

/**
 * The default Oxen provider: `sse` mode, key from `OXEN_API_KEY`. The key is read at first use, so
 * importing this never throws.
 *
 * @example
 * import { createRetouch } from '@retouch/core';
 * import { oxen } from '@retouch/provider-oxen';
 * const retouch = createRetouch({ providers: [oxen] });
 */
export const oxen: OxenProvider = createOxen();
