import type { Cost } from '@retouch/core';

/** What this process knows of a generation it enqueued, beyond what Oxen's status row says. */
export interface OxenJobContext {
  modelId: string;
  outputFormat: string | undefined;
  costPerImage: Cost | undefined;
  responseFormat: 'url' | 'b64_json';
  reportCost: boolean;
}

const MAX_REMEMBERED = 10_000;

/**
 * The context of the generations this process enqueued, and the `started_at` of generations read
 * while they ran (a completion event carries no times). Both are bounded, oldest forgotten first: a
 * job resumed without its context is folded from what Oxen's rows say and the provider's defaults.
 */
export class OxenJobContexts {
  readonly #contexts = new Map<string, OxenJobContext>();
  readonly #startedAt = new Map<string, number>();

  /** Records the context of generations just enqueued. */
  remember(generationIds: readonly string[], context: OxenJobContext): void {
    for (const id of generationIds) bounded(this.#contexts, id, context);
  }

  /** The context of a generation this process enqueued, if still remembered. */
  get(generationId: string): OxenJobContext | undefined {
    return this.#contexts.get(generationId);
  }

  /** Records when a generation started (epoch ms), from a status row read while it ran. */
  noteStarted(generationId: string, startedAt: number): void {
    bounded(this.#startedAt, generationId, startedAt);
  }

  /** When a generation started, if a status row said so. */
  startedAt(generationId: string): number | undefined {
    return this.#startedAt.get(generationId);
  }
}

function bounded<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}
