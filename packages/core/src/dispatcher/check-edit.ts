import type { EditRequest } from '../edit-request.ts';
import type { EditWarning } from '../edit-result.ts';
import { normalizeEditRequest } from '../normalize-edit-request.ts';
import { forAdapter } from './attempt-plan.ts';
import type { DispatchContext } from './dispatch-context.ts';
import { prepareEdit } from './prepare-edit.ts';
import type { ProviderRegistry } from './provider-registry.ts';

/** What {@link Retouch.check} found for a request that `edit()` would send. */
export interface EditCheck {
  /**
   * What the model would drop or adjust (typed with the option's name: a neutral field, or
   * `providerOptions.<provider>.<key>` for a model's own parameter), and other advice, as `edit()`
   * would report them in its result.
   */
  warnings: EditWarning[];
}

/**
 * `retouch.check()`: validates a request and has its adapter prepare it exactly as `edit()` would
 * (the model's parameter schema read from the provider's catalogue where the adapter reads one, a
 * free call through the provider's lane), without sending anything billable. Throws what `edit()`
 * would throw before sending: `InvalidRequestError`, or `UnsupportedFeatureError` in strict mode.
 */
export async function checkEdit(options: {
  request: EditRequest;
  providers: ProviderRegistry;
  context: DispatchContext;
}): Promise<EditCheck> {
  const normalized = await normalizeEditRequest(options.request);
  const adapter = options.providers.adapterFor(normalized);
  const prepared = await prepareEdit({
    adapter,
    request: forAdapter(normalized),
    context: {
      http: options.context.transport({ adapter, priority: 0 }),
      signal: normalized.signal ?? new AbortController().signal,
    },
    strict: options.context.strict,
  });
  return { warnings: [...prepared.warnings] };
}
