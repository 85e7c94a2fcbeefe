import type { NormalizedEditRequest } from '../edit-request.ts';
import { InvalidRequestError } from '../errors/invalid-request-error.ts';
import { RetouchError } from '../errors/retouch-error.ts';
import { parseModelId } from '../model-id.ts';
import type { ProviderAdapter } from '../provider.ts';
import { checkAdapter } from './adapter-checks.ts';

/**
 * The adapters a client was created with, by provider id. Every message about a provider that is not
 * there names the ones that are, so the fix is a prefix away.
 */
export class ProviderRegistry {
  /** The adapters by provider id, in the order they were given. */
  readonly adapters = new Map<string, ProviderAdapter>();

  /** Registers `createRetouch({ providers })`, checking each adapter's shape and that no id repeats. */
  constructor(providers: readonly ProviderAdapter[]) {
    for (const [index, adapter] of providers.entries()) {
      const where = `createRetouch: providers[${index}]`;
      checkAdapter(adapter, { where });
      if (this.adapters.has(adapter.id)) {
        throw new RetouchError({ message: `${where}: provider "${adapter.id}" is registered twice` });
      }
      this.adapters.set(adapter.id, adapter);
    }
  }

  /** The registered provider ids, as messages list them: `oxen, edenai`. */
  list(): string {
    return [...this.adapters.keys()].join(', ');
  }

  /** The adapter serving a request; a request for a provider not registered is refused before any call. */
  adapterFor(request: NormalizedEditRequest): ProviderAdapter {
    const adapter = this.adapters.get(request.provider);
    if (!adapter) {
      throw new InvalidRequestError({
        issues: [
          {
            path: 'model',
            message: `no provider "${request.provider}" is registered with this client (registered: ${this.list()}); use one of those prefixes, or pass the provider's adapter in createRetouch({ providers })`,
          },
        ],
      });
    }
    return adapter;
  }

  /** Checks `createRetouch({ fallback })`: every model must name a registered provider. */
  checkFallback(fallback: readonly string[] | undefined): readonly string[] {
    for (const [index, model] of (fallback ?? []).entries()) {
      const { provider } = parseModelId(model)!;
      if (!this.adapters.has(provider)) {
        throw new RetouchError({
          message: `createRetouch: fallback[${index}] (${model}) names provider "${provider}", which is not registered (registered: ${this.list()})`,
        });
      }
    }
    return [...(fallback ?? [])];
  }
}
