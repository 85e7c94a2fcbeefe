/**
 * Eden AI's v3 image-edit API as one simulator: its options and handle, over the route groups beside it
 * (edits, uploads, models) and the shared server.
 */
import { join } from 'node:path';
import { CreditBalance } from '../shared/credit-balance.ts';
import { FileStore } from '../shared/file-store.ts';
import type { RemoteImagePolicy } from '../shared/image-source.ts';
import { PendingTimers } from '../shared/pending-timers.ts';
import {
  liveView,
  providerSimulatorHandle,
  type Simulator,
  startProviderServer,
  zeroCounters,
} from '../shared/provider-simulator.ts';
import { type RateLimitOptions, SlidingWindowRateLimiter } from '../shared/rate-limiter.ts';
import { edenAIEditRoutes } from './edenai-edit-routes.ts';
import { edenAIModelRoutes } from './edenai-model-routes.ts';
import type { EdenAIModel } from './edenai-models.ts';
import { edenAIProfile } from './edenai-profile.ts';
import { edenAIUploadRoutes } from './edenai-upload-routes.ts';
import { EdenAIUploadStore } from './edenai-upload-store.ts';

/**
 * Options of {@link startEdenAISimulator}.
 *
 * @example
 * const eden = await startEdenAISimulator({ rateLimit: { requestsPerSecond: 3 } });
 */
export interface EdenAISimulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The only bearer token accepted. @default 'sim-edenai-key' */
  apiKey?: string;
  /**
   * The per-account sliding-window limit on authenticated routes, answered with 429 and `retry_after` in
   * the body; `false` turns it off. @default { requestsPerSecond: 10, windowMs: 1000 }
   */
  rateLimit?: RateLimitOptions | false;
  /** USD balance; when set, an edit costing more is refused with 402. */
  credits?: number;
  /** Which documented 402 body a lack of credits gets. @default 'detailed' */
  insufficientCreditsShape?: 'simple' | 'detailed';
  /** Models this account may not use: edits with them get 403 `permission_error`. @default [] */
  forbiddenModels?: string[];
  /** How long an edit takes before it answers. @default 0 */
  editDelayMs?: number;
  /** Lifetime of result URLs. @default 600000 (10 minutes) */
  resultTtlMs?: number;
  /** What to do with `image_url`s on other hosts (see {@link RemoteImagePolicy}). @default 'generate' */
  remoteImages?: RemoteImagePolicy;
  /** Largest JSON body, in bytes (413 above). @default 64 MiB */
  maxJsonBodyBytes?: number;
  /**
   * A directory the bill is kept in, so a simulator started again on it keeps counting (Eden's edits
   * answer at once: there are no jobs to keep). @default in memory only
   */
  stateDirectory?: string;
  /** Largest multipart body, in bytes (413 above). @default 1 GiB */
  maxMultipartBodyBytes?: number;
  /** Largest file accepted by `POST /v3/upload`. @default 100 MB */
  maxUploadBytes?: number;
  /**
   * Which Eden host this stands for: `eu` (`api.eu.edenai.run`) lists only the models served in the
   * EU and answers 451 for the others, as Eden's EU endpoint does. @default 'global'
   */
  region?: 'global' | 'eu';
}

/** Counters for tests and benchmarks. */
export interface EdenAISimulatorCounters {
  /** Requests refused by the rate limit (not by a fault). */
  rateLimited: number;
  /** Images produced by accepted edits. */
  imagesGenerated: number;
  /** Files accepted by `POST /v3/upload`. */
  uploads: number;
}

/** A running Eden AI simulator. */
export interface EdenAISimulator extends Simulator {
  /** Edit requests accepted for paid work. */
  readonly billableCount: number;
  /** Sum of `cost` over accepted edits, USD. */
  readonly spentUsd: number;
  /** Live counters for tests and benchmarks. */
  readonly counters: EdenAISimulatorCounters;
  /** Forgets recorded requests and zeroes `billableCount`, `spentUsd` and the counters. */
  clearRequests(): void;
}

/**
 * Starts a local server speaking Eden AI's v3 image-edit API (JSON and multipart), uploads and models, with
 * its per-account rate limit, recording and fault injection.
 *
 * @example
 * const eden = await startEdenAISimulator();
 * const provider = createEdenAI({ apiKey: eden.apiKey, baseURL: eden.url });
 * // ... run the code under test ...
 * expect(eden.requests.filter((request) => request.billable)).toHaveLength(1);
 * await eden.close();
 */
export async function startEdenAISimulator(options: EdenAISimulatorOptions = {}): Promise<EdenAISimulator> {
  const apiKey = options.apiKey ?? 'sim-edenai-key';
  const fileStore = new FileStore({ ttlMs: options.resultTtlMs ?? 10 * 60 * 1000 });
  const uploads = new EdenAIUploadStore();
  const rateLimiter =
    options.rateLimit === false
      ? undefined
      : new SlidingWindowRateLimiter(options.rateLimit ?? { requestsPerSecond: 10 });
  const counters: EdenAISimulatorCounters = { rateLimited: 0, imagesGenerated: 0, uploads: 0 };
  const balance = new CreditBalance(options.credits);
  const timers = new PendingTimers();
  const region = options.region ?? 'global';
  const inRegion = (model: EdenAIModel) => region === 'global' || model.regions.includes(region);

  const server = await startProviderServer({
    port: options.port,
    host: options.host,
    apiKey,
    routes: [
      edenAIEditRoutes({
        fileStore,
        uploads,
        timers,
        balance,
        counters,
        region,
        remoteImages: options.remoteImages ?? 'generate',
        forbiddenModels: options.forbiddenModels,
        insufficientCreditsShape: options.insufficientCreditsShape ?? 'detailed',
        editDelayMs: options.editDelayMs ?? 0,
      }),
      edenAIUploadRoutes({ uploads, counters, maxUploadBytes: options.maxUploadBytes ?? 100 * 1000 * 1000 }),
      edenAIModelRoutes({ inRegion }),
    ],
    profile: edenAIProfile,
    fileStore,
    timers,
    balance,
    billingFile: options.stateDirectory ? join(options.stateDirectory, 'edenai-billing.json') : undefined,
    rateLimiter,
    maxJsonBodyBytes: options.maxJsonBodyBytes,
    maxMultipartBodyBytes: options.maxMultipartBodyBytes ?? 1024 * 1024 * 1024,
    onRateLimited: () => {
      counters.rateLimited += 1;
    },
  });

  return providerSimulatorHandle({
    server,
    apiKey,
    credits: () => balance.remaining,
    onClearRequests: () => {
      balance.clearSpent();
      zeroCounters(counters);
      rateLimiter?.reset();
    },
    extra: {
      get spentUsd() {
        return balance.spentUsd;
      },
      counters: liveView(counters),
    },
  });
}
