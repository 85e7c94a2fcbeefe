import { RetouchError } from '../errors/retouch-error.ts';
import type { ModelInfo } from '../provider.ts';
import type { DispatchContext } from './dispatch-context.ts';
import type { ProviderRegistry } from './provider-registry.ts';

/**
 * `retouch.listModels()`: the models of every registered provider that lists them, or of one. Each
 * listing runs as a task of its provider's lane, so it waits its turn behind the edits there.
 */
export async function listModels(options: {
  filter: { provider?: string; signal?: AbortSignal };
  providers: ProviderRegistry;
  context: DispatchContext;
}): Promise<ModelInfo[]> {
  const { filter, providers, context } = options;
  if (filter.provider !== undefined && !providers.adapters.has(filter.provider)) {
    throw new RetouchError({
      message: `listModels: provider "${filter.provider}" is not registered (registered: ${providers.list()})`,
    });
  }
  const adapters = [...providers.adapters.values()].filter(
    (adapter) => filter.provider === undefined || adapter.id === filter.provider,
  );
  const signal = filter.signal ?? new AbortController().signal;
  const lists = await Promise.all(
    adapters.map((adapter) =>
      adapter.listModels
        ? context.lane(adapter.id).run(
            (taskSignal) =>
              adapter.listModels!({
                http: context.transport({ adapter, priority: 0 }),
                signal: taskSignal,
              }),
            { priority: 0, signal },
          )
        : Promise.resolve([]),
    ),
  );
  return lists.flat();
}
