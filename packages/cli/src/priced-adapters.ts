import { type Cost, type ProviderAdapter, roundUsd } from '@retouch/core';

/**
 * The adapters, each estimating the models of `prices` (`provider:model` → US dollars per output
 * image) at the given price instead of asking its provider, so a budget can be kept on a model that
 * publishes none (`--price`). Every other call goes to the adapter untouched.
 *
 * @example
 * const adapters = withPrices({ adapters: session.adapters, prices: { 'edenai:bfl/flux-kontext-max': 0.08 } });
 */
export function withPrices(options: {
  adapters: readonly ProviderAdapter[];
  prices: Readonly<Record<string, number>> | undefined;
}): ProviderAdapter[] {
  const prices = options.prices ?? {};
  return options.adapters.map((adapter) => {
    const own = Object.entries(prices).filter(([model]) => model.startsWith(`${adapter.id}:`));
    if (own.length === 0) return adapter;
    const byModelId = new Map(own.map(([model, usd]) => [model.slice(adapter.id.length + 1), usd]));
    const estimateCost: ProviderAdapter['estimateCost'] = async (edit, context) => {
      const perImage = byModelId.get(edit.request.modelId);
      if (perImage !== undefined) {
        const cost: Cost = { usd: roundUsd(perImage * edit.request.n), source: 'estimated' };
        return cost;
      }
      return adapter.estimateCost?.(edit, context);
    };
    // A proxy rather than a copy: adapters may be class instances with private state.
    return new Proxy(adapter, {
      get(target, key) {
        if (key === 'estimateCost') return estimateCost;
        const value = Reflect.get(target, key, target) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  });
}
