import type { NormalizedEditRequest } from '../edit-request.ts';
import type { PreparedEdit, ProviderAdapter, ProviderContext } from '../provider.ts';
import { throwIfStrict } from './strict-mode.ts';

/**
 * The adapter's plan for a request and its warnings, before anything billable is sent: the one step
 * `edit()`, `estimate()` and `check()` share, so a request `check()` passes is one `edit()` prepares
 * the same way. In strict mode a warning about an option refuses the request.
 */
export async function prepareEdit(options: {
  adapter: ProviderAdapter;
  /** The request as the adapter takes it: this provider's `providerOptions`, no signal or timeout. */
  request: NormalizedEditRequest;
  context: ProviderContext;
  strict: boolean;
}): Promise<PreparedEdit> {
  const { adapter, request } = options;
  const prepared = adapter.prepare
    ? await adapter.prepare(request, options.context)
    : { plan: undefined, warnings: [] };
  if (options.strict) throwIfStrict({ request, warnings: prepared.warnings });
  return prepared;
}
