import type { Cost } from '../cost.ts';
import type { EditRequest } from '../edit-request.ts';
import { normalizeEditRequest } from '../normalize-edit-request.ts';
import type { ProviderContext } from '../provider.ts';
import type { DispatchContext } from './dispatch-context.ts';
import { prepareEdit } from './prepare-edit.ts';
import type { ProviderRegistry } from './provider-registry.ts';

/**
 * `retouch.estimate()`: what an edit would cost, from the provider's published prices, without
 * sending it. The adapter prepares the request as for the edit, since the price can depend on what it
 * maps the request onto; its reads go through the provider's lane like any other.
 */
export async function estimateEdit(options: {
  request: EditRequest;
  providers: ProviderRegistry;
  context: DispatchContext;
}): Promise<Cost | undefined> {
  const normalized = await normalizeEditRequest(options.request);
  const adapter = options.providers.adapterFor(normalized);
  if (!adapter.estimateCost) return undefined;
  const { signal: callerSignal, timeoutMs: _timeoutMs, ...forAdapter } = normalized;
  const context: ProviderContext = {
    http: options.context.transport({ adapter, priority: 0 }),
    signal: callerSignal ?? new AbortController().signal,
  };
  const prepared = await prepareEdit({ adapter, request: forAdapter, context, strict: false });
  return adapter.estimateCost({ request: forAdapter, plan: prepared.plan }, context);
}
