/**
 * Small decisions of one attempt that depend only on the adapter and the request: its ledger key,
 * whether it runs as a provider job, and the request the adapter sees.
 */
import type { NormalizedEditRequest } from '../edit-request.ts';
import type { ProviderAdapter } from '../provider.ts';

/**
 * The ledger key of one model's attempt: the job's billing key for the requested model, with `#1`,
 * `#2`, ... for the fallbacks, as the idempotency key does.
 */
export function attemptKey(options: { billingKey: string; index: number }): string {
  return options.index === 0 ? options.billingKey : `${options.billingKey}#${options.index}`;
}

/** Whether the adapter wants this request run as a provider job (`prefersJobs`, a flag or a function). */
export function prefersJobs(options: {
  adapter: ProviderAdapter;
  request: NormalizedEditRequest;
  plan: unknown;
}): boolean {
  const { prefersJobs: preference } = options.adapter;
  return typeof preference === 'function'
    ? preference.call(options.adapter, options.request, options.plan) === true
    : preference === true;
}

/** The request as adapters see it: the caller's signal and deadline are the dispatcher's business. */
export function forAdapter(request: NormalizedEditRequest): NormalizedEditRequest {
  const { signal: _signal, timeoutMs: _timeoutMs, ...rest } = request;
  return rest;
}
