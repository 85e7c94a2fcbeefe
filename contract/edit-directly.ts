import { createRetouch, type EditRequest, type ModelInfo, type ProviderAdapter } from '@retouch/core';
import { normalizeEditRequest, type ProviderEditOutput } from '@retouch/core/provider-utils';

/**
 * Runs one edit straight through an adapter, as the dispatcher would call it once (prepare, then
 * edit with the plan, on the adapter's own client), so a test sees exactly one exchange per request.
 */
export async function editDirectly(
  adapter: ProviderAdapter,
  request: EditRequest,
): Promise<ProviderEditOutput> {
  const normalized = await normalizeEditRequest(request);
  const { signal: _signal, timeoutMs: _timeoutMs, ...forAdapter } = normalized;
  const context = { http: adapter.http!, signal: new AbortController().signal };
  const prepared = adapter.prepare ? await adapter.prepare(forAdapter, context) : { plan: undefined };
  return adapter.edit!({ request: forAdapter, plan: prepared.plan, ...context, idempotencyKey: 'direct' });
}

/** The adapter's models, read through a client (so the reads keep to its lane), which is then closed. */
export async function listModelsOf(adapter: ProviderAdapter): Promise<ModelInfo[]> {
  const retouch = createRetouch({ providers: [adapter] });
  try {
    return await retouch.listModels();
  } finally {
    await retouch.close();
  }
}
