/**
 * OpenAI's image edit endpoint, written from OpenAI's published API reference: "Create image edit"
 * (https://platform.openai.com/docs/api-reference/images/createEdit), whose request (`ImageEditParams`),
 * response (`ImagesResponse`, `Image`, `Usage`) and error (`{ error: { message, type, param, code } }`)
 * types openai-node carries in `src/resources/images.ts` and `src/core/error.ts`, generated from OpenAI's
 * OpenAPI spec. Rate-limit headers follow the reference's rate-limit guide (`retry-after`, and the
 * `retry-after-ms` its SDKs read first).
 */
import { CreditBalance } from '../shared/credit-balance.ts';
import { FileStore } from '../shared/file-store.ts';
import { PendingTimers } from '../shared/pending-timers.ts';
import {
  liveView,
  providerSimulatorHandle,
  type Simulator,
  startProviderServer,
  zeroCounters,
} from '../shared/provider-simulator.ts';
import { type RateLimitOptions, SlidingWindowRateLimiter } from '../shared/rate-limiter.ts';
import { openAIEditRoutes } from './openai-edit-routes.ts';
import { openAIProfile } from './openai-profile.ts';

/**
 * Options of {@link startOpenAISimulator}.
 *
 * @example
 * const openai = await startOpenAISimulator({ rateLimit: { requestsPerSecond: 2 } });
 */
export interface OpenAISimulatorOptions {
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The only bearer token accepted. @default 'sim-openai-key' */
  apiKey?: string;
  /**
   * A per-account sliding-window limit, answered with 429 `rate_limit_exceeded` and `retry-after`
   * headers. OpenAI's limits depend on the account's tier, so there is none by default.
   * @default false
   */
  rateLimit?: RateLimitOptions | false;
  /** USD balance; an edit costing more is refused with 429 `insufficient_quota`, as OpenAI does. */
  credits?: number;
  /** How long an edit takes before it answers. @default 0 */
  editDelayMs?: number;
  /** Lifetime of `dall-e-2` result URLs. @default 3600000 (60 minutes, as the reference says) */
  resultTtlMs?: number;
  /** Largest multipart body, in bytes (413 above). @default 1 GiB */
  maxMultipartBodyBytes?: number;
}

/** Counters for tests and benchmarks. */
export interface OpenAISimulatorCounters {
  /** Requests refused by the rate limit (not by a fault). */
  rateLimited: number;
  /** Images produced by accepted edits. */
  imagesGenerated: number;
}

/** A running OpenAI simulator. */
export interface OpenAISimulator extends Simulator {
  /** Edits accepted for paid work. */
  readonly billableCount: number;
  /** What the accepted edits would have cost, USD, from the simulator's illustrative prices. */
  readonly spentUsd: number;
  /** Live counters for tests and benchmarks. */
  readonly counters: OpenAISimulatorCounters;
  /** Forgets recorded requests and zeroes `billableCount`, `spentUsd` and the counters. */
  clearRequests(): void;
}

/**
 * Starts a local server speaking OpenAI's `POST /v1/images/edits` (multipart: `image` or `image[]` files,
 * `mask`, `prompt`, `model`, `n`, `size`, `quality`, `response_format`, ...), with an optional per-account
 * rate limit, recording and fault injection. Point `@ai-sdk/openai` (`createOpenAI({ baseURL: `${url}/v1` })`)
 * or any OpenAI client at it.
 *
 * @example
 * const openaiSim = await startOpenAISimulator();
 * const openai = createOpenAI({ apiKey: openaiSim.apiKey, baseURL: `${openaiSim.url}/v1` });
 * // ... run the code under test with openai.image('gpt-image-1') ...
 * expect(openaiSim.billableCount).toBe(1);
 * await openaiSim.close();
 */
export async function startOpenAISimulator(options: OpenAISimulatorOptions = {}): Promise<OpenAISimulator> {
  const apiKey = options.apiKey ?? 'sim-openai-key';
  const fileStore = new FileStore({ ttlMs: options.resultTtlMs ?? 60 * 60 * 1000 });
  const rateLimiter =
    options.rateLimit === undefined || options.rateLimit === false
      ? undefined
      : new SlidingWindowRateLimiter(options.rateLimit);
  const counters: OpenAISimulatorCounters = { rateLimited: 0, imagesGenerated: 0 };
  const balance = new CreditBalance(options.credits);
  const timers = new PendingTimers();

  const server = await startProviderServer({
    port: options.port,
    host: options.host,
    apiKey,
    routes: [
      openAIEditRoutes({ fileStore, timers, balance, counters, editDelayMs: options.editDelayMs ?? 0 }),
    ],
    profile: openAIProfile,
    fileStore,
    timers,
    balance,
    rateLimiter,
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
