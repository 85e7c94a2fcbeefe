import { RetouchError } from '../errors/retouch-error.ts';
import type { LaneLimits } from '../provider.ts';
import { Lane } from './lane.ts';
import type { ProviderRegistry } from './provider-registry.ts';
import type { ResolvedRetryOptions } from './retry.ts';
import type { SharedLimits } from './shared-limits.ts';

/** Concurrency of a lane when neither the client nor the provider sets one. */
const DEFAULT_CONCURRENCY = 8;

/**
 * One lane for each registered provider. A lane's limits are the client's (`limits`), else the
 * adapter's defaults: a fixed `requestsPerSecond` from the client, or one that adapts up to the
 * adapter's. With `sharedLimits`, each lane also keeps the account's limits with the other clients.
 */
export function createLanes(options: {
  providers: ProviderRegistry;
  limits: Readonly<Record<string, LaneLimits>> | undefined;
  sharedLimits: SharedLimits | undefined;
  retry: ResolvedRetryOptions;
}): Map<string, Lane> {
  const { providers, limits, sharedLimits, retry } = options;
  for (const provider of Object.keys(limits ?? {})) {
    if (!providers.adapters.has(provider)) {
      throw new RetouchError({
        message: `createRetouch: limits.${provider} names no registered provider (registered: ${providers.list()})`,
      });
    }
  }
  const lanes = new Map<string, Lane>();
  for (const [provider, adapter] of providers.adapters) {
    const configured = limits?.[provider];
    const defaults = adapter.defaultLimits;
    const requestsPerSecond = configured?.requestsPerSecond;
    const concurrency = configured?.concurrency ?? defaults?.concurrency ?? DEFAULT_CONCURRENCY;
    const shared = sharedLimits?.lane({ provider, concurrency, requestsPerSecond });
    lanes.set(
      provider,
      new Lane({
        provider,
        concurrency,
        ...(shared ? { shared } : {}),
        ...(requestsPerSecond !== undefined ? { requestsPerSecond } : {}),
        ...(defaults?.requestsPerSecond !== undefined ? { adaptiveCeiling: defaults.requestsPerSecond } : {}),
        initialPauseMs: retry.initialDelayMs,
        maxPauseMs: retry.maxDelayMs,
      }),
    );
  }
  return lanes;
}
